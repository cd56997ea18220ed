using System.Buffers.Text;
using System.Net.Sockets;
using System.Text;

namespace LoadGen.Publishing;

/// <summary>
/// One TCP connection to Redis that the publishing thread drives by itself: the PUBLISH commands due
/// in a tick are written with one send(), and the integer replies are read back without blocking on
/// the next tick. A client library answers every PUBLISH on a reader thread and a continuation on the
/// thread pool, which on a 2-core machine shared with the servers under test was about 14 thread
/// wake-ups per message (docs/benchmarks.md, "the publisher's own connection"); here there are none.
/// BusBench publishes through it too.
/// </summary>
public sealed class RespPublishConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _out = new byte[16 * 1024];
    private int _outLength;
    private readonly byte[] _in = new byte[64 * 1024];
    private int _inStart, _inEnd;
    private readonly byte[] _number = new byte[20];

    private RespPublishConnection(Socket socket) => _socket = socket;

    /// <summary>PUBLISHes written and not yet answered.</summary>
    public long Pending { get; private set; }
    public long Errors { get; private set; }
    /// <summary>Replies of 0: the channel had no subscriber.</summary>
    public long NoReceivers { get; private set; }
    public long Replies { get; private set; }

    /// <param name="hostPort"><c>HOST:PORT</c> or <c>HOST</c> (port 6379), as LoadGen's <c>--redis</c>.</param>
    public static RespPublishConnection Connect(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var host = colon < 0 ? hostPort : hostPort[..colon];
        var port = colon < 0 ? 6379 : int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot reach Redis at {hostPort} for publishing: {e.SocketErrorCode}", e);
        }
        socket.Blocking = false;
        return new RespPublishConnection(socket);
    }

    /// <summary>Queues <c>PUBLISH channel payload</c>; nothing is sent before <see cref="Flush"/>.</summary>
    public void Append(byte[] channel, byte[] payload)
    {
        var need = _outLength + channel.Length + payload.Length + 64;
        if (need > _out.Length) Array.Resize(ref _out, Math.Max(need, _out.Length * 2));
        Write("*3\r\n$7\r\nPUBLISH\r\n"u8);
        Bulk(channel);
        Bulk(payload);
        Pending++;
    }

    /// <summary>Writes everything queued, waiting only while the kernel's send buffer is full.</summary>
    public void Flush()
    {
        var sent = 0;
        while (sent < _outLength)
        {
            var n = _socket.Send(_out.AsSpan(sent, _outLength - sent), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                // Redis answers while we wait; reading keeps it from stalling on a full reply buffer.
                ReadAvailable();
                _socket.Poll(1000, SelectMode.SelectWrite);
                continue;
            }
            if (error != SocketError.Success) throw new InvalidOperationException($"publishing to Redis failed: {error}");
            sent += n;
        }
        _outLength = 0;
    }

    /// <summary>Reads and counts the replies already here, without waiting for more.</summary>
    public void ReadAvailable()
    {
        while (Pending > 0 && Receive()) { }
    }

    /// <summary>Waits until at most <paramref name="below"/> PUBLISHes are unanswered or <paramref name="timeout"/> passes; true when so.</summary>
    public bool WaitForReplies(long below, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Pending > below)
        {
            var left = deadline - Environment.TickCount64;
            if (left <= 0) return false;
            if (_socket.Poll((int)Math.Min(left, 100) * 1000, SelectMode.SelectRead)) ReadAvailable();
        }
        return true;
    }

    // One non-blocking recv(); parses every whole reply in the buffer. False when nothing was there.
    private bool Receive()
    {
        if (_inStart > 0 && _inStart == _inEnd) _inStart = _inEnd = 0;
        if (_inEnd == _in.Length)
        {
            Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
            _inEnd -= _inStart;
            _inStart = 0;
        }
        var n = _socket.Receive(_in.AsSpan(_inEnd), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return false;
        if (error != SocketError.Success) throw new InvalidOperationException($"reading Redis's replies failed: {error}");
        if (n == 0) throw new InvalidOperationException("Redis closed the publishing connection");
        _inEnd += n;
        Parse();
        return true;
    }

    private void Parse()
    {
        while (true)
        {
            var rest = _in.AsSpan(_inStart, _inEnd - _inStart);
            var end = rest.IndexOf("\r\n"u8);
            if (end < 0) return;
            var line = rest[..end];
            switch (line.IsEmpty ? (byte)0 : line[0])
            {
                case (byte)':':
                    if (!Utf8Parser.TryParse(line[1..], out long receivers, out var used) || used != line.Length - 1)
                        throw Unexpected(line);
                    if (receivers == 0) NoReceivers++;
                    break;
                case (byte)'-':
                    Errors++;
                    break;
                default:
                    throw Unexpected(line);
            }
            Pending--;
            Replies++;
            _inStart += end + 2;
        }
    }

    private static InvalidOperationException Unexpected(ReadOnlySpan<byte> line) =>
        new($"unexpected reply to PUBLISH from Redis: '{Encoding.ASCII.GetString(line[..Math.Min(line.Length, 80)])}'");

    private void Bulk(byte[] value)
    {
        Write("$"u8);
        Utf8Formatter.TryFormat(value.Length, _number, out var digits);
        Write(_number.AsSpan(0, digits));
        Write("\r\n"u8);
        Write(value);
        Write("\r\n"u8);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
    }

    public void Dispose() => _socket.Dispose();
}
