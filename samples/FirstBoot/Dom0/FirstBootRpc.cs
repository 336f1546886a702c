using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GuestAgentKit.Protocol;
using GuestAgentKit.Samples.FirstBoot.Guest;
using GuestAgentKit.Samples.FirstBoot.Plugin;
using StreamJsonRpc;

namespace GuestAgentKit.Samples.FirstBoot.Dom0;

/// <summary>dom0's calls of the first-boot plugin over an open channel session.</summary>
public static class FirstBootRpc
{
    /// <summary>Serialization metadata for the plugin's results and error data; pass it in the session options.</summary>
    public static IJsonTypeInfoResolver JsonTypeInfoResolver => FirstBootJsonContext.Default;

    /// <summary>Pushes <paramref name="config"/> with <c>config.apply</c>.</summary>
    /// <param name="session">An open session with the agent.</param>
    /// <param name="config">The configuration as JSON (checked by the guest, not here: the guest knows its users).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the guest changed.</returns>
    /// <exception cref="FirstBootRejectedException">Invalid fields; nothing was applied.</exception>
    /// <exception cref="FirstBootApplyFailedException">The guest could not write the files; it rolled back.</exception>
    public static async Task<FirstBootApplyResult> ApplyAsync(ChannelSession session, JsonElement config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            return await session.InvokeAsync<FirstBootApplyResult>(FirstBootMethods.Apply, new { config }, cancellationToken).ConfigureAwait(false);
        }
        catch (RemoteMethodNotFoundException e) when ((int)e.ErrorCode == FirstBootErrorCodes.InvalidParams)
        {
            // StreamJsonRpc reports -32602 as "method not found" (no overload took the arguments); for
            // config.apply it is the guest refusing the config, with the field list as data.
            throw new FirstBootRejectedException(e.Message, DataAs(e.ErrorData, FirstBootJsonContext.Default.FirstBootFieldErrorArray) ?? [], e);
        }
        catch (RemoteInvocationException e) when (e.ErrorCode == FirstBootErrorCodes.ApplyFailed)
        {
            throw new FirstBootApplyFailedException(e.Message, DataAs(e.ErrorData, FirstBootJsonContext.Default.FirstBootApplyFailure), e);
        }
    }

    /// <summary>Asks the guest whether it would accept <paramref name="config"/> (<c>config.validate</c>).</summary>
    /// <param name="session">An open session with the agent.</param>
    /// <param name="config">The configuration as JSON.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every invalid field; empty when valid.</returns>
    public static Task<FirstBootFieldError[]> ValidateAsync(ChannelSession session, JsonElement config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.InvokeAsync<FirstBootFieldError[]>(FirstBootMethods.Validate, new { config }, cancellationToken);
    }

    /// <summary>The error's <c>data</c> as <typeparamref name="T"/>, or null when absent or of another shape (it comes from the guest).</summary>
    private static T? DataAs<T>(object? errorData, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return errorData is JsonElement data ? data.Deserialize(type) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
