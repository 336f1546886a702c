using System.CommandLine;
using System.Text.Json;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Samples.FirstBoot.Dom0;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Samples.FirstBoot.Cli;

/// <summary><c>FirstBoot push &lt;dom&gt; config.json</c>: dom0 pushes a VM's configuration to its agent.</summary>
internal static class PushCommand
{
    public static Command Build()
    {
        var domain = new Argument<string>("dom") { Description = "The domain (name or id) whose agent channel is used; ignored with --socket." };
        var file = new Argument<FileInfo>("config") { Description = "The configuration, JSON (see samples/FirstBoot/README.md)." };
        var socket = new Option<string?>("--socket") { Description = "Connect to this channel socket instead of looking the channel up in xenstore." };
        var loopback = new Option<string?>("--loopback") { Description = "Use the loopback Xen at R (its xenstore is R/xenstored/socket)." };
        var xenstore = new Option<string?>("--xenstore") { Description = "dom0's xenstore socket (default: XENSTORED_PATH, then the dom0 defaults)." };
        var command = new Command(
            "push",
            "Connect to the domain's agent channel (org.guestagentkit.agent.1, socket from xenstore), handshake, push " +
            "the configuration with config.apply and print what the guest changed. A refused configuration lists every " +
            "invalid field (nothing is applied) and exits 1.")
        {
            domain, file, socket, loopback, xenstore,
        };
        command.SetAction(async (result, ct) =>
        {
            var config = ReadConfig(result.GetValue(file)!);
            await using var client = await ConnectAsync(result.GetValue(domain)!, result.GetValue(socket), result.GetValue(loopback), result.GetValue(xenstore), ct).ConfigureAwait(false);
            Console.WriteLine($"connected to {client.Welcome.Agent.Name} {client.Welcome.Agent.Version} on {client.SocketPath}");
            try
            {
                FirstBootReport.WriteResult(Console.Out, await FirstBootOrchestrator.PushAsync(client, config, ct).ConfigureAwait(false));
                return ExitCodes.Success;
            }
            catch (FirstBootRejectedException e)
            {
                FirstBootReport.WriteRejected(Console.Error, e);
                return ExitCodes.Failure;
            }
            catch (FirstBootApplyFailedException e)
            {
                throw new CliException($"the guest could not apply the configuration: {e.Message}");
            }
        });
        return command;
    }

    private static JsonElement ReadConfig(FileInfo file)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file.FullName));
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CliException($"{file.FullName} is not valid JSON: {e.Message}", ExitCodes.Usage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {file.FullName}: {e.Message}", ExitCodes.Usage);
        }
    }

    private static async Task<AgentClient> ConnectAsync(string domain, string? socket, string? loopback, string? xenstore, CancellationToken cancellationToken)
    {
        var options = FirstBootOrchestrator.ClientOptions(GuestAgentKit.Limits.HandshakeTimeout);
        try
        {
            if (socket is not null)
            {
                return await AgentClient.ConnectAsync(socket, FirstBootOrchestrator.Channel, options, cancellationToken).ConfigureAwait(false);
            }

            var endpoint = xenstore is not null ? XenStoreEndpoint.FromPath(xenstore)
                : loopback is not null ? XenStoreEndpoint.FromPath(Path.Combine(Path.GetFullPath(loopback), "xenstored", "socket"))
                : XenStoreEndpoint.Dom0Default();
            await using var xs = await XenStoreClient.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return await AgentClient.ConnectAsync(xs, domain, FirstBootOrchestrator.Channel, options, cancellationToken).ConfigureAwait(false);
        }
        catch (AgentConnectionException e)
        {
            throw new CliException(e.Message);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or XenStoreException)
        {
            throw new CliException($"cannot reach the agent of {domain}: {e.Message}");
        }
    }
}
