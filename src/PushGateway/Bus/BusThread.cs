namespace PushGateway.Bus;

/// <summary>
/// Marks a thread the bus owns and nothing else waits on (the subscription socket's reader). The
/// router may run a small fan-out on it at once instead of handing the message to a worker: the
/// hand-off costs a thread wake-up per message, most of a quiet node's CPU per message. A library's
/// callback thread is never marked: StackExchange.Redis runs every handler on one queue.
/// </summary>
public static class BusThread
{
    [ThreadStatic]
    private static bool isCurrent;

    public static bool IsCurrent => isCurrent;

    internal static void MarkCurrent() => isCurrent = true;
}
