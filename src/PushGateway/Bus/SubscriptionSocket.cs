using System.Net.Sockets;
using System.Text;

namespace PushGateway.Bus;

/// <summary>
/// The node's own Redis subscription connection (Redis:Subscriber "socket"): one socket, read with
/// blocking receives on a thread of its own that parses each push and calls the bus back on that
/// thread. StackExchange.Redis 1.2.6 spends about 100 us and 9 context switches per message between
/// its socket and a handler (docs/benchmarks.md, 2026-12-07); this spends one wake-up. A
/// subscription counts as made when Redis confirms it on the current connection, and every
/// connection, first or after a drop, subscribes everything wanted.
/// </summary>
internal sealed partial class SubscriptionSocket : IDisposable
{
    /// <summary>Called on the reader thread: <paramref name="pattern"/> is null for a plain channel's message.</summary>
    public delegate void PushHandler(string channel, string? pattern, byte[] payload);

    private readonly Endpoint endpoint;
    private readonly TimeSpan reconnectInterval;
    private readonly PushHandler onPush;
    private readonly Action<bool> onConnectionChanged;
    private readonly ILogger logger;
    private readonly object gate = new();
    private readonly Dictionary<string, Wanted> wanted = new(StringComparer.Ordinal);
    // Redis answers a connection's commands in order, so each reply (or error) is the oldest one's.
    private readonly Queue<Sent> sent = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly AutoResetEvent reconnectNow = new(false);
    private readonly Thread reader;
    private Socket? socket;
    private int generation;
    private int failuresInARow;
    private int disposed;

    public SubscriptionSocket(Endpoint endpoint, TimeSpan reconnectInterval, PushHandler onPush, Action<bool> onConnectionChanged, ILogger logger)
    {
        this.endpoint = endpoint;
        this.reconnectInterval = reconnectInterval;
        this.onPush = onPush;
        this.onConnectionChanged = onConnectionChanged;
        this.logger = logger;
        reader = new Thread(Run) { IsBackground = true, Name = "redis subscription reader" };
    }

    /// <summary>Where and as whom to connect; the parts of a connection string this connection supports.</summary>
    public sealed record Endpoint(string Host, int Port, string? Password, string ClientName, TimeSpan ConnectTimeout);

    /// <summary>Whether a connection is open; not whether it delivers (the bus's watchdog proves that).</summary>
    public bool IsConnected
    {
        get
        {
            lock (gate) return socket is not null;
        }
    }

    /// <summary>Connections opened so far: a new one after a drop or a <see cref="Reconnect"/>.</summary>
    public int Generation
    {
        get
        {
            lock (gate) return generation;
        }
    }

    public void Start() => reader.Start();

    /// <summary>Completes when Redis confirms the subscription (on this connection or, while down, the next).</summary>
    public Task SubscribeAsync(string name, bool isPattern)
    {
        lock (gate)
        {
            if (!wanted.TryGetValue(name, out var entry))
            {
                entry = new Wanted(isPattern);
                wanted.Add(name, entry);
                Send(new Sent(SentKind.Subscribe, name), entry.SubscribeCommand(name));
            }
            return entry.Confirmed.Task;
        }
    }

    public void Unsubscribe(string name)
    {
        lock (gate)
        {
            if (!wanted.Remove(name, out var entry)) return;
            entry.Confirmed.TrySetCanceled();
            Send(new Sent(SentKind.Unsubscribe, name), entry.UnsubscribeCommand(name));
        }
    }

    /// <summary>
    /// Redis has forgotten this connection's subscriptions while it stayed open: issue them all again.
    /// Returns when Redis has confirmed every one (or faults with the connection).
    /// </summary>
    public Task ResubscribeAllAsync()
    {
        lock (gate)
        {
            if (socket is null) return Task.CompletedTask; // the next connection subscribes everything anyway
            using var commands = new MemoryStream();
            var pending = WriteSubscribeAll(commands);
            TrySend(socket, commands.ToArray());
            return Task.WhenAll(pending);
        }
    }

    /// <summary>The connection delivers nothing although it is open: close it, and open a new one at once.</summary>
    public void Reconnect()
    {
        if (stopping.IsCancellationRequested) return;
        lock (gate)
        {
            reconnectNow.Set();
            Close(socket);
        }
    }

