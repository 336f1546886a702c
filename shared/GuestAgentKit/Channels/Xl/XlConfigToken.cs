namespace GuestAgentKit.Channels.Xl;

/// <summary>One token of an xl config file.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Text">Its text (unescaped for strings).</param>
/// <param name="Line">1-based line where it starts.</param>
internal readonly record struct XlConfigToken(XlConfigTokenKind Kind, string Text, int Line);
