namespace GuestAgentKit.Interop.Tests.RealXen;

/// <summary>What a finished helper process left behind.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>A one-line description for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}; stdout: {StandardOutput.Trim()}; stderr: {StandardError.Trim()}";
}
