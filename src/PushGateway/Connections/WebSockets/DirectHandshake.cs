using System.Buffers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Security;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// Looks at a freshly accepted socket before Kestrel does. A plain HTTP/1.1 WebSocket upgrade to /ws that the
/// handshake policy accepts is answered here and served on the socket (<see cref="SocketTransport"/>);
/// anything else, including every refused handshake, goes to Kestrel with its bytes unread, because this
/// only peeks (MSG_PEEK) until it accepts. So the /ws endpoint answers refusals with its usual status codes
/// and serves TLS, HTTP/2 and odd requests on ASP.NET Core's WebSocket.
/// </summary>
internal sealed class DirectHandshake(GatewayOptions options, HandshakePolicy policy, ConnectionRunner runner, ClientSecurity security, ConnectionServices connections)
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    // Larger heads (many cookies) are left to Kestrel, whose limit is 32 KiB.
    internal const int MaxHeadBytes = 16 * 1024;
    // A browser's upgrade head is usually under 1 KiB; the larger window is taken only when this one fills.
    internal const int FirstPeekBytes = 4 * 1024;
    // A head that arrives in pieces is peeked again after a pause that doubles up to the longest; almost every
    // head arrives in one segment, and a peek cannot wait for more than is already there.
    private static readonly TimeSpan FirstRepeek = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan LongestRepeek = TimeSpan.FromMilliseconds(100);

    public DirectHandshake(IServiceProvider services)
        : this(
            services.GetRequiredService<IOptions<GatewayOptions>>().Value,
            services.GetRequiredService<HandshakePolicy>(),
            services.GetRequiredService<ConnectionRunner>(),
            services.GetRequiredService<ClientSecurity>(),
            services.GetRequiredService<ConnectionServices>())
    {
    }

    /// <summary>
    /// Serves an accepted socket to its end. Not async itself, and neither is the runner: an idle
    /// connection's pending awaits are what it costs in memory, so there is one chain of them.
    /// Call <see cref="End"/> when the task has completed.
    /// </summary>
    public Task ServeAsync(SocketTransport transport, HandshakeVerdict verdict) => runner.RunAsync(transport, verdict);

    public SocketTransport CreateTransport(Socket socket, HandshakeVerdict verdict) =>
        new(socket, new SocketInput(socket), verdict.Format, connections);

    /// <summary>Releases what an accepted connection held: its slot, and its socket (through the transport).</summary>
    public void End(SocketTransport transport)
    {
        security.ReleaseSlot();
        transport.Dispose();
    }

    /// <summary>What became of a handshake.</summary>
    internal enum Outcome
    {
        /// <summary>Not ours, or refused: Kestrel reads the untouched head, and the /ws endpoint answers it.</summary>
        ToKestrel,
        /// <summary>Timed out, hung up, or the 101 could not be written: nothing to answer.</summary>
        Ended,
        /// <summary>Upgraded; the verdict holds a connection slot.</summary>
        Accepted,
    }

    /// <summary>
    /// Peeks at the socket and, when it is ours and the policy accepts it, answers the upgrade. <paramref name="stopping"/>
    /// ends a handshake still in progress (the listener is going away). Its own method, so the request head it
    /// parsed is garbage once it returns rather than held for the connection's lifetime.
    /// </summary>
    public async Task<(Outcome Outcome, HandshakeVerdict? Verdict)> HandshakeAsync(Socket socket, CancellationToken stopping)
    {
        UpgradeRequest? request;
        int headLength;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            timeout.CancelAfter(options.HandshakeTimeout);
            try
            {
                (request, headLength) = await PeekAsync(socket, timeout.Token).ConfigureAwait(false);
            }
            // Silent or trickling: the same end as Kestrel's RequestHeadersTimeout. A hang-up or reset: nothing to answer.
            catch (OperationCanceledException)
            {
                return (Outcome.Ended, null);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or EndOfStreamException)
            {
                return (Outcome.Ended, null);
            }
        }
        if (request is null) return (Outcome.ToKestrel, null);
        var query = QueryHelpers.ParseQuery(request.QueryString);
        query.TryGetValue(ClientSecurity.TokenQueryParameter, out var token);
        var verdict = await policy.EvaluateAsync(request.Header("Origin"), request.RequestedProtocols(), request.Header("Authorization"), token).ConfigureAwait(false);
        if (verdict.Refusal is not null) return (Outcome.ToKestrel, null);
        if (await AcceptAsync(socket, request, headLength, verdict.SubProtocol).ConfigureAwait(false)) return (Outcome.Accepted, verdict);
        security.ReleaseSlot();
        return (Outcome.Ended, null);
    }

    /// <summary>
    /// Peeks until the head is complete or clearly not ours, leaving every byte in the socket. No request
    /// for "not ours"; throws on the timeout and EndOfStreamException on a hang-up.
    /// </summary>
    private static async Task<(UpgradeRequest? Request, int HeadLength)> PeekAsync(Socket socket, CancellationToken cancellationToken)
    {
        // A connection that has sent nothing yet holds no buffer: thousands of them arriving at once (a reconnect
        // storm) would otherwise pin a head's worth of pool memory each until they speak.
        await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(FirstPeekBytes);
        try
        {
            var seen = 0;
            var pause = FirstRepeek;
            while (true)
            {
                var window = Math.Min(buffer.Length, MaxHeadBytes + 1);
                var peeked = await socket.ReceiveAsync(buffer.AsMemory(0, window), SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
                if (peeked == 0) throw new EndOfStreamException();
                if (peeked > seen)
                {
                    seen = peeked;
                    var verdict = UpgradeRequest.TryParse(new ReadOnlySequence<byte>(buffer, 0, peeked), MaxHeadBytes, out var request, out var headLength);
                    if (verdict == PeekVerdict.Upgrade) return (request, (int)headLength);
                    if (verdict == PeekVerdict.NotOurs || peeked > MaxHeadBytes) return (null, 0);
                    if (peeked == window)
                    {
                        // A head with many cookies: look again at once through the largest window.
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes + 1);
                        continue;
                    }
                }
                // A peer that reset after part of a head still has those bytes to peek: its error is what ends it.
                if (socket.Poll(0, SelectMode.SelectError)) throw new EndOfStreamException();
                // A peek returns at once while any byte is there, so the rest of a split head is waited for, not spun on.
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
                pause = pause * 2 < LongestRepeek ? pause * 2 : LongestRepeek;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<bool> AcceptAsync(Socket socket, UpgradeRequest request, int headLength, string? subProtocol)
    {
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(request.Key + AcceptGuid)));
        var response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .Append(accept).Append("\r\n");
        if (subProtocol is not null) response.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        response.Append("\r\n");
        var head = ArrayPool<byte>.Shared.Rent(headLength);
        try
        {
            // The head was peeked, so it is all in the socket: take exactly it, and leave any frame behind it.
            var taken = 0;
            while (taken < headLength)
            {
                var received = await socket.ReceiveAsync(head.AsMemory(taken, headLength - taken), SocketFlags.None).ConfigureAwait(false);
                if (received == 0) return false;
                taken += received;
            }
            // A blocking send, and no SendAsync: a new connection's send buffer is empty, so it returns at once,
            // and the socket does not keep an asynchronous send's state (~360 bytes) for the connection's life.
            var bytes = Encoding.ASCII.GetBytes(response.ToString());
            var sent = 0;
            while (sent < bytes.Length) sent += socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
            // From here the transport writes with non-blocking sends from whichever thread has frames ready.
            socket.Blocking = false;
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

}
