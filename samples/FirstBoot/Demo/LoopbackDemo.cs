using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using GuestAgentKit.Cli;
using GuestAgentKit.Host.Backend;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Loopback;
using GuestAgentKit.Samples.FirstBoot.Dom0;
using GuestAgentKit.Samples.FirstBoot.Guest;
using GuestAgentKit.Xen;
using GuestAgentKit.Xen.Platform.Loopback;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Samples.FirstBoot.Demo;

/// <summary>
/// The whole first-boot story on the loopback Xen, each step one call into the libraries: loopback, toolstack,
/// provisioning, backend, the agent as its own process, the orchestrator's client.
/// </summary>
internal static class LoopbackDemo
{
    private const string VmName = "web1";

    // A cold `dotnet gak-agent.dll` starts in about a second on an idle machine but took over 8 s on a loaded
    // 2-core CI box; the deadline only bounds a broken agent, so it is generous.
    private static readonly TimeSpan AgentStartDeadline = TimeSpan.FromSeconds(45);

    public static async Task<int> RunAsync(TextWriter output, bool keep, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("gak-demo-").FullName;
        var xenRoot = Path.Combine(work, "xen");
        var guestRoot = Path.Combine(work, "guest-root");
        var socketDirectory = Directory.CreateDirectory(Path.Combine(work, "run"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var steps = new StepPrinter(output, clock);
        try
        {
            steps.Step($"Start the loopback Xen in {xenRoot} (embedded xenstored, grant pages, event channels, guest kernel emulator)");
            await using var xen = await LoopbackXen.StartAsync(xenRoot, null, cancellationToken).ConfigureAwait(false);
            steps.Done($"dom0's xenstore: {xen.XenStoreSocketPath}");

            steps.Step($"Create domain '{VmName}', cloned from the Debian template");
            await using var xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath), cancellationToken).ConfigureAwait(false);
            DemoGuest.CreateTemplateRoot(guestRoot);
            var domain = await xen.CreateDomainAsync(VmName, null, cancellationToken).ConfigureAwait(false);
            var uuid = domain.Info.Uuid;
            steps.Done($"domid {domain.Id}, uuid {uuid}; its /dev stand-ins in {domain.GuestDirectory}; guest root {guestRoot}");

            steps.Step("Add the agent channel to the domain (what libxl writes for channel=[\"connection=socket, name=org.guestagentkit.agent.1, path=...\"])");
            var orchestrator = new FirstBootOrchestrator(xs, socketDirectory);
            var channel = await orchestrator.AddChannelAsync(domain.Id, uuid, cancellationToken).ConfigureAwait(false);
            var socketPath = orchestrator.SocketPathFor(uuid);
            steps.Done($"device/console/{channel.Devid} named {channel.Name}, socket {socketPath}");

            steps.Step("Start the backend (one daemon for every channel of every domain)");
            await using var backendXs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath), cancellationToken).ConfigureAwait(false);
            using var platform = new LoopbackPlatform(xenRoot, DomainId.Dom0);
            await using var backend = new ChannelBackend(backendXs, platform, new BackendOptions { Loopback = xenRoot });
            using var stopBackend = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var backendRun = backend.RunAsync(stopBackend.Token);
            steps.Done("serving consoles of type guestagentkit");

            steps.Step("Start the guest agent as its own process, as udev + systemd would in the guest");
            await using var agent = AgentProcess.Start(["--root", guestRoot, "--xenbus", domain.XenbusPath, "--device-dir", domain.GuestDirectory]);
            await agent.Ready.WaitAsync(AgentStartDeadline, cancellationToken).ConfigureAwait(false);
            steps.Done($"pid {agent.Id}: found its channel by name in xenstore and opened its hvc tty");

            steps.Step("Orchestrator: connect to the VM's channel socket and handshake");
            await using var client = await FirstBootOrchestrator.ConnectAsync(socketPath, TimeSpan.FromSeconds(2), AgentStartDeadline, cancellationToken).ConfigureAwait(false);
            steps.Done($"{client.Welcome.Agent.Name} {client.Welcome.Agent.Version}, protocol {client.Welcome.Version}, methods: {string.Join(", ", client.Welcome.Methods)}");

