using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LoadGen.Publishing;

/// <summary>
/// Runs bench/socketio/publisher.mjs (the real @socket.io/redis-emitter) for each group of phases,
/// telling it the phases' rates, first index and wall-clock start, so it follows the same schedule.
/// </summary>
public sealed class NodeEmitterPublisher(string socketIoDir, string redis, int topics, string topicPrefix, int payloadBytes) : IPublisher
{
    public async Task<PublishResult> PublishAsync(IReadOnlyList<Phase> phases, long startMicros, CancellationToken ct)
    {
        var spec = string.Join(',', phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Rate}:{p.Seconds}")));
        var psi = new ProcessStartInfo("node")
        {
            WorkingDirectory = socketIoDir,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "publisher.mjs", "--redis", redis, "--topics", topics.ToString(CultureInfo.InvariantCulture),
            "--topic-prefix", topicPrefix, "--payload-bytes", payloadBytes.ToString(CultureInfo.InvariantCulture),
            "--phases", spec, "--first-index", phases[0].FirstIndex.ToString(CultureInfo.InvariantCulture),
            "--start-at-us", startMicros.ToString(CultureInfo.InvariantCulture),
        }) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var output = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"publisher.mjs exited with {process.ExitCode}");
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var doc = JsonDocument.Parse(last);
        return new PublishResult
        {
            Published = doc.RootElement.GetProperty("published").GetInt64(),
            PublishedPerPhase = phases.Select(p => p.Count).ToList(), // publisher.mjs always publishes every planned message
            MaxLagMs = doc.RootElement.GetProperty("maxLagMs").GetDouble(),
        };
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
