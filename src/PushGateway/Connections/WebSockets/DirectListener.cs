using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// One bound endpoint of Kestrel's, accepted by the gateway: each socket is shown to the
/// <see cref="DirectHandshake"/> first, and what it does not keep is handed to Kestrel as an ordinary
/// socket connection. A WebSocket the gateway keeps never becomes a Kestrel connection, so it costs no
/// pipes, no connection middleware state and no Kestrel bookkeeping: about half of an idle connection's
/// memory before (docs/benchmarks.md).
/// </summary>
internal sealed partial class DirectListener : IConnectionListener
{
    private readonly Socket listenSocket;
    private readonly DirectHandshake handshake;
    private readonly SocketConnectionContextFactory kestrelConnections;
    private readonly ILogger logger;
    private readonly Channel<ConnectionContext> toKestrel = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = true });
    // The sockets being looked at or served here, so that disposing the listener can end them.
    private readonly ConcurrentDictionary<Socket, Task> inFlight = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task acceptLoop;
    private readonly bool noDelay;

    public DirectListener(Socket listenSocket, bool noDelay, DirectHandshake handshake, SocketConnectionContextFactory kestrelConnections, ILogger logger)
    {
        this.listenSocket = listenSocket;
        this.noDelay = noDelay;
        this.handshake = handshake;
        this.kestrelConnections = kestrelConnections;
        this.logger = logger;
        EndPoint = listenSocket.LocalEndPoint!;
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);

    public EndPoint EndPoint { get; }

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await toKestrel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Stops accepting; connections already accepted (Kestrel's and the gateway's) go on.</summary>
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listenSocket.Dispose();
        await acceptLoop.ConfigureAwait(false);
    }

    /// <summary>
    /// Ends what is still served here. The node's drain has closed its WebSockets by now (it runs before
    /// Kestrel stops), so what remains are handshakes in progress and peers that never answered a close.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await UnbindAsync().ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in inFlight.Keys)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
        // Bounded: a socket's own code could be stuck in something the shutdown does not end, and
        // Kestrel's stop must not hang on it.
        var served = Task.WhenAll(inFlight.Values);
        if (await Task.WhenAny(served, Task.Delay(DisposeWait)).ConfigureAwait(false) != served) LogDisposeTimedOut(logger, inFlight.Count);
        kestrelConnections.Dispose();
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.OperationAborted)
            {
                break;
            }
            catch (SocketException ex)
            {
                // A peer that reset before it was accepted, or a transient lack of descriptors: the listener goes on.
                LogAcceptFailed(logger, ex.SocketErrorCode, ex);
                if (ex.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable) await Task.Delay(10).ConfigureAwait(false);
                continue;
            }
            try
            {
                // A peer may reset between accept and here; no one socket may end the accept loop.
                socket.NoDelay = noDelay;
                // Registered before it starts, so a connection that ends at once cannot be removed before it was added.
                inFlight[socket] = Task.CompletedTask;
                inFlight.TryUpdate(socket, ServeAsync(socket), Task.CompletedTask);
            }
            catch (Exception ex)
            {
                LogAcceptFailed(logger, ex is SocketException se ? se.SocketErrorCode : SocketError.SocketError, ex);
                inFlight.TryRemove(socket, out _);
                socket.Dispose();
            }
        }
        toKestrel.Writer.TryComplete();
    }

    private async Task ServeAsync(Socket socket)
    {
        // Off the accept loop before anything else: the handshake waits for the peer.
        await Task.Yield();
        try
        {
            var (outcome, verdict) = await handshake.HandshakeAsync(socket, stopping.Token).ConfigureAwait(false);
            switch (outcome)
            {
                case DirectHandshake.Outcome.ToKestrel:
                    var connection = kestrelConnections.Create(socket);
                    // Only when the listener has stopped: the connection's pipes and socket are released with it.
                    if (!toKestrel.Writer.TryWrite(connection)) await connection.DisposeAsync().ConfigureAwait(false);
                    break;
                case DirectHandshake.Outcome.Ended:
                    SocketTransport.Close(socket);
                    break;
                default:
                    var transport = handshake.CreateTransport(socket, verdict!);
                    try
                    {
                        await handshake.ServeAsync(transport, verdict!).ConfigureAwait(false);
                    }
                    finally
                    {
                        handshake.End(transport);
                    }
                    break;
            }
        }
        catch (Exception ex)
        {
            // The connection's own code handles its errors; this is the last line, so one socket cannot take the listener down.
            LogServeFailed(logger, ex);
            socket.Dispose();
        }
        finally
        {
            inFlight.TryRemove(socket, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepting a connection failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, SocketError error, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} directly served connections had not ended 5 s after the listener stopped")]
    private static partial void LogDisposeTimedOut(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A directly served connection failed")]
    private static partial void LogServeFailed(ILogger logger, Exception exception);
}
