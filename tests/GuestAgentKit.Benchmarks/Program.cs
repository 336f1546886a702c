using GuestAgentKit.Benchmarks;

// dotnet run -c Release --project tests/GuestAgentKit.Benchmarks -- [--quick] [--only B1,B5] [--json out.json]
// Exit code: 0 when every selected figure was measured (a missed target is a result, not an error),
// 1 when a measurement failed, 2 for bad arguments.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var report = await BenchmarkHarness.RunAsync(options, Console.Out, Console.Error, stop.Token);
return report.Results.Any(r => r.Status == FigureStatus.Failed) ? 1 : 0;
