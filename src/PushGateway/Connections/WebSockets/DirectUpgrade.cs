using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;
using PushGateway.Security;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// A Kestrel connection middleware that takes WebSocket upgrades to /ws before the HTTP stack does and
/// serves them on the raw socket (<see cref="SocketTransport"/>). An upgraded connection then costs a
/// socket, Kestrel's pipes and the gateway's own state: no HttpContext, no HTTP/1.1 connection, no
/// WebSocket middleware (about 14 KB less per connection, docs/benchmarks.md). Everything it does not
/// fully understand, and every handshake the policy refuses, goes to Kestrel untouched, so the /ws
/// endpoint answers it (with the same status codes) and serves what remains on ASP.NET Core's WebSocket.
/// </summary>
internal sealed class DirectUpgrade(IServiceProvider services, ConnectionDelegate next)
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    // Larger heads (many cookies) are left to Kestrel, whose limit is 32 KiB.
    private const int MaxHeadBytes = 16 * 1024;

    private Dependencies? dependencies;

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var deps = dependencies ??= new Dependencies(services);
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (!deps.Options.DirectWebSockets || socket is null)
        {
            await next(context);
            return;
        }
        var (outcome, verdict) = await HandshakeAsync(context, socket, deps);
        if (outcome == Outcome.ToKestrel) await next(context);
        if (outcome != Outcome.Accepted) return;
        try
        {
            using var transport = new SocketTransport(socket, context, verdict!.Format, deps.Connections);
            await deps.Runner.RunAsync(transport, verdict);
        }
        finally
        {
            deps.Security.ReleaseSlot();
        }
    }

    /// <summary>What became of a handshake this middleware looked at.</summary>
    private enum Outcome
    {
        /// <summary>Not ours, or refused: Kestrel re-reads the untouched head, and the /ws endpoint answers it.</summary>
        ToKestrel,
        /// <summary>Timed out, hung up, or the 101 could not be written: nothing to answer.</summary>
        Ended,
        /// <summary>Upgraded; the verdict holds a connection slot.</summary>
        Accepted,
    }

    /// <summary>The handshake, in its own method so the request head it parsed is garbage once it returns rather than held for the connection's lifetime.</summary>
    private static async Task<(Outcome, HandshakeVerdict?)> HandshakeAsync(ConnectionContext context, Socket socket, Dependencies deps)
    {
        var input = context.Transport.Input;
        UpgradeRequest? request;
        long headLength;
        using (var timeout = new CancellationTokenSource(deps.Options.HandshakeTimeout))
        using (timeout.Token.Register(static s => ((PipeReader)s!).CancelPendingRead(), input))
        {
            (request, headLength) = await PeekAsync(input);
            // Silent or trickling: the same end as Kestrel's RequestHeadersTimeout.
            if (request is null && timeout.IsCancellationRequested) return (Outcome.Ended, null);
        }
        if (request is null) return (Outcome.ToKestrel, null);
        var query = QueryHelpers.ParseQuery(request.QueryString);
        query.TryGetValue(ClientSecurity.TokenQueryParameter, out var token);
        var verdict = await deps.Policy.EvaluateAsync(request.Header("Origin"), request.RequestedProtocols(), request.Header("Authorization"), token);
        if (verdict.Refusal is not null) return (Outcome.ToKestrel, null);
        if (await AcceptAsync(context, socket, input, request, headLength, verdict.SubProtocol)) return (Outcome.Accepted, verdict);
        deps.Security.ReleaseSlot();
        return (Outcome.Ended, null);
    }

    /// <summary>
    /// Reads until the head is complete or clearly not ours, and leaves the input where it was: an upgrade's
    /// head is consumed only on acceptance. No request for "not ours", a hang-up or the timeout.
    /// </summary>
    private static async Task<(UpgradeRequest? Request, long HeadLength)> PeekAsync(PipeReader input)
    {
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            UpgradeRequest? request = null;
            long headLength = 0;
            var verdict = result.IsCanceled ? PeekVerdict.NotOurs : UpgradeRequest.TryParse(buffer, MaxHeadBytes, out request, out headLength);
            if (verdict == PeekVerdict.NeedMoreData && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            // Examined = start: Kestrel's next read must see these bytes at once, not wait for more.
            input.AdvanceTo(buffer.Start);
            return verdict == PeekVerdict.Upgrade ? (request, headLength) : (null, 0);
        }
    }

    private static async Task<bool> AcceptAsync(ConnectionContext context, Socket socket, PipeReader input, UpgradeRequest request, long headLength, string? subProtocol)
    {
        // The peeked bytes are still buffered, so this read returns at once.
        var result = await input.ReadAsync();
        input.AdvanceTo(result.Buffer.GetPosition(headLength));
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(request.Key + AcceptGuid)));
        var response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
            .Append(accept).Append("\r\n");
        if (subProtocol is not null) response.Append("Sec-WebSocket-Protocol: ").Append(subProtocol).Append("\r\n");
        response.Append("\r\n");
        try
        {
            var bytes = Encoding.ASCII.GetBytes(response.ToString());
            var sent = 0;
            while (sent < bytes.Length) sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
            // From here the transport writes with non-blocking sends from whichever thread has frames ready.
            socket.Blocking = false;
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            context.Abort();
            return false;
        }
    }

    /// <summary>Resolved on the first connection: Kestrel builds its middleware before the app's services exist.</summary>
    private sealed class Dependencies(IServiceProvider services)
    {
        public GatewayOptions Options { get; } = services.GetRequiredService<IOptions<GatewayOptions>>().Value;

        public HandshakePolicy Policy { get; } = services.GetRequiredService<HandshakePolicy>();

        public ConnectionRunner Runner { get; } = services.GetRequiredService<ConnectionRunner>();

        public ClientSecurity Security { get; } = services.GetRequiredService<ClientSecurity>();

        public ConnectionServices Connections { get; } = services.GetRequiredService<ConnectionServices>();
    }
}
