using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using PushGateway.Reliability.Measure;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Redis;

namespace PushGateway.Reliability.Load;

/// <summary>
/// Publishes through the sequenced path (FCALL pushgw_publish) at a steady rate, one loop and one
/// connection per topic with one command in flight, so per-topic order is strict and a dead
/// connection leaves at most one message unsettled. Each payload carries its topic's counter n
/// (and the send time t, in µs of <see cref="Clock"/>): clients count loss and duplicates exactly.
/// An unsettled publish is settled after the next one succeeds, by reading the history stream
/// between the two confirmed seqs: on one connection commands run in order, so by then it either
/// ran or never will.
/// </summary>
internal sealed class CountingPublisher
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private readonly RedisNode redis;
    private readonly string library;
    private readonly Dictionary<string, TopicSpec> specs;
    private readonly List<Task> loops = [];
    private CancellationTokenSource? stopping;
    private long failures;

    public CountingPublisher(RedisNode redis, string library, IReadOnlyList<TopicSpec> topics)
    {
        this.redis = redis;
        this.library = library;
        specs = topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
        Ledgers = topics.ToDictionary(t => t.Topic, t => new TopicLedger(t.Topic), StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, TopicLedger> Ledgers { get; }

    /// <summary>Publish attempts that failed (Redis down, connection dropped, error reply).</summary>
    public long Failures => Interlocked.Read(ref failures);

    public long PublishedCount => Ledgers.Values.Sum(l => l.PublishedCount);

    /// <summary>Publishes n = 0 on every topic and waits for each: clients subscribe with a snapshot and start from there.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await RespConnection.ConnectAsync(redis.Port, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        foreach (var ledger in Ledgers.Values)
        {
            var reply = await PublishAsync(connection, ledger.Topic, 0, cancellationToken).ConfigureAwait(false);
            if (reply.IsError) throw new InvalidOperationException($"seeding {ledger.Topic}: {reply.Text}");
            ledger.Seeded(reply.Integer);
        }
    }

    public void Start()
    {
        stopping = new CancellationTokenSource();
        foreach (var ledger in Ledgers.Values)
        {
            var interval = TimeSpan.FromSeconds(1 / specs[ledger.Topic].RatePerSecond);
            loops.Add(Task.Run(() => RunTopicAsync(ledger, interval, stopping.Token)));
        }
    }

    /// <summary>Stops publishing; each loop finishes its command in flight and settles what is left.</summary>
    public async Task StopAsync()
    {
        stopping?.Cancel();
        await Task.WhenAll(loops).ConfigureAwait(false);
        loops.Clear();
    }

    public Dictionary<string, long> AckedSeqs() => Ledgers.Values.ToDictionary(l => l.Topic, l => l.AckedSeq, StringComparer.Ordinal);

    private async Task RunTopicAsync(TopicLedger ledger, TimeSpan interval, CancellationToken stop)
    {
        // Commands are not cancelled by the stop: a publish that was sent must end with a known outcome.
        var commands = CancellationToken.None;
        using var timer = new PeriodicTimer(interval);
        RespConnection? connection = null;
        var lastGoodSeq = ledger.AckedSeq;
        var unsettled = new List<long>();
        try
        {
            while (await NextTickAsync(timer, stop).ConfigureAwait(false))
            {
                connection ??= await TryConnectAsync(commands).ConfigureAwait(false);
                if (connection is null) continue;
                var n = ledger.Reserve();
                try
                {
                    var reply = await PublishAsync(connection, ledger.Topic, n, commands).ConfigureAwait(false);
                    if (reply.IsError)
                    {
                        // Only "Function not found" provably did nothing; any other error is settled from history like a lost reply.
                        Interlocked.Increment(ref failures);
                        MarkUnsettled(ledger, unsettled, n);
                        continue;
                    }
                    var seq = reply.Integer;
                    if (unsettled.Count > 0) await SettleAsync(connection, ledger, unsettled, lastGoodSeq, seq - 1, commands).ConfigureAwait(false);
                    ledger.Published(n, seq);
                    lastGoodSeq = seq;
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    MarkUnsettled(ledger, unsettled, n);
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }
            }
            await SettleRemainingAsync(ledger, unsettled, lastGoodSeq).ConfigureAwait(false);
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void MarkUnsettled(TopicLedger ledger, List<long> unsettled, long n)
    {
        ledger.Unsettled(n);
        unsettled.Add(n);
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<RespConnection?> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RespConnection.ConnectAsync(redis.Port, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            Interlocked.Increment(ref failures);
            return null;
        }
    }

    private async Task<RespValue> PublishAsync(RespConnection connection, string topic, long n, CancellationToken cancellationToken)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{n},\"t\":{Clock.NowMicros}{specs[topic].Padding}}}");
        var reply = await connection.CommandAsync(CommandTimeout, cancellationToken, "FCALL", "pushgw_publish", "1", topic, payload).ConfigureAwait(false);
        if (reply.IsError && reply.Text!.Contains("Function not found", StringComparison.OrdinalIgnoreCase))
        {
            // A Redis that lost its data (or a fresh one) has no library until a node reloads it; the publisher may do it itself.
            await connection.CommandAsync(CommandTimeout, cancellationToken, "FUNCTION", "LOAD", "REPLACE", library).ConfigureAwait(false);
            reply = await connection.CommandAsync(CommandTimeout, cancellationToken, "FCALL", "pushgw_publish", "1", topic, payload).ConfigureAwait(false);
        }
        return reply;
    }

    /// <summary>After the loop: settles what is still unsettled against the stream's tail, retrying while Redis is away (bounded).</summary>
    private async Task SettleRemainingAsync(TopicLedger ledger, List<long> unsettled, long lastGoodSeq)
    {
        var deadline = Clock.NowSeconds + 20;
        while (unsettled.Count > 0)
        {
            try
            {
                await using var connection = await RespConnection.ConnectAsync(redis.Port, TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
                var meta = await connection.CommandAsync(CommandTimeout, CancellationToken.None, "HGET", "{pushgw}:meta:" + ledger.Topic, "seq").ConfigureAwait(false);
                var last = long.TryParse(meta.AsString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq) ? seq : 0;
                await SettleAsync(connection, ledger, unsettled, lastGoodSeq, last, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                if (Clock.NowSeconds > deadline)
                {
                    foreach (var n in unsettled) ledger.GiveUp(n);
                    return;
                }
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reads history entries (afterSeq, uptoSeq] and decides each unsettled n: written (with its seq) or not.</summary>
    private static async Task SettleAsync(RespConnection connection, TopicLedger ledger, List<long> unsettled, long afterSeq, long uptoSeq, CancellationToken cancellationToken)
    {
        if (uptoSeq < afterSeq)
        {
            // The topic's history restarted under us (Redis lost its data): what was in flight cannot be settled.
            foreach (var n in unsettled) ledger.GiveUp(n);
            unsettled.Clear();
            return;
        }
        var found = new Dictionary<long, long>();
        if (uptoSeq > afterSeq)
        {
            var reply = await connection.CommandAsync(CommandTimeout, cancellationToken, "XRANGE", "{pushgw}:hist:" + ledger.Topic,
                (afterSeq + 1).ToString(CultureInfo.InvariantCulture) + "-0", uptoSeq.ToString(CultureInfo.InvariantCulture) + "-0").ConfigureAwait(false);
            if (reply.IsError) throw new IOException("XRANGE: " + reply.Text);
            foreach (var entry in reply.Items!)
            {
                var id = entry.Items![0].AsString()!;
                var seq = long.Parse(id[..id.IndexOf('-', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                var fields = entry.Items[1].Items!;
                for (var i = 0; i + 1 < fields.Length; i += 2)
                {
                    if (fields[i].AsString() == "d") found[CounterOf(fields[i + 1].Bulk!)] = seq;
                }
            }
        }
        foreach (var n in unsettled)
        {
            if (found.Remove(n, out var seq)) ledger.Published(n, seq);
            else ledger.NotPublished(n);
        }
        // Anything else between two confirmed seqs was not sent by this loop.
        for (var i = 0; i < found.Count; i++) ledger.Anomaly();
        unsettled.Clear();
    }

    private static long CounterOf(byte[] payload)
    {
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.GetProperty("n").GetInt64();
    }
}
