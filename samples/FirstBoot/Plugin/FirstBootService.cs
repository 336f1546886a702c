using System.Text.Json;
using GuestAgentKit.Samples.FirstBoot.Guest;
using StreamJsonRpc;

namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>
/// The guest side of <c>config.*</c>: parses, validates and applies through a <see cref="FirstBootApplier"/>
/// on one guest root, one apply at a time (the applier is not safe for concurrent applies to one root).
/// Failures become JSON-RPC errors with the codes of <see cref="FirstBootErrorCodes"/>; their messages and
/// data name the fields or the path, never exception types.
/// </summary>
public sealed class FirstBootService : IFirstBootService, IDisposable
{
    private readonly FirstBootApplier _applier;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the service for the guest tree at <paramref name="root"/> (<c>/</c> in a real guest).</summary>
    /// <param name="root">The guest root directory.</param>
    public FirstBootService(string root = "/")
    {
        Root = root;
        _applier = new FirstBootApplier(root);
    }

    /// <summary>The guest root this service writes into.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public async Task<FirstBootApplyResult> ApplyAsync(JsonElement config, CancellationToken cancellationToken)
    {
        var parsed = ReadOrThrow(config);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _applier.Apply(parsed);
        }
        catch (FirstBootConfigException e)
        {
            throw InvalidParams(e.Errors);
        }
        catch (FirstBootApplyException e)
        {
            throw ApplyFailed(e.Message, new FirstBootApplyFailure(e.GuestPath, e.RollbackComplete));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Failures before the plan (e.g. an unreadable /etc/passwd): nothing was written.
            throw ApplyFailed(e.Message + "; nothing was changed", new FirstBootApplyFailure("", RollbackComplete: true));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<FirstBootFieldError[]> ValidateAsync(JsonElement config, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var parsed = FirstBootConfigReader.Read(config);
            return Task.FromResult(_applier.Validate(parsed).Errors.ToArray());
        }
        catch (FirstBootConfigException e)
        {
            return Task.FromResult(e.Errors.ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ApplyFailed(e.Message, new FirstBootApplyFailure("/etc/passwd", RollbackComplete: true));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private static FirstBootConfig ReadOrThrow(JsonElement config)
    {
        try
        {
            return FirstBootConfigReader.Read(config);
        }
        catch (FirstBootConfigException e)
        {
            throw InvalidParams(e.Errors);
        }
    }

    /// <summary>One JSON-RPC error for all bad fields: the message leads with the first, the data lists them all.</summary>
    private static LocalRpcException InvalidParams(IReadOnlyList<FirstBootFieldError> errors) =>
        new(new FirstBootConfigException(errors).Message)
        {
            ErrorCode = FirstBootErrorCodes.InvalidParams,
            ErrorData = errors.ToArray(),
        };

    private static LocalRpcException ApplyFailed(string message, FirstBootApplyFailure failure) =>
        new(message) { ErrorCode = FirstBootErrorCodes.ApplyFailed, ErrorData = failure };
}
