using System.CommandLine;

namespace GuestAgentKit.Cli;

/// <summary>
/// Runs a command tree with the conventions all GuestAgentKit tools share: usage errors go to stderr
/// prefixed with the tool name and exit with <see cref="ExitCodes.Usage"/>; a <see cref="CliException"/>
/// from an action is a clear one-line failure with <see cref="ExitCodes.Failure"/>, never a stack trace.
/// </summary>
public static class CliRunner
{
    /// <summary>Parses and invokes.</summary>
    /// <param name="tool">The tool name used in messages, e.g. "gak-host".</param>
    /// <param name="root">The command tree.</param>
    /// <param name="args">The process arguments.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string tool, RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        var result = root.Parse(args);
        if (result.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync($"{tool}: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"Try '{tool} --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"{tool}: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{tool}: interrupted").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }
}
