using System.Text.Json.Serialization;

namespace GuestAgentKit.Samples.FirstBoot.Guest;

/// <summary>
/// One invalid field: <paramref name="Field"/> is its JSON path in the request
/// (<c>interfaces[1].addresses[0]</c>), <paramref name="Message"/> says what is wrong and the bound.
/// </summary>
/// <param name="Field">JSON path of the field, camelCase as on the wire.</param>
/// <param name="Message">What is wrong, quoting at most a short escaped excerpt of the value.</param>
public sealed record FirstBootFieldError(
    [property: JsonPropertyName("field")] string Field,
    [property: JsonPropertyName("message")] string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Field}: {Message}";
}
