using System.Globalization;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using PushGateway.Reliability.Measure;

namespace PushGateway.Reliability.Clients;

/// <summary>
/// A lean protocol-v1 client over ClientWebSocket. A healthy one follows the resume protocol: on any
/// close or failure it reconnects to another node (4001: at once with jitter; otherwise with
/// exponential backoff and jitter) and resubscribes each topic with "since" its last position,
/// counting every counter n per topic. Slow and stalled ones misbehave on purpose and never reconnect.
/// </summary>
internal sealed class ResumingClient
{
    /// <summary>Close code recorded when a connection ended without a close frame (reset, abort, node killed).</summary>
    public const int NoCloseFrame = 0;

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    // A misbehaving client must look slow to the server quickly: a tiny socket receive buffer makes the
    // server's queue, not the kernel, absorb what the client does not read.
    private static readonly HttpMessageInvoker SmallReceiveBuffer = new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    private readonly ClientFleet fleet;
    private readonly string[] topics;
    private readonly TopicTally[] tallies;
    private readonly Dictionary<string, int> topicIndex = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly TaskCompletionSource drain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object closeGate = new();
    private readonly Dictionary<int, int> closeCodes = [];
    private readonly bool[] acked;
    private int nodeIndex;
    private volatile int currentNode = -1;
    private volatile bool live;
    private int pendingAcks;
    private long lostAtMicros = -1;

    public ResumingClient(ClientFleet fleet, int id, ClientRole role, int firstNode, IReadOnlyList<string> topics)
    {
        this.fleet = fleet;
        Id = id;
        Role = role;
        nodeIndex = firstNode;
        this.topics = [.. topics];
        tallies = this.topics.Select(t => new TopicTally(t)).ToArray();
        for (var i = 0; i < this.topics.Length; i++) topicIndex[this.topics[i]] = i;
        acked = new bool[this.topics.Length];
    }

    public int Id { get; }

    public ClientRole Role { get; }

    public IReadOnlyList<TopicTally> Tallies => tallies;

    /// <summary>The node this client is connected to, or -1.</summary>
    public int CurrentNode => currentNode;

    /// <summary>Connected and every subscription acknowledged.</summary>
    public bool IsLive => live;

    public int Reconnects { get; private set; }

    public int ConnectFailures { get; private set; }

    public int SubscribeErrors { get; private set; }

    public string? LastConnectError { get; private set; }

    /// <summary>How many times each close code ended a connection (<see cref="NoCloseFrame"/>: no close frame).</summary>
    public Dictionary<int, int> CloseCodes
    {
        get
        {
            lock (closeGate) return new Dictionary<int, int>(closeCodes);
        }
    }

    /// <summary>Tells a slow or stalled client to read everything now, so its connection's end can be observed.</summary>
    public void Drain() => drain.TrySetResult();

    public async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var first = true;
        while (!stop.IsCancellationRequested)
        {
            var node = nodeIndex % fleet.Nodes.Count;
            using var socket = new ClientWebSocket();
            try
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stop);
                bounded.CancelAfter(ConnectTimeout);
                if (Role == ClientRole.Healthy) await socket.ConnectAsync(fleet.Nodes[node], bounded.Token).ConfigureAwait(false);
                else await socket.ConnectAsync(fleet.Nodes[node], SmallReceiveBuffer, bounded.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // Refused (node down), 503 (draining) or too slow: try another node after a backoff.
                ConnectFailures++;
                LastConnectError = ex.GetBaseException().Message;
                nodeIndex++;
                if (Role != ClientRole.Healthy) return;
                await DelayAsync(Backoff(failures++), stop).ConfigureAwait(false);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            currentNode = node;
            var code = NoCloseFrame;
            try
            {
                await SubscribeAllAsync(socket, first).ConfigureAwait(false);
                code = await ReceiveLoopAsync(socket, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                code = NoCloseFrame;
            }
            currentNode = -1;
            // A connection that became live resets the backoff: the next loss starts from the short delays again.
            if (live) failures = 0;
            live = false;
            if (stop.IsCancellationRequested) return;
            lock (closeGate) closeCodes[code] = closeCodes.GetValueOrDefault(code) + 1;
            if (Role != ClientRole.Healthy) return;
            Interlocked.Exchange(ref lostAtMicros, Clock.NowMicros);
            Reconnects++;
            first = false;
            nodeIndex++;
            // 4001 "draining": reconnect to another node at once, with jitter (docs/protocol.md); anything else backs off.
            var delay = code == 4001 ? TimeSpan.FromMilliseconds(Random.Shared.Next(0, 200)) : Backoff(failures++);
            await DelayAsync(delay, stop).ConfigureAwait(false);
        }
    }

