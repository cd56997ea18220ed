using System.Globalization;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Connections;

namespace PushGateway.Lifecycle;

/// <summary>
/// The graceful drain on SIGTERM. It runs in StoppingAsync, which the host calls before any hosted
/// service's StopAsync, so Kestrel is still serving: the node turns not ready, refuses new WebSockets
/// with 503 and Retry-After, and tells its clients to reconnect elsewhere (4001 "draining") one by one
/// on a <see cref="DrainSchedule"/> spread over Gateway:DrainGracePeriod. Each close flushes what the
/// client was already sent. The host's ShutdownTimeout is raised to cover the drain (LifecycleServices).
/// </summary>
internal sealed partial class DrainCoordinator(
    ConnectionRegistry registry,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<DrainCoordinator> logger) : IHostedLifecycleService
{
    /// <summary>
    /// The registry raises no event when it empties, so waits re-check it this often: a drain whose
    /// clients all left early (or a node with few clients in a test) ends within this much.
    /// </summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private readonly object gate = new();
    private volatile bool draining;
    private Task? run;

    /// <summary>True from the first moment of the drain: readiness fails and new connections are refused.</summary>
    public bool IsDraining => draining;

    /// <summary>Starts the drain once; later calls (the host's stop after a manual drain) get the same task.</summary>
    public Task DrainAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (run is not null) return run;
            // Set before the snapshot: a connection either sees the flag and is refused, or is in the
            // registry by the time the drain's last sweep looks.
            draining = true;
            run = RunAsync(cancellationToken);
            return run;
        }
    }

    /// <summary>The answer to a WebSocket handshake during the drain; the load balancer or client tries another node.</summary>
    public static Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        // Jittered, like the closes, so refused clients do not come back in step.
        context.Response.Headers.RetryAfter = Random.Shared.Next(1, 6).ToString(CultureInfo.InvariantCulture);
        return context.Response.WriteAsync("draining: this node is shutting down; connect to another node\n");
    }

    Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken) => DrainAsync(cancellationToken);

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Closes <paramref name="targets"/>[i] once <paramref name="offsets"/>[i] has passed since the call,
    /// in order, and returns early once <paramref name="allGone"/> holds. Time comes only from
    /// <paramref name="time"/>, so a test drives the schedule without sleeping.
    /// </summary>
    internal static async Task CloseOnScheduleAsync<T>(
        IReadOnlyList<T> targets,
        IReadOnlyList<TimeSpan> offsets,
        Action<T> close,
        Func<bool> allGone,
        TimeProvider time,
        TimeSpan pollInterval,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var i = 0; i < targets.Count; i++)
        {
            while (true)
            {
                if (allGone()) return;
                var wait = offsets[i] - time.GetElapsedTime(started);
                if (wait <= TimeSpan.Zero) break;
                await Task.Delay(wait < pollInterval ? wait : pollInterval, time, cancellationToken).ConfigureAwait(false);
            }
            close(targets[i]);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var connections = registry.Snapshot().ToArray();
        var offsets = DrainSchedule.Spread(connections.Length, settings.DrainGracePeriod, Random.Shared);
        var started = time.GetTimestamp();
        LogDrainStarted(logger, connections.Length, settings.DrainGracePeriod);
        try
        {
            await CloseOnScheduleAsync(connections, offsets, CloseForDrain, () => registry.Count == 0, time, PollInterval, cancellationToken)
                .ConfigureAwait(false);
            foreach (var late in registry.Snapshot()) CloseForDrain(late);
            // A close completes its handshake or aborts the socket within CloseTimeout (ClientConnection.Close).
            await WaitForEmptyRegistryAsync(settings.CloseTimeout + PollInterval, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ran out first: whoever is left goes now.
            foreach (var remaining in registry.Snapshot()) CloseForDrain(remaining);
        }
        LogDrainFinished(logger, connections.Length, registry.Count, time.GetElapsedTime(started));
    }

    private static void CloseForDrain(ClientConnection connection) => connection.Close(CloseReason.Draining, flush: true);

    private async Task WaitForEmptyRegistryAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (registry.Count > 0 && time.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining: closing {Connections} connections with 4001 over {GracePeriod}")]
    private static partial void LogDrainStarted(ILogger logger, int connections, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Information, Message = "Drain finished: {Connections} connections told to leave, {Remaining} still open, after {Elapsed}")]
    private static partial void LogDrainFinished(ILogger logger, int connections, int remaining, TimeSpan elapsed);
}
