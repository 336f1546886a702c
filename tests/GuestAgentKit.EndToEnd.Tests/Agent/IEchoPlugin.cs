namespace GuestAgentKit.EndToEnd.Tests.Agent;

/// <summary>A plugin for the client tests: served as <c>test.echo</c>.</summary>
public interface IEchoPlugin
{
    /// <summary>Returns the text.</summary>
    Task<string> EchoAsync(string text);
}
