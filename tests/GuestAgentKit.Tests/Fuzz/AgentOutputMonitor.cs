using System.Collections.Concurrent;
using System.Text.Json;

namespace GuestAgentKit.Tests.Fuzz;

/// <summary>
/// dom0's side of a fuzzed agent: reads everything the agent writes (so it never blocks), checks every
/// line is JSON without exception details, and lets the test wait for a welcome (by nonce) or a
/// result (by id) to prove the agent still serves.
/// </summary>
internal sealed class AgentOutputMonitor
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _awaited = new();
    private readonly Stream _stream;

    public AgentOutputMonitor(Stream stream)
    {
        _stream = stream;
        Completion = ReadLoopAsync();
    }

    public Task Completion { get; }

    public long Lines { get; private set; }

    public long Errors { get; private set; }

    /// <summary>Lines that were not JSON, or errors carrying <c>data</c> or a stack trace.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Call before sending what provokes the line: only awaited keys are kept.</summary>
    public Task<JsonElement> Expect(string key) =>
        _awaited.GetOrAdd(key, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private async Task ReadLoopAsync()
    {
        await Task.Yield();
        var buffer = new byte[64 * 1024];
        var line = new List<byte>();
        while (true)
        {
            var read = await _stream.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b != '\n')
                {
                    line.Add(b);
                    continue;
                }

                Inspect([.. line]);
                line.Clear();
            }
        }
    }

    private void Inspect(byte[] line)
    {
        Lines++;
        var handshake = line.Length > 0 && line[0] == HostileLines.Marker;
        try
        {
            using var document = JsonDocument.Parse(handshake ? line.AsMemory(1) : line);
            var root = document.RootElement;
            if (handshake)
            {
                Complete("nonce:" + root.GetProperty("nonce").GetString(), root);
                return;
            }

            if (root.TryGetProperty("error", out var error))
            {
                Errors++;
                var message = error.GetProperty("message").GetString() ?? string.Empty;
                if (error.TryGetProperty("data", out _) || message.Contains("   at ", StringComparison.Ordinal))
                {
                    Violations.Enqueue("error with exception details: " + root.GetRawText());
                }
            }

            if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var number))
            {
                Complete("id:" + number, root);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Violations.Enqueue($"not a protocol line ({e.Message}): " + System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]));
        }
    }

    private void Complete(string key, JsonElement value)
    {
        if (_awaited.TryRemove(key, out var awaiting))
        {
            awaiting.TrySetResult(value.Clone());
        }
    }
}
