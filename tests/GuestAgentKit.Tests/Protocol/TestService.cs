namespace GuestAgentKit.Tests.Protocol;

internal sealed class TestService : ITestService
{
    public Task<string> EchoAsync(string text) => Task.FromResult(text);

    public Task<string> BigAsync(int length) => Task.FromResult(new string('x', length));

    public Task<int> FailAsync() => throw new InvalidOperationException("secret internal failure");

    public async Task<int> HangAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }
}
