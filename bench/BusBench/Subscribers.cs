using System.Net.Sockets;
using System.Text;
using PushGateway.Bus;
using StackExchange.Redis;

namespace BusBench;

/// <summary>What the gateway does with a bus message: a topic string and the payload's bytes, handed off.</summary>
internal delegate void OnMessage(string channel, byte[] payload);

/// <summary>The gateway's subscription path today: StackExchange.Redis 1.2.6, configured as Bus/RedisBus.cs configures it.</summary>
internal sealed class LibrarySubscriber : IDisposable
{
    private readonly ConnectionMultiplexer multiplexer;

    public LibrarySubscriber(string redis, string channel, OnMessage onMessage)
    {
        var configuration = ConfigurationOptions.Parse(redis);
        configuration.AbortOnConnectFail = false;
        configuration.ConfigurationChannel = "";
        multiplexer = ConnectionMultiplexer.Connect(configuration);
        // As RedisBus.OnRedisMessage converts: the channel to a string, the value to a byte array.
        multiplexer.GetSubscriber().Subscribe(channel, (c, v) =>
        {
            string name = c!;
            byte[] raw = v!;
            onMessage(name, raw);
        });
    }

    public void Dispose() => multiplexer.Dispose();
}

/// <summary>
/// The gateway's Redis:Subscriber "socket" in miniature (Bus/SubscriptionSocket.cs, same reader): one
/// socket SUBSCRIBEd, read with blocking receives on a thread of its own that parses each push and
/// hands it off directly, without the library's read continuation and handler queue.
/// </summary>
internal sealed class ThreadSubscriber : IDisposable
{
    private readonly Socket socket;
    private readonly OnMessage onMessage;
    private readonly ManualResetEventSlim subscribed = new();

    public ThreadSubscriber(string redis, string channel, OnMessage onMessage)
    {
        this.onMessage = onMessage;
        var colon = redis.LastIndexOf(':');
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(redis[..colon], int.Parse(redis[(colon + 1)..]));
        var name = Encoding.UTF8.GetBytes(channel);
        socket.Send(Encoding.ASCII.GetBytes($"*2\r\n$9\r\nSUBSCRIBE\r\n${name.Length}\r\n{channel}\r\n"));
        new Thread(Read) { IsBackground = true, Name = "redis subscription reader" }.Start();
        if (!subscribed.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("SUBSCRIBE was not confirmed");
    }

    public void Dispose() => socket.Dispose();

    private void Read()
    {
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        Span<Range> elements = stackalloc Range[4];
        try
        {
            while (true)
            {
                var received = socket.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (received == 0) return;
                end += received;
                while (true)
                {
                    var data = buffer.AsSpan(start, end - start);
                    var result = RespReader.TryRead(data, elements, out _, out var count, out var consumed);
                    if (result == RespReader.Result.Incomplete) break;
                    if (result == RespReader.Result.Malformed) throw new InvalidDataException("not RESP2: " + Encoding.ASCII.GetString(data[..Math.Min(40, data.Length)]));
                    var kind = data[elements[0]];
                    if (count == 3 && kind.SequenceEqual("message"u8))
                        onMessage(Encoding.UTF8.GetString(data[elements[1]]), data[elements[2]].ToArray());
                    else if (kind.SequenceEqual("subscribe"u8))
                        subscribed.Set();
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
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed at the end of the run.
        }
    }
}
