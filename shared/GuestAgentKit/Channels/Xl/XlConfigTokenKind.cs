namespace GuestAgentKit.Channels.Xl;

/// <summary>Token kinds of the xl config syntax that channel extraction needs.</summary>
internal enum XlConfigTokenKind
{
    /// <summary>A bare word: setting name, number or other unquoted value.</summary>
    Word,

    /// <summary>A quoted string, unescaped.</summary>
    String,

    /// <summary><c>=</c>.</summary>
    Equals,

    /// <summary><c>[</c>.</summary>
    OpenBracket,

    /// <summary><c>]</c>.</summary>
    CloseBracket,

    /// <summary><c>,</c>.</summary>
    Comma,

    /// <summary>A newline or <c>;</c>: ends a setting (outside lists).</summary>
    Separator,

    /// <summary>Any other character, e.g. of a value this extractor does not interpret.</summary>
    Other,
}