            steps.Step("Push a configuration the guest must refuse (bad host name, bad prefix length)");
            try
            {
                await FirstBootOrchestrator.PushAsync(client, DemoGuest.BadConfig(), cancellationToken).ConfigureAwait(false);
                throw new CliException("the guest accepted an invalid configuration");
            }
            catch (FirstBootRejectedException e)
            {
                FirstBootReport.WriteRejected(output, e);
            }

            steps.Step($"Push the VM's configuration (config.apply)");
            var config = DemoGuest.Config(VmName);
            var result = await FirstBootOrchestrator.PushAsync(client, config, cancellationToken).ConfigureAwait(false);
            FirstBootReport.WriteResult(output, result);

            steps.Step($"Files written in the guest root {guestRoot}");
            WriteFiles(output, guestRoot, result);

            steps.Step("Push it again: applying is idempotent");
            FirstBootReport.WriteResult(output, await FirstBootOrchestrator.PushAsync(client, config, cancellationToken).ConfigureAwait(false));

            if (keep)
            {
                // The backend serves one client per channel: let the commands printed below connect.
                await client.DisposeAsync().ConfigureAwait(false);
                await KeepRunningAsync(output, xen, domain.Id, socketPath, guestRoot, config, cancellationToken).ConfigureAwait(false);
            }

            steps.Step("Clean up: disconnect, stop the agent, the backend and the loopback");
            await client.DisposeAsync().ConfigureAwait(false);
            await agent.DisposeAsync().ConfigureAwait(false);
            await stopBackend.CancelAsync().ConfigureAwait(false);
            await IgnoreCancellation(backendRun).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is AgentConnectionException or GuestAgentKit.Protocol.ChannelProtocolException or TimeoutException
            or XenStoreException or GuestAgentKit.Host.Provisioning.ChannelProvisioningException or IOException or InvalidOperationException)
        {
            throw new CliException($"the demo failed: {e.Message}", e);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            output.WriteLine($"done in {clock.Elapsed.TotalSeconds:0.0} s");
        }
    }

    private static void WriteFiles(TextWriter output, string guestRoot, FirstBootApplyResult result)
    {
        foreach (var file in result.Files.Where(f => f.Action != FileChangeAction.Unchanged))
        {
            output.WriteLine($"--- {file.Path}");
            foreach (var line in File.ReadAllLines(Path.Join(guestRoot, file.Path)))
            {
                output.WriteLine($"    {line}");
            }
        }
    }

    private static async Task KeepRunningAsync(TextWriter output, LoopbackXen xen, DomainId domain, string socketPath, string guestRoot, JsonElement config, CancellationToken cancellationToken)
    {
        var configFile = Path.Combine(Path.GetDirectoryName(guestRoot)!, "config.json");
        await File.WriteAllTextAsync(configFile, config.GetRawText(), cancellationToken).ConfigureAwait(false);
        var (program, prefix) = AgentProcess.SelfCommand();
        var self = string.Join(' ', prefix.Prepend(program));
        output.WriteLine($"""

            The loopback keeps running (Ctrl-C ends it and cleans up):
              loopback root:     {xen.Root}
              dom0 xenstore:     {xen.XenStoreSocketPath}
              domain:            {VmName} (domid {domain})
              channel socket:    {socketPath}
              guest root:        {guestRoot}
            Try:
              XENSTORED_PATH={xen.XenStoreSocketPath} xenstore-ls /local/domain/{domain}
              {self} push --loopback {xen.Root} {VmName} {configFile}
              {self} push {VmName} {configFile} --socket {socketPath}
            """);
        // Ctrl-C / SIGTERM end the wait, not the process: the signals' default action would skip the clean-up.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            output.WriteLine("stopping");
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task IgnoreCancellation(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
