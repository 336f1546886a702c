using System.Diagnostics;

namespace GuestAgentKit.Samples.Clipboard.Guest;

/// <summary>
/// One clipboard command line (an absolute executable plus arguments) and how to run it: every run is
/// bounded in time (<see cref="ClipboardLimits.ToolTimeout"/>) and in output size.
/// </summary>
/// <param name="Executable">Absolute path, found on PATH once by <see cref="ClipboardFactory"/>.</param>
/// <param name="Arguments">Arguments, passed without a shell.</param>
/// <param name="Environment">Variables the tool needs (DISPLAY, WAYLAND_DISPLAY, XDG_RUNTIME_DIR).</param>
internal sealed record ClipboardTool(string Executable, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    private string Name => Path.GetFileName(Executable);

    /// <summary>Runs the tool and returns its standard output, refusing more than the text limit.</summary>
    public async Task<byte[]> ReadAsync(CancellationToken cancellationToken)
    {
        using var process = Start(redirectOutput: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ClipboardLimits.ToolTimeout);
        try
        {
            process.StandardInput.Close();
            var errors = ReadBoundedAsync(process.StandardError.BaseStream, ClipboardLimits.MaxToolErrorBytes, timeout.Token);
            var output = await ReadBoundedAsync(process.StandardOutput.BaseStream, ClipboardLimits.MaxTextBytes, timeout.Token).ConfigureAwait(false);
            if (output.Length > ClipboardLimits.MaxTextBytes)
            {
                throw new ClipboardTooLargeException(output.Length, atLeast: true);
            }

            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var errorText = System.Text.Encoding.UTF8.GetString(await errors.ConfigureAwait(false));
            return process.ExitCode == 0 ? output : throw Failed(process.ExitCode, errorText);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ClipboardException($"{Name} did not finish within {ClipboardLimits.ToolTimeout.TotalSeconds} s");
        }
        finally
        {
            KillIfRunning(process);
        }
    }

    /// <summary>Runs the tool with <paramref name="input"/> on standard input.</summary>
    /// <remarks>
    /// Standard output and error are NOT captured: wl-copy and xclip -i fork a child that keeps serving
    /// the selection after the command exits, and that child inherits them; a pipe would never reach EOF,
    /// and closing it under the child could kill it with SIGPIPE.
    /// </remarks>
    public async Task WriteAsync(byte[] input, CancellationToken cancellationToken)
    {
        using var process = Start(redirectOutput: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ClipboardLimits.ToolTimeout);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw Failed(process.ExitCode, "");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            KillIfRunning(process);
            throw new ClipboardException($"{Name} did not finish within {ClipboardLimits.ToolTimeout.TotalSeconds} s");
        }
        catch (IOException e)
        {
            KillIfRunning(process);
            throw new ClipboardException($"{Name} stopped reading its input: {e.Message}", e);
        }
    }

    private Process Start(bool redirectOutput)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = redirectOutput,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        try
        {
            return Process.Start(start) ?? throw new ClipboardException($"{Name} could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ClipboardException($"{Name} could not be started: {e.Message}", e);
        }
    }

    private ClipboardException Failed(int exitCode, string errorText)
    {
        var firstLine = errorText.Split('\n', 2)[0].Trim();
        var shown = firstLine.Length <= 200 ? firstLine : firstLine[..200] + "...";
        return new ClipboardException(shown.Length == 0 ? $"{Name} exited with code {exitCode}" : $"{Name} exited with code {exitCode}: {shown}");
    }

    /// <summary>Reads to EOF or to <paramref name="limit"/> + 1 bytes, whichever comes first (the +1 tells "over").</summary>
    private static async Task<byte[]> ReadBoundedAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length <= limit)
        {
            var read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }
}
