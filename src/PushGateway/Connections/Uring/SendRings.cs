using System.Collections.Concurrent;

namespace PushGateway.Connections.Uring;

/// <summary>
/// The node's send rings, lent to one batch at a time. A ring is made on first need, up to a few per core
/// (there are about as many batches at once as threads flushing them); past that, and wherever io_uring is
/// not allowed (an old kernel, a container's seccomp profile), batches fall back to one send() per frame.
/// </summary>
internal static class SendRings
{
    private static readonly ConcurrentStack<SendRing> idle = new();
    // A ring retired with sends possibly in flight stays alive: the kernel may still read its buffer.
    private static readonly ConcurrentBag<SendRing> retired = [];
    private static readonly int limit = 4 * Environment.ProcessorCount + 4;
    private static int made;
    private static volatile string? unavailable;
    // After a refusal that may pass (memory, descriptors), no new ring is tried before this time: setup is two syscalls.
    private static long retryAt;
    private static volatile string? lastTransient;

    /// <summary>Why batches cannot use io_uring here, or null when they can (it makes the first ring to find out).</summary>
    public static string? Unavailable
    {
        get
        {
            if (unavailable is null && idle.IsEmpty && Volatile.Read(ref made) == 0)
            {
                if (Rent() is not { } ring) return unavailable ?? lastTransient;
                Return(ring);
            }
            return unavailable;
        }
    }

    /// <summary>A ring for one batch, or null (send one by one); give it back with <see cref="Return"/>.</summary>
    public static SendRing? Rent()
    {
        if (unavailable is not null) return null;
        if (idle.TryPop(out var ring)) return ring;
        if (Environment.TickCount64 < Volatile.Read(ref retryAt)) return null;
        if (Interlocked.Increment(ref made) > limit)
        {
            Interlocked.Decrement(ref made);
            return null;
        }
        ring = SendRing.TryCreate(out var reason, out var transient);
        if (ring is not null) return ring;
        Interlocked.Decrement(ref made);
        // Short of memory or descriptors, batches send one by one and one a second later tries again.
        if (transient)
        {
            lastTransient = reason;
            Volatile.Write(ref retryAt, Environment.TickCount64 + 1000);
        }
        else unavailable = reason;
        return null;
    }

    public static void Return(SendRing ring)
    {
        if (!ring.Broken)
        {
            idle.Push(ring);
            return;
        }
        // Something the ring cannot explain happened in the kernel: stop using io_uring on this node rather than risk it again.
        unavailable = "an io_uring submission failed; sends went back to send()";
        retired.Add(ring);
    }
}
