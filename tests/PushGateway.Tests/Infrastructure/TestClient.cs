using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PushGateway.Tests.Infrastructure;

/// <summary>
/// A protocol-v1 client for tests over a real ClientWebSocket: splits server frames on '\n' and
/// hands out the objects in order; objects skipped while waiting for a reply stay queued.
/// </summary>
public sealed class TestClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket;
    private readonly Channel<JsonElement> incoming = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> skipped = [];
    private readonly TaskCompletionSource<WebSocketCloseStatus?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task receiving;
    private int nextId;

    private readonly TaskCompletionSource resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestClient(ClientWebSocket socket, bool paused)
    {
        this.socket = socket;
        if (!paused) resumed.SetResult();
        receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Starts reading after a <c>paused</c> connect: until then the client is a stalled peer.</summary>
    public void Resume() => resumed.TrySetResult();

    public WebSocket Socket => socket;

    /// <summary>The close code the server sent, or null when the connection ended without one.</summary>
    public Task<WebSocketCloseStatus?> Closed => closed.Task;

    public string? CloseDescription { get; private set; }

    public int FramesReceived { get; private set; }

    public static async Task<TestClient> ConnectAsync(Uri uri, string? subProtocol = null, bool paused = false)
    {
        var socket = new ClientWebSocket();
        if (subProtocol is not null) socket.Options.AddSubProtocol(subProtocol);
        await socket.ConnectAsync(uri, CancellationToken.None).Within();
        return new TestClient(socket, paused);
    }

    public Task SendAsync(string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None).Within();

    public Task SendBytesAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text) =>
        socket.SendAsync(bytes, type, true, CancellationToken.None).Within();

    /// <summary>Sends a command with a fresh numeric id and returns the reply carrying that id.</summary>
    public async Task<JsonElement> CommandAsync(string type, string? topic = null, string extraFields = "")
    {
        var id = Interlocked.Increment(ref nextId);
        var topicField = topic is null ? "" : $",\"topic\":{JsonSerializer.Serialize(topic)}";
        await SendAsync($"{{\"type\":\"{type}\",\"id\":{id}{topicField}{extraFields}}}");
        return await WaitForAsync(o => o.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id);
    }

    public async Task SubscribeAsync(string topic, string extraFields = "")
    {
        var reply = await CommandAsync("subscribe", topic, extraFields);
        Assert.True(reply.GetProperty("type").GetString() == "ack", $"subscribe {topic}: {reply}");
    }

    public async Task UnsubscribeAsync(string topic)
    {
        var reply = await CommandAsync("unsubscribe", topic);
        Assert.True(reply.GetProperty("type").GetString() == "ack", $"unsubscribe {topic}: {reply}");
    }

    /// <summary>The next object from the server (skipped ones first).</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null)
    {
        if (skipped.Count > 0)
        {
            var first = skipped[0];
            skipped.RemoveAt(0);
            return first;
        }
        return await incoming.Reader.ReadAsync().AsTask().Within(timeout);
    }

    /// <summary>The next message delivery, skipping (and keeping) replies.</summary>
    public Task<JsonElement> ReceiveMessageAsync(TimeSpan? timeout = null) =>
        WaitForAsync(o => o.GetProperty("type").GetString() == "message", timeout);

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        for (var i = 0; i < skipped.Count; i++)
        {
            if (!match(skipped[i])) continue;
            var found = skipped[i];
            skipped.RemoveAt(i);
            return found;
        }
        var deadline = DateTime.UtcNow + (timeout ?? Bounded.Default);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no matching object arrived");
            var next = await incoming.Reader.ReadAsync().AsTask().Within(left);
            if (match(next)) return next;
            skipped.Add(next);
        }
    }

    /// <summary>True when nothing at all is waiting: used after a round trip (ping/pong) proved the server processed everything before it.</summary>
    public bool NothingPending => skipped.Count == 0 && incoming.Reader.Count == 0;

    /// <summary>A ping round trip: every frame the server queued before its pong has arrived once this returns.</summary>
    public async Task RoundTripAsync()
    {
        var pong = await CommandAsync("ping");
        Assert.Equal("pong", pong.GetProperty("type").GetString());
    }

    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).Within();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // Best effort: the test is over.
        }
        socket.Abort();
        resumed.TrySetResult();
        await receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        socket.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[1 << 20];
        await resumed.Task;
        try
        {
            while (true)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseDescription = result.CloseStatusDescription;
                    closed.TrySetResult(result.CloseStatus);
                    break;
                }
                FramesReceived++;
                foreach (var line in Encoding.UTF8.GetString(buffer, 0, count).Split('\n'))
                {
                    using var document = JsonDocument.Parse(line);
                    incoming.Writer.TryWrite(document.RootElement.Clone());
                }
            }
        }
        catch (Exception)
        {
            closed.TrySetResult(null);
        }
        finally
        {
            incoming.Writer.TryComplete();
        }
    }
}
