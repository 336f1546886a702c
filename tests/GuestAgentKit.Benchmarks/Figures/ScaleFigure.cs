using System.Diagnostics;
using System.Globalization;
using GuestAgentKit.Channels;
using GuestAgentKit.Channels.Xl;
using GuestAgentKit.Host.Client;
using GuestAgentKit.Host.Provisioning;
using GuestAgentKit.Loopback;
using GuestAgentKit.Loopback.Toolstack;
using GuestAgentKit.Posix;
using GuestAgentKit.Protocol;
using GuestAgentKit.Xen;
using GuestAgentKit.XenStore;

namespace GuestAgentKit.Benchmarks.Figures;

/// <summary>
/// B3 at one size: <paramref name="domains"/> loopback domains (LoopbackXen: embedded xenstored and a guest
/// kernel emulator per domain, in this process) with one socket channel each, served by ONE
/// <c>gak-host backend</c> process started empty. Measured: time from the first channel provisioned
/// (the first alone, the rest <see cref="AddsInFlight"/> at a time into different domains, as a toolstack starting many
/// domains would) until every backend <c>state</c> is Connected (4); the
/// backend's RSS above its empty baseline per channel; its CPU while idle; then a handshake and one <c>agent.ping</c> on
/// every channel. No peer: QEMU runs a process per domain.
/// </summary>
/// <param name="domains">How many domains.</param>
internal sealed class ScaleFigure(int domains) : Figure
{
    /// <summary>Channel adds in flight at once on the one provisioning connection (different domains each).</summary>
    private const int AddsInFlight = 16;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    public override string Id => string.Create(CultureInfo.InvariantCulture, $"B3-{domains}");

    public override string Name => string.Create(CultureInfo.InvariantCulture, $"scale: {domains} domain(s) x 1 channel on one backend, to Connected (s)");

    public override string Target => "connected <= 5 s; <= 64 KiB RSS/channel; idle CPU < 1 %";

