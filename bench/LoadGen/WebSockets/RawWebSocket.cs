using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace LoadGen.WebSockets;

/// <summary>Receives the whole messages of a <see cref="RawWebSocket"/>; runs on its receive loop and must not block.</summary>
public interface IWebSocketHandler
{
    void OnMessage(RawWebSocket socket, bool text, ReadOnlySpan<byte> payload);
}

/// <summary>
/// A lean RFC 6455 client over a bare <see cref="Socket"/>: one growable receive buffer per connection,
/// read by an <see cref="EpollReceiver"/> thread shared with thousands of others, no per-message allocation, where ClientWebSocket carries far
/// more state than 19,000 idle load-generator connections should. Client frames are masked; server
/// frames are read unmasked; pings are answered with pongs; fragmented messages are reassembled.
/// Sends are rare and tiny (commands, pongs), so they go out synchronously under a lock, which also
/// keeps them in order.
/// </summary>
public sealed partial class RawWebSocket : IDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int IpBindAddressNoPort = 24; // Linux IP_BIND_ADDRESS_NO_PORT: pick the port at connect, per 4-tuple
    private const int Eagain = 11;
    private const int Eintr = 4;
    private const int Econnreset = 104;

    private readonly Socket _socket;
    private readonly object _sendLock = new();
    private byte[] _buffer;
    private int _start;
    private int _end;
    private byte[]? _fragments;
    private int _fragmentLength;
    private bool _fragmentText;
    private bool _closeSent;
    private IWebSocketHandler? _handler;
    private EpollReceiver? _receiver;
    private int _receiverId;
    private int _fd = -1;
    private readonly TaskCompletionSource<string?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? SubProtocol { get; private set; }
    public int? CloseStatus { get; private set; }
    public long FramesReceived { get; private set; }

    private RawWebSocket(Socket socket, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
    }

    /// <summary>
    /// Connects and does the opening handshake with blocking calls (on loopback both take well under a
    /// millisecond), so that the socket never meets .NET's async engine: <see cref="EpollReceiver"/> reads it.
    /// </summary>
    public static RawWebSocket Connect(Uri uri, string pathAndQuery, IPAddress? localAddress, string? subProtocol, int bufferSize, TimeSpan timeout)
    {
        var host = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host);
        var socket = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var ws = new RawWebSocket(socket, bufferSize);
        try
        {
            if (localAddress is not null)
            {
                try { socket.SetRawSocketOption(0 /* SOL_IP */, IpBindAddressNoPort, BitConverter.GetBytes(1)); }
                catch (SocketException) { }
                socket.Bind(new IPEndPoint(localAddress, 0));
            }
            socket.SendTimeout = socket.ReceiveTimeout = (int)Math.Max(1, timeout.TotalMilliseconds);
            socket.Connect(new IPEndPoint(host, uri.Port));
            ws.Handshake(uri, pathAndQuery, subProtocol);
            return ws;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    private void Handshake(Uri uri, string pathAndQuery, string? subProtocol)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = new StringBuilder()
            .Append("GET ").Append(pathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(uri.Authority).Append("\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append("Sec-WebSocket-Key: ").Append(key).Append("\r\n")
            .Append("Sec-WebSocket-Version: 13\r\n");
        if (subProtocol is not null) request.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        request.Append("\r\n");
        _socket.Send(Encoding.ASCII.GetBytes(request.ToString()));

        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end == _buffer.Length) throw new IOException("handshake response too large");
            var n = _socket.Receive(_buffer.AsSpan(_end));
            if (n == 0) throw new IOException("connection closed during handshake");
            _end += n;
        }
        var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd).Split("\r\n");
        if (!head[0].StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            throw new IOException($"handshake refused: {head[0]}");
        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
        string? accept = null;
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase)) accept = value;
            else if (name.Equals("Sec-WebSocket-Protocol", StringComparison.OrdinalIgnoreCase)) SubProtocol = value;
        }
        if (accept != expected) throw new IOException("handshake: bad Sec-WebSocket-Accept");
        _start = headerEnd + 4;
    }

    /// <summary>
    /// Hands the socket to <paramref name="receiver"/>, which feeds its frames to <paramref name="handler"/>
    /// from then on, starting with any the handshake's read already took. The task ends with the
    /// connection: null on a close frame or end of stream, else what went wrong.
    /// </summary>
    public Task<string?> StartReceiving(IWebSocketHandler handler, EpollReceiver receiver)
    {
        _handler = handler;
        _socket.Blocking = false;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        // Frames that came with the handshake response, and any since, are read here, before the receiver
        // can call in: two threads must never read one socket. Epoll reports what is pending when added.
        OnReadable();
        if (_ended.Task.IsCompleted) return _ended.Task;
        _receiverId = receiver.Add(this, _fd);
        Volatile.Write(ref _receiver, receiver);
        return _ended.Task;
    }

    /// <summary>Called by the receiver when the socket is readable: one recv(), then every whole frame it completed.</summary>
    internal unsafe void OnReadable()
    {
        if (_ended.Task.IsCompleted) return;
        var added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            while (true)
            {
                if (DrainFrames()) return;
                MakeRoom();
                var room = _buffer.Length - _end;
                nint n;
                fixed (byte* at = &_buffer[_end]) n = Recv(_fd, at, room, 0);
                if (n > 0)
                {
                    _end += (int)n;
                    // A full read may have left more behind: read again; otherwise epoll says when there is more.
                    if (n < room) { DrainFrames(); return; }
                    continue;
                }
                if (n == 0) { End(null); return; }
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eagain) return;
                if (errno == Eintr) continue;
                End(new SocketException(errno == Econnreset ? (int)SocketError.ConnectionReset : errno).Message);
                return;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { End(e.Message); }
        finally
        {
            if (added) _socket.SafeHandle.DangerousRelease();
        }
    }

    /// <summary>Handles every whole frame in the buffer; true when one was a close, which ends the connection.</summary>
    private bool DrainFrames()
    {
        while (TryReadFrame(_handler!, out var closed))
            if (closed) { End(null); return true; }
        return false;
    }

    private void MakeRoom()
    {
        if (_start == _end) { _start = _end = 0; }
        else if (_start > 0 && _end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
    }

    private void End(string? error)
    {
        if (!_ended.TrySetResult(error)) return;
        _receiver?.Remove(_receiverId, _fd);
    }

    private bool TryReadFrame(IWebSocketHandler handler, out bool closed)
    {
        closed = false;
        var available = _end - _start;
        if (available < 2) return false;
        var span = _buffer.AsSpan(_start, available);
        var fin = (span[0] & 0x80) != 0;
        var opcode = span[0] & 0x0F;
        var masked = (span[1] & 0x80) != 0;
        long length = span[1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (available < 4) return false;
            length = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            if (available < 10) return false;
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(span[2..]);
            header = 10;
        }
        if (masked) header += 4;
        if (length > 64 * 1024 * 1024) throw new IOException("frame too large");
        if (available < header + length)
        {
            // Make room for the whole frame in the buffer before the next read.
            var need = header + (int)length;
            if (need > _buffer.Length - _start)
            {
                var bigger = need > _buffer.Length ? new byte[Math.Max(need, _buffer.Length * 2)] : _buffer;
                Buffer.BlockCopy(_buffer, _start, bigger, 0, available);
                _buffer = bigger;
                _start = 0;
                _end = available;
            }
            return false;
        }
        var payload = _buffer.AsSpan(_start + header, (int)length);
        if (masked)
        {
            var mask = _buffer.AsSpan(_start + header - 4, 4);
            for (var i = 0; i < payload.Length; i++) payload[i] ^= mask[i & 3];
        }
        _start += header + (int)length;
        FramesReceived++;

        switch (opcode)
        {
            case 0x0: // continuation
                AppendFragment(payload);
                if (fin)
                {
                    handler.OnMessage(this, _fragmentText, _fragments.AsSpan(0, _fragmentLength));
                    _fragmentLength = 0;
                }
                break;
            case 0x1:
            case 0x2:
                if (fin) handler.OnMessage(this, opcode == 0x1, payload);
                else
                {
                    _fragmentText = opcode == 0x1;
                    _fragmentLength = 0;
                    AppendFragment(payload);
                }
                break;
            case 0x8:
                CloseStatus = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
                TrySendClose(1000);
                closed = true;
                break;
            case 0x9:
                Send(0xA, payload);
                break;
            case 0xA:
                break;
            default:
                throw new IOException($"unknown opcode {opcode}");
        }
        return true;
    }

    private void AppendFragment(ReadOnlySpan<byte> payload)
    {
        if (_fragments is null || _fragments.Length < _fragmentLength + payload.Length)
            Array.Resize(ref _fragments, Math.Max(_fragmentLength + payload.Length, 4096));
        payload.CopyTo(_fragments.AsSpan(_fragmentLength));
        _fragmentLength += payload.Length;
    }

    public void SendText(ReadOnlySpan<byte> utf8) => Send(0x1, utf8);

    public void SendBinary(ReadOnlySpan<byte> data) => Send(0x2, data);

    public void SendText(string text) => Send(0x1, Encoding.UTF8.GetBytes(text));

    public void TrySendClose(ushort code)
    {
        lock (_sendLock)
        {
            if (_closeSent) return;
            _closeSent = true;
        }
        Span<byte> body = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(body, code);
        try { Send(0x8, body, force: true); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private void Send(int opcode, ReadOnlySpan<byte> payload, bool force = false)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = new byte[header + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (header == 2) frame[1] = (byte)(0x80 | payload.Length);
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }
        var mask = frame.AsSpan(header, 4);
        Random.Shared.NextBytes(mask);
        var body = frame.AsSpan(header + 4);
        for (var i = 0; i < payload.Length; i++) body[i] = (byte)(payload[i] ^ mask[i & 3]);
        lock (_sendLock)
        {
            if (_closeSent && !force) return;
            _socket.Send(frame);
        }
    }

    public void Dispose()
    {
        End("disposed");
        _socket.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);
}
