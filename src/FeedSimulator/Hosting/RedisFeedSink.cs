using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace FeedSimulator.Hosting;

/// <summary>
/// Publishes ticks through the gateway's sequenced publish path (FCALL pushgw_publish: numbered, kept in
/// history, then PUBLISHed on channel prefix + topic), or with a plain PUBLISH when Redis:Sequenced is false. Publishes are pipelined: the call returns once the
/// command is queued, and only waits when <see cref="RedisSinkOptions.MaxPendingPublishes"/> are unanswered,
/// because awaiting each round trip would cap the feed at one tick per round trip.
/// </summary>
internal sealed partial class RedisFeedSink : IFeedSink, IAsyncDisposable
{
    private readonly RedisSinkOptions options;
    private readonly PublishCounters counters;
    private readonly ILogger<RedisFeedSink> logger;
    private readonly SemaphoreSlim window;
    private readonly ConcurrentDictionary<string, RedisChannel> channels = new(StringComparer.Ordinal);
    private readonly Action<Task> onCompleted;
    private ConnectionMultiplexer? multiplexer;
    private ISubscriber? subscriber;
    private IDatabase? database;
    private int loadingFunctions;
    private int pending;
    private int failing;
    private TaskCompletionSource? drained;

    public RedisFeedSink(RedisSinkOptions options, PublishCounters counters, ILogger<RedisFeedSink> logger)
    {
        this.options = options;
        this.counters = counters;
        this.logger = logger;
        window = new SemaphoreSlim(options.MaxPendingPublishes, options.MaxPendingPublishes);
        onCompleted = OnCompleted;
    }

    /// <summary>Connects without failing when Redis is down: the client keeps retrying and publishes count as failed meanwhile.</summary>
    public async Task ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        // A publisher has no use for the client's master-change broadcast channel.
        configuration.ConfigurationChannel = "";
        configuration.ClientName ??= "feedsim-" + Environment.MachineName;
        multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(logger, e.EndPoint?.ToString(), e.FailureType.ToString());
        multiplexer.ConnectionRestored += (_, e) =>
        {
            LogConnectionRestored(logger, e.EndPoint?.ToString());
            // A restarted Redis without persistence has lost the function library.
            if (e.ConnectionType == ConnectionType.Interactive) _ = LoadFunctionsAsync();
        };
        subscriber = multiplexer.GetSubscriber();
        database = multiplexer.GetDatabase();
        if (multiplexer.IsConnected) await LoadFunctionsAsync().ConfigureAwait(false);
        if (multiplexer.IsConnected) LogConnected(logger, options.ConnectionString!);
        else LogUnavailable(logger, options.ConnectionString!);
    }

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        if (subscriber is null) throw new InvalidOperationException("ConnectAsync must complete before publishing.");
        if (window.Wait(0))
        {
            Send(topic, utf8Json);
            return ValueTask.CompletedTask;
        }
        return WaitAndSendAsync(topic, utf8Json, cancellationToken);
    }

    /// <summary>Waits until Redis has answered every publish sent, or the timeout passes. False on timeout.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref drained, signal);
        if (Volatile.Read(ref pending) == 0) signal.TrySetResult();
        try
        {
            await signal.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (multiplexer is not null) await multiplexer.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
        multiplexer?.Dispose();
        window.Dispose();
    }

    private async ValueTask WaitAndSendAsync(string topic, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        await window.WaitAsync(cancellationToken).ConfigureAwait(false);
        Send(topic, utf8Json);
    }

    private void Send(string topic, ReadOnlyMemory<byte> utf8Json)
    {
        Interlocked.Increment(ref pending);
        Task publish;
        try
        {
            publish = options.Sequenced
                ? database!.ExecuteAsync("FCALL", "pushgw_publish", 1, topic, ToArray(utf8Json), options.ChannelPrefix)
                : subscriber!.PublishAsync(Channel(topic), ToArray(utf8Json));
        }
        catch (Exception ex)
        {
            // 1.2.6 throws synchronously for some failures (no connection) instead of faulting the task.
            OnCompleted(Task.FromException(ex));
            return;
        }
        publish.ContinueWith(onCompleted, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnCompleted(Task publish)
    {
        if (publish.Exception?.GetBaseException() is RedisServerException notLoaded
            && notLoaded.Message.Contains("Function not found", StringComparison.OrdinalIgnoreCase))
        {
            _ = LoadFunctionsAsync();
        }
        window.Release();
        if (publish.IsCompletedSuccessfully)
        {
            counters.OnPublished();
            if (Volatile.Read(ref failing) == 1 && Interlocked.Exchange(ref failing, 0) == 1) LogPublishRecovered(logger);
        }
        else
        {
            counters.OnFailed();
            // Log the first failure of a run of failures only: at thousands a second anything more is noise.
            if (Interlocked.Exchange(ref failing, 1) == 0) LogPublishFailing(logger, publish.Exception?.GetBaseException());
        }
        if (Interlocked.Decrement(ref pending) == 0) Volatile.Read(ref drained)?.TrySetResult();
    }

    /// <summary>Loads the gateway's function library (linked from src/PushGateway/Bus/pushgw.lua), so the simulator may start before any node.</summary>
    private async Task LoadFunctionsAsync()
    {
        if (!options.Sequenced || Interlocked.Exchange(ref loadingFunctions, 1) == 1) return;
        try
        {
            using var stream = typeof(RedisFeedSink).Assembly.GetManifestResourceStream("pushgw.lua")!;
            using var reader = new StreamReader(stream);
            await database!.ExecuteAsync("FUNCTION", "LOAD", "REPLACE", await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFunctionLoadFailed(logger, ex);
        }
        finally
        {
            Volatile.Write(ref loadingFunctions, 0);
        }
    }

    private RedisChannel Channel(string topic) =>
        channels.GetOrAdd(topic, static (t, prefix) => new RedisChannel(prefix + t, RedisChannel.PatternMode.Literal), options.ChannelPrefix);

    /// <summary>Ticks own their payload array, so it is sent as is rather than copied.</summary>
    private static byte[] ToArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
