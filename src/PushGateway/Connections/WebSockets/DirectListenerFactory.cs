using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using PushGateway.Configuration;

namespace PushGateway.Connections.WebSockets;

/// <summary>
/// Kestrel's transport for TCP endpoints: binds them as Kestrel's socket transport would, and accepts
/// through a <see cref="DirectListener"/>. With Gateway:DirectWebSockets=false, and for the ports the
/// configuration binds with https (<see cref="TlsPorts"/>), it is Kestrel's socket transport itself.
/// Unix sockets and named pipes stay with Kestrel's own transports.
/// </summary>
internal sealed partial class DirectListenerFactory(
    IServiceProvider services,
    IOptions<SocketTransportOptions> socketOptions,
    IOptions<GatewayOptions> gatewayOptions,
    IConfiguration configuration,
    ILoggerFactory loggerFactory) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory kestrelTransport = new(socketOptions, loggerFactory);
    private readonly IReadOnlySet<int> tlsPorts = TlsPorts.From(configuration);

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (!gatewayOptions.Value.DirectWebSockets) return kestrelTransport.BindAsync(endpoint, cancellationToken);
        if (endpoint is IPEndPoint { Port: var port } && tlsPorts.Contains(port))
        {
            LogTlsEndpoint(loggerFactory.CreateLogger<DirectListener>(), endpoint);
            return kestrelTransport.BindAsync(endpoint, cancellationToken);
        }
        var options = socketOptions.Value;
        Socket listenSocket;
        try
        {
            listenSocket = options.CreateBoundListenSocket(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Kestrel's contract: on this exception it tries the next address of "localhost" or reports the port as taken.
            throw new AddressInUseException(ex.Message, ex);
        }
        try
        {
            listenSocket.Listen(options.Backlog);
        }
        catch
        {
            listenSocket.Dispose();
            throw;
        }
        var contexts = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions
            {
                IOQueueCount = options.IOQueueCount,
                WaitForDataBeforeAllocatingBuffer = options.WaitForDataBeforeAllocatingBuffer,
                MaxReadBufferSize = options.MaxReadBufferSize,
                MaxWriteBufferSize = options.MaxWriteBufferSize,
                UnsafePreferInlineScheduling = options.UnsafePreferInlineScheduling,
            },
            loggerFactory.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        var logger = loggerFactory.CreateLogger<DirectListener>();
        if (!gatewayOptions.Value.IoUringSends) LogSends(logger, endpoint, "one send() per frame (Gateway:IoUringSends is false)");
        else if (Uring.SendRings.Unavailable is { } reason) LogSends(logger, endpoint, $"one send() per frame: io_uring is not available ({reason})");
        else LogSends(logger, endpoint, "each fan-out batch's writes in one io_uring submission");
        var listener = new DirectListener(listenSocket, options.NoDelay, new DirectHandshake(services), contexts, logger);
        return ValueTask.FromResult<IConnectionListener>(listener);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Endpoint} serves WebSockets directly, sending {Sends}")]
    private static partial void LogSends(ILogger logger, EndPoint endpoint, string sends);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Endpoint} is bound with https: Kestrel's transport serves it, its WebSockets on ASP.NET Core's")]
    private static partial void LogTlsEndpoint(ILogger logger, EndPoint endpoint);
}
