namespace GuestAgentKit.Tests.Protocol;

/// <summary>Methods the protocol tests serve as <c>test.*</c>.</summary>
public interface ITestService
{
    Task<string> EchoAsync(string text);

    Task<string> BigAsync(int length);

    Task<int> FailAsync();

    Task<int> HangAsync(CancellationToken cancellationToken);
}