    /// <summary>For tests: tells Redis to drop every subscription of this connection while this side still counts them.</summary>
    internal void ForgetOnRedisOnly(string? name = null)
    {
        lock (gate)
        {
            if (name is null)
            {
                Send(new Sent(SentKind.UnsubscribeAll, null), RespReader.Command("UNSUBSCRIBE"));
                Send(new Sent(SentKind.UnsubscribeAll, null), RespReader.Command("PUNSUBSCRIBE"));
            }
            else if (wanted.TryGetValue(name, out var entry)) Send(new Sent(SentKind.Unsubscribe, name), entry.UnsubscribeCommand(name));
            else throw new ArgumentException($"'{name}' is not subscribed", nameof(name));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        stopping.Cancel();
        lock (gate) Close(socket);
        reconnectNow.Set();
        if (reader.IsAlive && !reader.Join(TimeSpan.FromSeconds(5))) LogReaderDidNotStop(logger);
        else reconnectNow.Dispose();
        lock (gate)
        {
            foreach (var entry in wanted.Values) entry.Confirmed.TrySetCanceled();
        }
    }

    private void Run()
    {
        BusThread.MarkCurrent();
        while (!stopping.IsCancellationRequested)
        {
            Socket? opened = null;
            try
            {
                opened = Open();
                int opening;
                lock (gate)
                {
                    // Everything wanted goes in the same write as the handshake, under the lock, so a
                    // subscription added meanwhile is either in this batch or sent by its caller after.
                    using var commands = new MemoryStream();
                    sent.Clear();
                    if (endpoint.Password is { Length: > 0 } password)
                    {
                        commands.Write(RespReader.Command("AUTH", password));
                        sent.Enqueue(new Sent(SentKind.Handshake, "AUTH"));
                    }
                    commands.Write(RespReader.Command("CLIENT", "SETNAME", endpoint.ClientName));
                    sent.Enqueue(new Sent(SentKind.Handshake, "CLIENT SETNAME"));
                    WriteSubscribeAll(commands);
                    opened.Send(commands.ToArray());
                    if (stopping.IsCancellationRequested) return;
                    socket = opened;
                    opening = ++generation;
                }
                LogConnected(logger, endpoint.Host, endpoint.Port, opening);
                failuresInARow = 0;
                onConnectionChanged(true);
                Read(opened);
                LogClosedByRedis(logger);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                // Once per outage as a warning: while Redis is away this fails every reconnect interval.
                if (failuresInARow++ == 0) LogConnectionFailed(logger, ex.GetType().Name, ex.Message);
                else LogStillFailing(logger, ex.GetType().Name, ex.Message);
            }
            catch (Exception)
            {
                // Disposed: the socket's failure is the way the reader is told to stop.
                return;
            }
            finally
            {
                bool wasOpen;
                lock (gate)
                {
                    wasOpen = opened is not null && ReferenceEquals(socket, opened);
                    if (wasOpen) socket = null;
                }
                opened?.Dispose();
                if (wasOpen && !stopping.IsCancellationRequested) onConnectionChanged(false);
            }
            // A reconnect asked for (the watchdog found the connection silent) goes at once; a drop waits.
            WaitHandle.WaitAny([stopping.Token.WaitHandle, reconnectNow], reconnectInterval);
        }
    }

    /// <summary>Shut down before closing: closing alone does not wake the reader's blocking receive on Linux.</summary>
    private static void Close(Socket? open)
    {
        if (open is null) return;
        try
        {
            open.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
        open.Dispose();
    }

    private Socket Open()
    {
        // Synchronous calls only: once a .NET socket has run one asynchronous operation it is non-blocking
        // for good, and every later Receive is emulated through the runtime's epoll thread (measured: 2 more
        // context switches and about 40 us per message). Linux bounds a blocking connect by SO_SNDTIMEO.
        var opened = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = (int)endpoint.ConnectTimeout.TotalMilliseconds };
        try
        {
            opened.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            opened.Connect(endpoint.Host, endpoint.Port);
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    /// <summary>Until Redis closes the connection (returns) or it fails (throws).</summary>
    private void Read(Socket from)
    {
        var buffer = new byte[16 * 1024];
        int start = 0, end = 0;
        Span<Range> elements = stackalloc Range[4];
        while (true)
        {
            var received = from.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
            if (received == 0) return;
            end += received;
            while (start < end)
            {
                var data = buffer.AsSpan(start, end - start);
                var result = RespReader.TryRead(data, elements, out var kind, out var count, out var consumed);
                if (result == RespReader.Result.Incomplete) break;
                if (result == RespReader.Result.Malformed)
                    throw new InvalidDataException("Redis sent what is not RESP2: " + Encoding.ASCII.GetString(data[..Math.Min(40, data.Length)]));
                // Only the last message of what has arrived, with nothing more in the socket, may be fanned
                // out on this thread (BusThread): a backlog goes to the workers, in parallel and coalesced.
                BusThread.SetCaughtUp(consumed == data.Length && from.Available == 0);
                Handle(data, elements[..count], kind);
                start += consumed;
            }
            if (start == end) start = end = 0;
            else if (end == buffer.Length)
            {
                // A push longer than what is left: move it to the front, or grow for one longer than the buffer.
                if (start == 0) Array.Resize(ref buffer, buffer.Length * 2);
                else
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> data, ReadOnlySpan<Range> elements, RespReader.Kind kind)
    {
        if (kind == RespReader.Kind.Array && elements.Length >= 3)
        {
            var type = data[elements[0]];
            if (type.SequenceEqual("message"u8))
            {
                Deliver(Encoding.UTF8.GetString(data[elements[1]]), null, data[elements[2]].ToArray());
                return;
            }
            if (type.SequenceEqual("pmessage"u8) && elements.Length == 4)
            {
                Deliver(Encoding.UTF8.GetString(data[elements[2]]), Encoding.UTF8.GetString(data[elements[1]]), data[elements[3]].ToArray());
                return;
            }
            if (type.SequenceEqual("pong"u8)) return;
        }
        lock (gate)
        {
            if (!sent.TryPeek(out var oldest)) throw new InvalidDataException("Redis answered a command that was not sent");
            if (kind == RespReader.Kind.Error)
            {
                sent.Dequeue();
                var error = Encoding.UTF8.GetString(data[elements[0]]);
                // A refused SUBSCRIBE (an ACL without the channel) fails its caller; anything else refused
                // (AUTH, SETNAME) means nothing on this connection can be trusted.
                if (oldest.Kind != SentKind.Subscribe) throw new InvalidOperationException($"Redis refused {oldest.Name ?? "UNSUBSCRIBE"}: {error}");
                if (wanted.TryGetValue(oldest.Name!, out var refused))
                    refused.Confirmed.TrySetException(new InvalidOperationException($"Redis refused to subscribe to '{oldest.Name}': {error}"));
                return;
            }
            if (oldest.Kind == SentKind.Handshake)
            {
                sent.Dequeue();
                return;
            }
            if (kind != RespReader.Kind.Array || elements.Length < 3) throw new InvalidDataException("Redis sent an unexpected reply to " + oldest.Kind);
            var type = data[elements[0]];
            if (type.SequenceEqual("subscribe"u8) || type.SequenceEqual("psubscribe"u8))
            {
                sent.Dequeue();
                if (wanted.TryGetValue(oldest.Name!, out var entry)) entry.Confirmed.TrySetResult();
            }
            else if (type.SequenceEqual("unsubscribe"u8) || type.SequenceEqual("punsubscribe"u8))
            {
                // UNSUBSCRIBE without a channel is answered once per channel it drops, the last with 0 remaining.
                if (oldest.Kind != SentKind.UnsubscribeAll || data[elements[2]].SequenceEqual("0"u8)) sent.Dequeue();
            }
        }
    }

    private void Deliver(string channel, string? pattern, byte[] payload)
    {
        try
        {
            onPush(channel, pattern, payload);
        }
        catch (Exception ex)
        {
            // The bus logs its own failures; this only keeps one bad message from dropping the connection.
            LogPushFailed(logger, ex);
        }
    }

    /// <summary>
    /// Under the lock: a SUBSCRIBE for everything wanted, each expecting its reply, into one write (a
    /// node with thousands of topics resubscribes in one syscall); returns the confirmations.
    /// </summary>
    private List<Task> WriteSubscribeAll(MemoryStream commands)
    {
        var pending = new List<Task>(wanted.Count);
        foreach (var (name, entry) in wanted)
        {
            entry.Reset();
            pending.Add(entry.Confirmed.Task);
            commands.Write(entry.SubscribeCommand(name));
            sent.Enqueue(new Sent(SentKind.Subscribe, name));
        }
        return pending;
    }

    /// <summary>Under the lock. Nothing is sent while no connection is open: the next one sends everything wanted.</summary>
    private void Send(Sent what, byte[] command)
    {
        if (socket is null) return;
        sent.Enqueue(what);
        TrySend(socket, command);
    }

    private static void TrySend(Socket to, byte[] command)
    {
        try
        {
            // A send that fails means the connection is going, and the reader will find out.
            to.Send(command);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Sent again with everything else on the next connection.
        }
    }

    private enum SentKind { Handshake, Subscribe, Unsubscribe, UnsubscribeAll }

    private readonly record struct Sent(SentKind Kind, string? Name);

    private sealed class Wanted(bool isPattern)
    {
        public bool IsPattern { get; } = isPattern;

        public byte[] SubscribeCommand(string name) => RespReader.Command(IsPattern ? "PSUBSCRIBE" : "SUBSCRIBE", name);

        public byte[] UnsubscribeCommand(string name) => RespReader.Command(IsPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", name);

        public TaskCompletionSource Confirmed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Not confirmed on the connection about to ask again; a caller already waiting keeps its task.</summary>
        public void Reset()
        {
            if (Confirmed.Task.IsCompleted) Confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis subscription connection to {Host}:{Port} open (connection {Generation})")]
    private static partial void LogConnected(ILogger logger, string host, int port, int generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis closed the subscription connection")]
    private static partial void LogClosedByRedis(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis subscription connection failed: {Error}: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string error, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis subscription connection still failing: {Error}: {Reason}")]
    private static partial void LogStillFailing(ILogger logger, string error, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A Redis message handler failed")]
    private static partial void LogPushFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Redis subscription reader did not stop within 5 s")]
    private static partial void LogReaderDidNotStop(ILogger logger);
}
