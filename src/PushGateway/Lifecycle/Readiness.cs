using PushGateway.Bus;

namespace PushGateway.Lifecycle;

/// <summary>
/// Whether the load balancer should send this node new clients: not while it drains, and not while
/// the bus is down (its clients would miss everything published elsewhere). Clients already
/// connected stay either way; liveness (/healthz) never depends on this.
/// </summary>
internal sealed class Readiness(IMessageBus bus, DrainCoordinator drain)
{
    /// <summary>Ready, or the first reason it is not, in words an operator can act on.</summary>
    public (bool Ready, string Reason) Check()
    {
        if (drain.IsDraining) return (false, "draining: the node is shutting down");
        if (!bus.IsConnected) return (false, $"the {bus.Name} bus is disconnected; clients stay connected while it reconnects");
        return (true, "ready");
    }

    public IResult ToResult()
    {
        var (ready, reason) = Check();
        return ready
            ? Results.Text("ready\n")
            : Results.Text($"not ready: {reason}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