    /// <summary>50 ms doubling to 1 s, with the upper half jittered so clients do not come back in step.</summary>
    private static TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(1000.0, 50.0 * Math.Pow(2, Math.Min(failures, 5)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SubscribeAllAsync(ClientWebSocket socket, bool first)
    {
        lock (acked)
        {
            Array.Clear(acked);
            pendingAcks = topics.Length;
        }
        for (var i = 0; i < topics.Length; i++)
        {
            // A resubscribe after a loss: whatever was published before this point can only come from history.
            if (!first) tallies[i].MarkRecovery(fleet.AckedSeq(topics[i]));
            await SendAsync(socket, SubscribeCommand(i)).ConfigureAwait(false);
        }
    }

    private string SubscribeCommand(int index)
    {
        var topic = topics[index];
        // The first subscribe asks for a snapshot (the publisher's seed, n = 0) to learn the epoch; later ones resume.
        var recover = tallies[index].Position is { } position
            ? string.Create(CultureInfo.InvariantCulture, $"\"since\":{{\"seq\":{position.Seq},\"epoch\":\"{position.Epoch}\"}}")
            : "\"snapshot\":true";
        return string.Create(CultureInfo.InvariantCulture, $"{{\"type\":\"subscribe\",\"id\":{index},\"topic\":\"{topic}\",{recover}}}");
    }

    private async Task SendAsync(ClientWebSocket socket, string json)
    {
        await sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, bounded.Token).ConfigureAwait(false);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Reads until the connection ends; returns the close code (or <see cref="NoCloseFrame"/>).</summary>
    private async Task<int> ReceiveLoopAsync(ClientWebSocket socket, CancellationToken stop)
    {
        if (Role == ClientRole.Stalled) await Task.WhenAny(drain.Task, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        var count = 0;
        while (true)
        {
            if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            var slow = Role == ClientRole.SlowReader && !drain.Task.IsCompleted;
            var room = slow ? Math.Min(buffer.Length - count, fleet.MessageBytes) : buffer.Length - count;
            var result = await socket.ReceiveAsync(buffer.AsMemory(count, room), stop).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await CloseQuietlyAsync(socket).ConfigureAwait(false);
                return (int?)socket.CloseStatus ?? NoCloseFrame;
            }
            count += result.Count;
            if (slow) await Task.WhenAny(drain.Task, Task.Delay(1000, stop)).ConfigureAwait(false);
            if (!result.EndOfMessage) continue;
            Process(socket, buffer.AsSpan(0, count));
            count = 0;
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The server is going away anyway.
        }
    }

    private void Process(ClientWebSocket socket, ReadOnlySpan<byte> frame)
    {
        while (frame.Length > 0)
        {
            var end = frame.IndexOf((byte)'\n');
            var line = end < 0 ? frame : frame[..end];
            frame = end < 0 ? [] : frame[(end + 1)..];
            if (ServerFrame.TryParse(line, out var parsed)) Handle(socket, parsed);
            else fleet.CountParseError();
            if (fleet.TraceClientId == Id) TraceLine(line);
        }
    }

    private void Handle(ClientWebSocket socket, in ServerFrame frame)
    {
        switch (frame.Type)
        {
            case "message" when frame.Topic is not null && topicIndex.TryGetValue(frame.Topic, out var index):
                if (tallies[index].OnMessage(frame.N, frame.Seq, frame.Epoch) && Role == ClientRole.Healthy && frame.SentMicros > 0)
                    fleet.Latency.RecordMicros(Clock.NowMicros - frame.SentMicros);
                break;
            case "gap" when frame.Topic is not null && topicIndex.TryGetValue(frame.Topic, out var index):
                tallies[index].OnGap(frame.Reason ?? "unknown", frame.Seq, frame.Epoch);
                break;
            case "ack" when frame.Id >= 0 && frame.Id < topics.Length:
                OnAck((int)frame.Id);
                break;
            case "error" when frame.Id >= 0 && frame.Id < topics.Length:
                // internal_error while the bus is away: the connection stays open, so retry the subscribe on it.
                SubscribeErrors++;
                _ = RetrySubscribeAsync(socket, (int)frame.Id);
                break;
        }
    }

    private void TraceLine(ReadOnlySpan<byte> line)
    {
        var text = Encoding.UTF8.GetString(line.Length > 240 ? line[..240] : line);
        lock (fleet.Trace!) fleet.Trace.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Clock.NowSeconds:F3} node{currentNode} {text}"));
    }

    private void OnAck(int index)
    {
        lock (acked)
        {
            if (acked[index]) return;
            acked[index] = true;
            if (--pendingAcks > 0) return;
        }
        live = true;
        var lostAt = Interlocked.Exchange(ref lostAtMicros, -1);
        if (lostAt >= 0) fleet.ReconnectTimes.AddMs((Clock.NowMicros - lostAt) / 1000.0);
    }

    private async Task RetrySubscribeAsync(ClientWebSocket socket, int index)
    {
        try
        {
            await Task.Delay(500).ConfigureAwait(false);
            if (socket.State == WebSocketState.Open) await SendAsync(socket, SubscribeCommand(index)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection ended; the reconnect resubscribes everything.
        }
    }
}
