using System.Text.Json;
using GuestAgentKit.Samples.FirstBoot.Guest;

namespace GuestAgentKit.Samples.FirstBoot.Plugin;

/// <summary>
/// The first-boot plugin's JSON-RPC surface, served under the prefix <see cref="FirstBootMethods.Prefix"/>:
/// <c>config.apply</c> and <c>config.validate</c>. The config arrives as raw JSON so the plugin parses it
/// strictly itself (unknown members and misplaced nulls are field errors, see <see cref="FirstBootConfigReader"/>)
/// instead of through the channel's shared, lenient serializer options.
/// </summary>
public interface IFirstBootService
{
    /// <summary>
    /// Validates and applies <paramref name="config"/> (a <see cref="FirstBootConfig"/> as JSON), all or
    /// nothing. Errors: <see cref="FirstBootErrorCodes.InvalidParams"/> naming every bad field (nothing
    /// written), <see cref="FirstBootErrorCodes.ApplyFailed"/> for a file system failure (rolled back).
    /// </summary>
    /// <param name="config">The VM's configuration.</param>
    /// <param name="cancellationToken">Cancels waiting for an apply already in progress.</param>
    /// <returns>Every managed file and whether it was created, updated or left unchanged.</returns>
    Task<FirstBootApplyResult> ApplyAsync(JsonElement config, CancellationToken cancellationToken);

    /// <summary>Validates <paramref name="config"/> against this guest (its users) without writing anything.</summary>
    /// <param name="config">The VM's configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Every invalid field; empty when the config would be accepted.</returns>
    Task<FirstBootFieldError[]> ValidateAsync(JsonElement config, CancellationToken cancellationToken);
}
