using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host info &lt;dom|--socket PATH&gt;</c>: <c>agent.info</c>, pretty or JSON.</summary>
internal static class CallInfoCommand
{
    public static Command Create()
    {
        var target = new CallTargetOptions();
        var domain = new Argument<string?>("dom") { Description = "The domain (domid or name); omit with --socket.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print agent.info's JSON result as is." };
        var command = new Command(
            "info",
            "Show what a guest agent reports through agent.info: agent and protocol versions, host name, OS, kernel, uptime, methods.")
        {
            domain,
            json,
        };
        target.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var client = await target.ConnectAsync(result, result.GetValue(domain), ct).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var info = await CallTargetOptions.CallAsync("agent.info", () => client.GetInfoAsync(ct)).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(result.GetValue(json) ? CallCommand.Indented(info) : Pretty(info)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static string Pretty(JsonElement info)
    {
        var text = new StringBuilder();
        Line(text, "agent", $"{Text(info, "agentName")} {Text(info, "agentVersion")}");
        Line(text, "protocol", Join(info, "protocolVersions"));
        Line(text, "channel", Text(info, "channel"));
        Line(text, "hostname", Text(info, "hostname"));
        Line(text, "os", Text(info, "os"));
        Line(text, "kernel", Text(info, "kernel"));
        Line(text, "arch", Text(info, "architecture"));
        Line(text, "uptime", Uptime(info, "uptimeSeconds"));
        Line(text, "agent uptime", Uptime(info, "agentUptimeSeconds"));
        Line(text, "methods", Join(info, "methods"));
        return text.ToString().TrimEnd('\n');
    }

    private static void Line(StringBuilder text, string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label + ":",-14}{value}\n");

    private static string Text(JsonElement info, string name) =>
        info.ValueKind == JsonValueKind.Object && info.TryGetProperty(name, out var value) ? value.ToString() : "?";

    private static string Join(JsonElement info, string name) =>
        info.ValueKind == JsonValueKind.Object && info.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? string.Join(", ", value.EnumerateArray().Select(v => v.ToString()))
            : "?";

    private static string Uptime(JsonElement info, string name)
    {
        if (info.ValueKind != JsonValueKind.Object || !info.TryGetProperty(name, out var value) || !value.TryGetInt64(out var seconds) || seconds < 0)
        {
            return "?";
        }

        var time = TimeSpan.FromSeconds(seconds);
        return time.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalDays}d {time.Hours}h {time.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Hours}h {time.Minutes}m {time.Seconds}s");
    }
}
