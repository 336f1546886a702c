using System.CommandLine;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Cli;

namespace GuestAgentKit.Host.Cli.Commands;

/// <summary><c>gak-host call &lt;dom|--socket PATH&gt; [--channel NAME] METHOD [JSON-PARAMS]</c>.</summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var target = new CallTargetOptions();
        var arguments = new Argument<string[]>("arguments")
        {
            Description = "[DOM] METHOD [JSON-PARAMS]: the domain (domid or name; omitted with --socket), the method " +
                "(e.g. agent.ping) and its named parameters as one JSON object (e.g. '{\"text\":\"hi\"}').",
            Arity = new ArgumentArity(1, 3),
        };
        var command = new Command(
            "call",
            "Call a JSON-RPC method of a guest agent and print its JSON result. Connects to the channel's socket " +
            "(--socket, or the domain's channel found in xenstore), does the handshake, calls, ends the session " +
            "without losing the guest's bytes. Exit 1 when the agent cannot be reached or the method fails.")
        {
            arguments,
        };
        target.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var values = result.GetValue(arguments) ?? [];
            var positional = new Queue<string>(values);
            var bySocket = !string.IsNullOrEmpty(result.GetValue(target.Socket));
            var domain = bySocket ? null : positional.Count >= 2 ? positional.Dequeue() : null;
            if (positional.Count is 0 or > 2 || (!bySocket && domain is null))
            {
                throw new CliException("expected [DOM] METHOD [JSON-PARAMS]: a domain (or --socket PATH), a method, optional parameters", ExitCodes.Usage);
            }

            var method = positional.Dequeue();
            var parameters = positional.Count > 0 ? ParseParameters(positional.Dequeue()) : (JsonElement?)null;
            var client = await target.ConnectAsync(result, domain, ct).ConfigureAwait(false);
            await using (client.ConfigureAwait(false))
            {
                var answer = await CallTargetOptions.CallAsync(method, () => client.InvokeJsonAsync(method, parameters, ct)).ConfigureAwait(false);
                await Console.Out.WriteLineAsync(Indented(answer)).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static string Indented(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static JsonElement ParseParameters(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new CliException("JSON-PARAMS must be a JSON object of named parameters, e.g. '{\"text\":\"hi\"}'", ExitCodes.Usage);
        }
        catch (JsonException ex)
        {
            throw new CliException("JSON-PARAMS is not valid JSON: " + ex.Message, ExitCodes.Usage);
        }
    }
}
