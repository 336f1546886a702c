using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GuestAgentKit.Cli;
using GuestAgentKit.Guest.Discovery;

namespace GuestAgentKit.Guest.Cli.Commands;

/// <summary><c>gak-agent list</c>: every console entry of this guest and the tty discovery guesses for it.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var discovery = new DiscoveryOptions();
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var command = new Command(
            "list",
            "List this guest's Xen consoles (device/console/* in its xenstore): devid, channel name, xenbus state and " +
            "the guessed tty (hvc_xen numbering: the k-th console in devid order is hvc<k>; devids 1-9 only).")
        {
            json,
        };
        discovery.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var consoles = await discovery.ListConsolesAsync(result, ct).ConfigureAwait(false);
            await Console.Out.WriteAsync(result.GetValue(json) ? Json(consoles) : Table(consoles)).ConfigureAwait(false);

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Table(IReadOnlyList<ChannelConsole> consoles)
    {
        var table = new TextTable("DEVID", "NAME", "STATE", "DEVICE");
        foreach (var c in consoles)
        {
            table.Add(c.NodeName, c.Name ?? "-", c.State?.ToString(CultureInfo.InvariantCulture) ?? "-", c.DevicePath ?? "-");
        }

        return table.ToString();
    }

    private static string Json(IReadOnlyList<ChannelConsole> consoles)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var c in consoles)
            {
                writer.WriteStartObject();
                writer.WriteString("node", c.NodeName);
                writer.WriteNumber("devid", c.Devid);
                writer.WriteString("name", c.Name);
                if (c.State is { } state)
                {
                    writer.WriteNumber("state", state);
                }
                else
                {
                    writer.WriteNull("state");
                }

                writer.WriteString("backend", c.Backend);
                writer.WriteString("device", c.DevicePath);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
