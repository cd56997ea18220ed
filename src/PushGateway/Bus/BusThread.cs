namespace PushGateway.Bus;

/// <summary>
/// Marks a thread the bus owns and nothing else waits on (the subscription socket's reader). The
/// router may run a small fan-out on it at once instead of handing the message to a worker: the
/// hand-off costs a thread wake-up per message, most of a quiet node's CPU per message. Only while
/// it has caught up with Redis, though: a reader with more messages already waiting that fanned
/// them out itself would do all the node's work on one core, message by message, with nothing
/// coalesced (S2 saturated at 89k deliveries/s that way, against 255k through the workers). A
/// library's callback thread is never marked: StackExchange.Redis runs every handler on one queue.
/// </summary>
public static class BusThread
{
    [ThreadStatic]
    private static bool isCurrent;

    [ThreadStatic]
    private static bool caughtUp;

    /// <summary>The calling thread is a bus thread of our own and nothing more from Redis is waiting for it.</summary>
    public static bool MayRunInline => isCurrent && caughtUp;

    internal static void MarkCurrent() => isCurrent = true;

    /// <summary>Set by the reader before each message it hands on: whether that message is the last one it has.</summary>
    internal static void SetCaughtUp(bool value) => caughtUp = value;
}