    public override async Task<FigureResult> RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var idle = context.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);
        var settle = context.Quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5);
        var root = CreateRoot();
        try
        {
            await using var xen = await LoopbackXen.StartAsync(root, cancellationToken: cancellationToken).ConfigureAwait(false);
            var guests = new List<LoopbackDomainEntry>(domains);
            for (var i = 0; i < domains; i++)
            {
                guests.Add(await xen.CreateDomainAsync(string.Create(CultureInfo.InvariantCulture, $"bench{i}"), cancellationToken: cancellationToken).ConfigureAwait(false));
            }

            var ids = guests.Select(g => g.Id).ToList();

            await using var xs = await XenStoreClient.ConnectAsync(XenStoreEndpoint.FromPath(xen.XenStoreSocketPath), cancellationToken).ConfigureAwait(false);
            await using var backend = BackendProcess.Start(root);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false); // start-up settles
            var emptyKiB = backend.ResidentKiB();
            long? firstKiB = null;

            var sockets = Directory.CreateDirectory(Path.Combine(root, "s")).FullName; // the backend creates sockets, not directories
            var provisioner = new ChannelProvisioner(xs);
            var clock = Stopwatch.StartNew();
            // The first channel alone: it pays for the whole path's JIT and thread-pool growth (MiBs, once); its RSS,
            // settled, is the base of the marginal cost of the others. Its settling is not counted in the time.
            var channels = new ChannelInfo[domains];
            channels[0] = await provisioner.AddAsync(ids[0], Spec(sockets, ids[0]), cancellationToken).ConfigureAwait(false);
            if (domains > 1)
            {
                await WaitConnectedAsync(xs, channels[..1], backend, cancellationToken).ConfigureAwait(false);
                clock.Stop();
                await Task.Delay(settle, cancellationToken).ConfigureAwait(false);
                firstKiB = backend.ResidentKiB();
                clock.Start();
            }

            // The rest as a toolstack starting many domains would: adds into different domains, several in flight on one
            // connection. They do not conflict: each touches only its own domain's nodes (the provisioner creates the
            // backend's per-domain directory outside its transaction).
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = AddsInFlight, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(1, domains - 1), parallel, async (i, ct) =>
                channels[i] = await provisioner.AddAsync(ids[i], Spec(sockets, ids[i]), ct).ConfigureAwait(false)).ConfigureAwait(false);

            var addSeconds = clock.Elapsed.TotalSeconds; // the provisioning transactions alone
            await WaitConnectedAsync(xs, channels, backend, cancellationToken).ConfigureAwait(false);
            var connectSeconds = clock.Elapsed.TotalSeconds;

            // Settle: the runtime's tiered JIT re-compiles, in the background, what connecting used (seconds of CPU on a
            // loaded box); that is start-up cost, not idling, so the idle window starts after it.
            await Task.Delay(settle, cancellationToken).ConfigureAwait(false);
            var loadedKiB = backend.ResidentKiB();
            var cpuBefore = backend.CpuTime();
            var threadsBefore = backend.ThreadTicks();
            await Task.Delay(idle, cancellationToken).ConfigureAwait(false);
            var idlePercent = (backend.CpuTime() - cpuBefore).TotalSeconds / idle.TotalSeconds * 100;
            var perChannelKiB = (double)(loadedKiB - emptyKiB) / domains;
            double? marginalKiB = firstKiB is { } first ? (double)(loadedKiB - first) / (domains - 1) : null;
            var busiest = backend.ThreadTicks()
                .Select(t => (t.Value.Name, Ticks: t.Value.Ticks - (threadsBefore.TryGetValue(t.Key, out var b) ? b.Ticks : 0)))
                .Where(t => t.Ticks > 0)
                .OrderByDescending(t => t.Ticks)
                .Take(4)
                .ToList();
            var fdsBefore = OpenDescriptors();
            double? pingSeconds = null;
            string? notPinged = null;
            try
            {
                pingSeconds = await PingAllAsync(guests, channels, cancellationToken).ConfigureAwait(false);
            }
            catch (PosixException error) when (error.Errno == EMFILE)
            {
                // The loopback runs every guest in this process (~20 descriptors each); at 1000 domains the pings' ttys,
                // sockets and the emulators' notify FIFOs cross a 20000 descriptor limit a non-root box cannot raise.
                notPinged = $"not measured at this size: {error.Message}";
            }

            var fdsAfter = OpenDescriptors();
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Id}: connected in {connectSeconds:0.000} s (adds {addSeconds:0.000} s), RSS {emptyKiB} -> {firstKiB} (first channel) -> {loadedKiB} KiB, idle CPU {idlePercent:0.00} % (busiest threads, 10 ms ticks: {string.Join(", ", busiest.Select(t => $"{t.Name} {t.Ticks}"))}); handshake+ping on every channel {(pingSeconds is { } p ? $"{p:0.000} s" : notPinged)} (harness descriptors {fdsBefore} before, {fdsAfter} after)"));
            return new FigureResult
            {
                Id = Id,
                Name = Name,
                Target = Target,
                Unit = "s",
                Ours = connectSeconds,
                TargetMet = connectSeconds <= 5 && perChannelKiB <= 64 && idlePercent < 1,
                Runs = 1,
                Also =
                [
                    new Baseline(string.Create(CultureInfo.InvariantCulture, $"of which provisioning ({AddsInFlight} adds in flight)"), addSeconds, "s"),
                    new Baseline("then the backend to the last Connected", connectSeconds - addSeconds, "s"),
                    new Baseline("backend RSS above empty per channel", perChannelKiB, "KiB"),
                    .. marginalKiB is { } marginal ? [new Baseline("per channel after the first", marginal, "KiB")] : Array.Empty<Baseline>(),
                    new Baseline("backend RSS empty", emptyKiB, "KiB"),
                    new Baseline(string.Create(CultureInfo.InvariantCulture, $"backend idle CPU over {idle.TotalSeconds:0} s"), idlePercent, "%"),
                    .. pingSeconds is { } ping ? [new Baseline(string.Create(CultureInfo.InvariantCulture, $"handshake+ping on every channel ({AddsInFlight} at a time)"), ping, "s")] : Array.Empty<Baseline>(),
                ],
                Note = (notPinged is null ? "" : "handshake+ping on every channel " + notPinged + "; ") + "one run per size; loopback root on /dev/shm (tmpfs) when present; time excludes settling after the first channel; idle window starts 5 s after the last Connected; handshake+ping after the idle window, the guest end our AgentEndpoint on each emulated hvc tty in the harness (one gak-agent process per guest would not fit)",
            };
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // the loopback may still be unlinking its files; /tmp is cleaned anyway
            }
        }
    }

    /// <summary>
    /// The loopback root on tmpfs (/dev/shm) when there is one, as the loopback's default root (/run/gak-loopback)
    /// is on a Debian dom0. On ext4 (/tmp here) the loopback's page files, FIFOs and <c>.peer</c> files cost inode
    /// allocation and writeback, in the harness and the backend, that Xen's grant tables and event channels never do.
    /// </summary>
    private static string CreateRoot()
    {
        const string Tmpfs = "/dev/shm";
        return Directory.Exists(Tmpfs)
            ? Directory.CreateDirectory(Path.Combine(Tmpfs, "gak-b3-" + Guid.NewGuid().ToString("N")[..12])).FullName
            : Directory.CreateTempSubdirectory("gak-b3-").FullName;
    }

    /// <summary>
    /// A handshake and one <c>agent.ping</c> on every channel, <see cref="AddsInFlight"/> at a time: dom0 is
    /// <see cref="AgentClient"/> on the backend's socket; the guest end is <see cref="AgentEndpoint"/> (the protocol code
    /// gak-agent runs) on the domain's emulated hvc tty, in this process, since 1000 agent processes would not fit.
    /// </summary>
    /// <returns>Seconds for all channels.</returns>
    private static async Task<double> PingAllAsync(IReadOnlyList<LoopbackDomainEntry> guests, IReadOnlyList<ChannelInfo> channels, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = AddsInFlight, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, guests.Count), parallel, async (i, ct) =>
        {
            var device = guests[i].ConsoleDevices().LastOrDefault(d => !d.EndsWith("hvc0", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"domain {guests[i].Id} has no channel tty although its channel is Connected");
            await using var tty = Tty.OpenRaw(device);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var endpoint = new AgentEndpoint(WellKnownChannels.Agent.Name, new AgentIdentity("bench-agent", "1"));
            var serving = endpoint.RunAsync(tty, stop.Token);
            await using (var client = await AgentClient.ConnectAsync(channels[i].SocketPath!, WellKnownChannels.Agent.Name, null, ct).ConfigureAwait(false))
            {
                await client.PingAsync(ct).ConfigureAwait(false);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await serving.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }).ConfigureAwait(false);
        return clock.Elapsed.TotalSeconds;
    }

    private const int EMFILE = 24;

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static XlChannelSpec Spec(string sockets, DomainId domain) =>
        new(WellKnownChannels.Agent.Name, ChannelConnection.Socket, Path.Combine(sockets, domain.ToString() + ".sock"));

    /// <summary>
    /// Waits until every channel's backend <c>state</c> reads Connected. A state is read when a watch on the backend
    /// root names it, and every pending one once a second in case events were dropped: reading every pending state
    /// every 10 ms cost ~250 000 reads at 1000 channels, in the process that also runs xenstored and every guest.
    /// </summary>
    private static async Task WaitConnectedAsync(XenStoreClient xs, IReadOnlyList<ChannelInfo> channels, BackendProcess backend, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = channels.Select(c => c.BackendPath + "/state").ToHashSet(StringComparer.Ordinal);
        await using var watch = await xs.WatchAsync(ChannelPaths.BackendRoot(DomainId.Dom0), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var events = watch.GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        IReadOnlyCollection<string> look = [.. pending];
        while (true)
        {
            var states = await Task.WhenAll(look.Select(path => xs.ReadAsync(path, cancellationToken))).ConfigureAwait(false);
            pending.ExceptWith(look.Where((_, i) => states[i] == "4"));
            if (pending.Count == 0)
            {
                return;
            }

            if (backend.HasExited)
            {
                throw new InvalidOperationException("gak-host backend exited during the run");
            }

            if (deadline.Elapsed > ConnectTimeout)
            {
                // Say where the first stuck channel stopped: frontend and backend states, ring and port.
                var stuck = channels.First(c => pending.Contains(c.BackendPath + "/state"));
                var now = await new ChannelProvisioner(xs).GetAsync(stuck.Domain, stuck.Devid, cancellationToken).ConfigureAwait(false);
                throw new TimeoutException($"{pending.Count} of {channels.Count} channels not Connected within {ConnectTimeout}; first: {now}");
            }

            if (await Task.WhenAny(next, Task.Delay(Recheck, cancellationToken)).ConfigureAwait(false) != next)
            {
                look = [.. pending];
                continue;
            }

            var named = new HashSet<string>(StringComparer.Ordinal);
            while (next.IsCompleted)
            {
                if (!await next.ConfigureAwait(false))
                {
                    throw new InvalidOperationException("the xenstore watch on the backend root ended");
                }

                if (pending.Contains(events.Current.Path))
                {
                    named.Add(events.Current.Path);
                }

                next = events.MoveNextAsync().AsTask(); // completes at once while events are queued
            }

            look = named;
        }
    }
}
