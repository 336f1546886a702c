using System.Runtime.Versioning;
using System.Text.Json;
using GuestAgentKit.Benchmarks;

namespace GuestAgentKit.EndToEnd.Tests.Benchmarks;

/// <summary>
/// A smoke run of the benchmarks harness (tests/GuestAgentKit.Benchmarks) in its quick mode: it must
/// produce a measured row with plausible values for every figure it can measure. Whether a figure meets
/// its target is the harness's business (docs/performance.md), not this test's. B4 publishes gak-agent as
/// NativeAOT from this tree and pings it through a channel, so this is also the test that the NativeAOT
/// agent builds with warnings as errors and answers (a publish takes minutes, hence the long bound).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BenchmarkHarnessTests
{
    [Fact]
    public async Task RunAsync_QuickMode_MeasuresEveryMeasurableFigureWithPlausibleValues()
    {
        var json = Path.Combine(Path.GetTempPath(), $"gak-bench-{Guid.NewGuid():N}.json");
        using var output = new StringWriter();
        using var log = new StringWriter();
        try
        {
            var report = await BenchmarkHarness.RunAsync(new BenchmarkOptions { Quick = true, JsonPath = json }, output, log, TestContext.Current.CancellationToken)
                .WaitAsync(TimeSpan.FromMinutes(15), TestContext.Current.CancellationToken);

            Assert.Equal(BenchmarkHarness.AllFigures(quick: true).Select(f => f.Id), report.Results.Select(r => r.Id));
            AssertMeasured(report, "B1", 1, 100_000, log);     // MiB/s through a 2 KiB ring
            AssertMeasured(report, "B1b-socket", 0.01, 100_000, log); // MiB/s through gak-host backend
            AssertMeasured(report, "B1b-pty", 0.01, 100_000, log);
            AssertMeasured(report, "B2", 1, 10_000_000, log);    // microseconds per ping
            AssertMeasured(report, "B4", 1, 600_000, log);       // milliseconds to ready
            Assert.Contains("NativeAOT", report.Results.Single(r => r.Id == "B4").Note, StringComparison.Ordinal);
            Assert.InRange(report.Results.Single(r => r.Id == "B4").Also.Single(a => a.Name == "binary (NativeAOT)").Value, 1, 100); // MiB
            AssertMeasured(report, "B4-boot", 1, 600_000, log);  // milliseconds from agent start to configuration applied
            AssertMeasured(report, "B5r", 100, 10_000_000, log); // ops/s against xenstored
            AssertMeasured(report, "B5w", 100, 10_000_000, log);
            AssertMeasured(report, "B3-1", 0.0001, 60, log);     // seconds to Connected
            AssertMeasured(report, "B3-10", 0.0001, 60, log);
            Assert.All(report.Results, r => Assert.Contains(r.Id, output.ToString(), StringComparison.Ordinal));
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
            Assert.Equal(report.Results.Count, document.RootElement.GetProperty("Results").GetArrayLength());
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static void AssertMeasured(BenchmarkReport report, string id, double least, double most, StringWriter log)
    {
        var row = report.Results.Single(r => r.Id == id);
        Assert.True(row.Status is FigureStatus.Pass or FigureStatus.Miss or FigureStatus.Reported, $"{id}: {row.Status} {row.Note}\n{log}");
        Assert.InRange(row.Ours!.Value, least, most);
        Assert.NotEmpty(row.Also);
        if (row.Peer is { } peer)
        {
            Assert.InRange(peer, least, most);
            Assert.All(row.Also, a => Assert.InRange(a.Value, least / 100, most));
        }
    }
}
