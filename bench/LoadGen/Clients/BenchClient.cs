using System.Net;
using System.Net.Sockets;
using LoadGen.Measurement;
using LoadGen.WebSockets;

namespace LoadGen.Clients;

/// <summary>One load-generator connection: its socket, its session protocol and its subscriptions.</summary>
public sealed class BenchClient(ClientPool pool, int globalIndex, Uri url, IPAddress source, SubscriptionTracker[] subscriptions)
{
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RawWebSocket? _socket;
    private Task _receive = Task.CompletedTask;
    private volatile bool _stopping;
    private long _frameNow;
    private int _frameMessages;
    private int _framePhase;

    public ClientPool Pool { get; } = pool;
    public int GlobalIndex { get; } = globalIndex;
    public SubscriptionTracker[] Subscriptions { get; } = subscriptions;
    public ClientSession Session { get; set; } = null!;
    public bool Connected { get; private set; }

    /// <summary>Connects (retrying refused or reset connects), opens the session and waits until every subscribe was answered.</summary>
    public async Task<bool> StartAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                // Blocking (see RawWebSocket.Connect), so on a pool thread; ClientPool raises the pool's minimum to match.
                var path = Session.PathAndQuery(url);
                _socket = await Task.Run(() => RawWebSocket.Connect(url, path, source, Session.SubProtocol, 4096, timeout), cts.Token);
                break;
            }
            catch (Exception e) when (e is SocketException or IOException && attempt < 3 && !cts.IsCancellationRequested)
            {
                Pool.CountRetry();
                await Task.Delay(250 * (attempt + 1), cts.Token);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                Pool.CountConnectError(e.Message);
                return false;
            }
        }
        Connected = true;
        Session.Open(_socket);
        _receive = ReceiveAsync(_socket);
        if (Subscriptions.Length == 0) MarkSubscribed();
        try
        {
            await _subscribed.Task.WaitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            Pool.CountConnectError("timed out waiting for subscription acks");
            return true; // connected all the same; unanswered subscriptions count as failed
        }
    }

    private async Task ReceiveAsync(RawWebSocket socket)
    {
        var error = await socket.StartReceiving(Session, EpollReceiver.Next());
        if (!_stopping) Pool.CountDisconnect(socket.CloseStatus, error);
    }

    public void MarkSubscribed() => _subscribed.TrySetResult();

    public void BeginFrame()
    {
        _frameNow = WallClock.NowMicros;
        _frameMessages = 0;
        _framePhase = -1;
    }

    public void Deliver(ReadOnlySpan<byte> topic, long seq, long scheduledMicros)
    {
        _frameMessages++;
        foreach (var sub in Subscriptions)
        {
            if (!topic.SequenceEqual(sub.TopicUtf8)) continue;
            var phase = Pool.Record(sub, seq, scheduledMicros, _frameNow);
            if (_framePhase < 0) _framePhase = phase;
            return;
        }
        Pool.CountUnmatched();
    }

    public void EndFrame()
    {
        if (_frameMessages > 0) Pool.CountFrame(_framePhase, _frameMessages);
    }

    public long FramesReceived => _socket?.FramesReceived ?? 0;

    public async Task StopAsync()
    {
        _stopping = true;
        if (_socket is null) return;
        _socket.TrySendClose(1000);
        await Task.WhenAny(_receive, Task.Delay(2000));
        _socket.Dispose();
    }
}
