using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PushGateway.Reliability.Redis;

/// <summary>
/// A bare RESP2 connection with one command in flight at a time and no reconnect policy of its own.
/// The suite does not use StackExchange.Redis for its publisher and probes on purpose: a failed
/// command must mean exactly "this connection died with this command unanswered" (so the publisher
/// can settle whether the message went out), and the "live again within 2 s" probe must not wait on
/// a client library's reconnect backoff. Any failure leaves the connection unusable: dispose it.
/// </summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    private RespConnection(Socket socket)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RespConnection> ConnectAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(timeout);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), bounded.Token).ConfigureAwait(false);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command and reads its reply; an error reply is returned, not thrown. Arguments: string, byte[] or long.</summary>
    public async Task<RespValue> CommandAsync(TimeSpan timeout, CancellationToken cancellationToken, params object[] args)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        await stream.WriteAsync(Encode(args), bounded.Token).ConfigureAwait(false);
        return await ReadValueAsync(bounded.Token).ConfigureAwait(false);
    }

    /// <summary>Sends several commands at once and reads their replies in order (bulk loading).</summary>
    public async Task<List<RespValue>> PipelineAsync(IReadOnlyList<object[]> commands, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        using var output = new MemoryStream();
        foreach (var command in commands) output.Write(Encode(command));
        await stream.WriteAsync(output.ToArray(), bounded.Token).ConfigureAwait(false);
        var replies = new List<RespValue>(commands.Count);
        for (var i = 0; i < commands.Count; i++) replies.Add(await ReadValueAsync(bounded.Token).ConfigureAwait(false));
        return replies;
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync().ConfigureAwait(false);
        socket.Dispose();
    }

    private static byte[] Encode(object[] args)
    {
        using var output = new MemoryStream();
        void Line(string text) => output.Write(Encoding.ASCII.GetBytes(text + "\r\n"));
        Line("*" + args.Length);
        foreach (var arg in args)
        {
            var bytes = arg switch
            {
                byte[] raw => raw,
                string text => Encoding.UTF8.GetBytes(text),
                long or int => Encoding.ASCII.GetBytes(Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture)!),
                _ => throw new ArgumentException($"unsupported RESP argument type {arg.GetType().Name}"),
            };
            Line("$" + bytes.Length);
            output.Write(bytes);
            output.Write("\r\n"u8);
        }
        return output.ToArray();
    }

    private async Task<RespValue> ReadValueAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        var prefix = line[0];
        var rest = Encoding.UTF8.GetString(line, 1, line.Length - 1);
        switch (prefix)
        {
            case (byte)'+':
                return new RespValue(RespKind.Simple, rest);
            case (byte)'-':
                return new RespValue(RespKind.Error, rest);
            case (byte)':':
                return new RespValue(RespKind.Integer, Integer: ParseLong(line));
            case (byte)'$':
            {
                var length = ParseLong(line);
                if (length < 0) return new RespValue(RespKind.Bulk);
                var data = await ReadExactAsync((int)length + 2, cancellationToken).ConfigureAwait(false);
                return new RespValue(RespKind.Bulk, Bulk: data[..^2]);
            }
            case (byte)'*':
            {
                var count = ParseLong(line);
                if (count < 0) return new RespValue(RespKind.Array, Items: []);
                var items = new RespValue[count];
                for (var i = 0; i < count; i++) items[i] = await ReadValueAsync(cancellationToken).ConfigureAwait(false);
                return new RespValue(RespKind.Array, Items: items);
            }
            default:
                throw new IOException($"unexpected RESP prefix '{(char)prefix}'");
        }
    }

    private static long ParseLong(byte[] line) =>
        Utf8Parser.TryParse(line.AsSpan(1), out long value, out _) ? value : throw new IOException("malformed RESP length");

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = buffer.AsSpan(start, at).ToArray();
                start += at + 2;
                return line;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken cancellationToken)
    {
        while (end - start < count) await FillAsync(cancellationToken).ConfigureAwait(false);
        var data = buffer.AsSpan(start, count).ToArray();
        start += count;
        return data;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
        if (read == 0) throw new IOException("Redis closed the connection");
        end += read;
    }
}
