using System.Text.Json;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>
/// Turns the <c>config</c> parameter into a <see cref="FirstBootConfig"/> with the strict
/// <see cref="FirstBootJsonContext"/> (unknown members, nulls for non-nullable members and wrong JSON types
/// are errors), reporting a failure as a field error with the member's JSON path and our own wording:
/// System.Text.Json's messages name .NET types, which mean nothing to a dom0 operator.
/// </summary>
public static class FirstBootConfigReader
{
    /// <summary>Parses <paramref name="config"/>.</summary>
    /// <param name="config">The JSON-RPC parameter.</param>
    /// <returns>The config (not yet validated semantically: see <see cref="FirstBootApplier"/>).</returns>
    /// <exception cref="FirstBootConfigException">The JSON does not have the config's shape; names the field.</exception>
    public static FirstBootConfig Read(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw new FirstBootConfigException([new FirstBootFieldError(FirstBootMethods.ConfigParameter, $"must be a JSON object, not {Describe(config.ValueKind)}")]);
        }

        if (!config.TryGetProperty("hostname", out _))
        {
            // Checked here so the error names the field; the serializer would only say "missing required properties".
            throw new FirstBootConfigException([new FirstBootFieldError("hostname", "is required")]);
        }

        try
        {
            return config.Deserialize(FirstBootJsonContext.Default.FirstBootConfig)
                ?? throw new FirstBootConfigException([new FirstBootFieldError(FirstBootMethods.ConfigParameter, "must be a JSON object, not null")]);
        }
        catch (JsonException e)
        {
            throw new FirstBootConfigException([new FirstBootFieldError(FieldOf(e.Path), Problem(e.Message))]);
        }
    }

    /// <summary><c>$.interfaces[0].name</c> → <c>interfaces[0].name</c>; the root is the parameter itself.</summary>
    internal static string FieldOf(string? jsonPath) => jsonPath switch
    {
        null or "" or "$" => FirstBootMethods.ConfigParameter,
        _ when jsonPath.StartsWith("$.", StringComparison.Ordinal) => jsonPath[2..],
        _ when jsonPath.StartsWith('$') => jsonPath[1..],
        _ => jsonPath,
    };

    private static string Problem(string serializerMessage) =>
        serializerMessage.Contains("could not be mapped", StringComparison.Ordinal) ? "is not a member of the config (check the spelling; names are camelCase)"
        : serializerMessage.Contains("missing required", StringComparison.Ordinal) ? "lacks a required member (interfaces need \"name\", sshAuthorizedKeys entries \"user\" and \"keys\")"
        : serializerMessage.Contains("null", StringComparison.OrdinalIgnoreCase) ? "must not be null (leave the member out instead)"
        : "has the wrong JSON type for this member (or is not valid JSON)";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };
}
