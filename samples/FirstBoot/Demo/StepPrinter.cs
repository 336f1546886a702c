using System.Diagnostics;

namespace GuestAgentKit.Samples.FirstBoot.Demo;

/// <summary>Numbered steps with the time since the start, so a reader follows the story and sees where time goes.</summary>
internal sealed class StepPrinter(TextWriter output, Stopwatch clock)
{
    private int _step;

    public void Step(string text) => output.WriteLine($"[{++_step}] {clock.Elapsed.TotalSeconds,5:0.00}s  {text}");

    public void Done(string text) => output.WriteLine($"           -> {text}");
}
