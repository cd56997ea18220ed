using System.Buffers.Binary;
using System.Threading.Channels;
using LoadGen.Measurement;

namespace BusBench;

/// <summary>
/// The gateway's next step after the bus (Topics/MessageDispatcher.cs): a bounded channel drained by
/// one thread-pool loop. Here the loop only reads the payload's send time, where the gateway fans out.
/// </summary>
internal sealed class Handoff
{
    private readonly Channel<(string Channel, byte[] Payload)> queue =
        Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(65_536) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Task worker;
    private long measured;
    private long dropped;

    public Handoff() => worker = Task.Run(RunAsync);

    public LatencyHistogram Latency { get; } = new();

    public long Measured => Interlocked.Read(ref measured);

    public long Dropped => Interlocked.Read(ref dropped);

    public void Post(string channel, byte[] payload)
    {
        if (!queue.Writer.TryWrite((channel, payload))) Interlocked.Increment(ref dropped);
    }

    private async Task RunAsync()
    {
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item)) Process(item.Channel, item.Payload);
        }
    }

    /// <summary>The work itself; called by the loop, or by the bus's thread for the "inline" client (no hand-off).</summary>
    public void Process(string channel, byte[] payload)
    {
        if (!Payload.TryRead(payload, out var sentMicros, out var isMeasured) || !isMeasured) return;
        Latency.Record(WallClock.NowMicros - sentMicros);
        Interlocked.Increment(ref measured);
    }
}

/// <summary>A published message: its send time on the wall clock, whether it is in the measured phase, padding.</summary>
internal static class Payload
{
    public static byte[] Create(int size) => new byte[Math.Max(size, 9)];

    public static void Stamp(byte[] payload, long sentMicros, bool measured)
    {
        BinaryPrimitives.WriteInt64LittleEndian(payload, sentMicros);
        payload[8] = measured ? (byte)1 : (byte)0;
    }

    public static bool TryRead(byte[] payload, out long sentMicros, out bool measured)
    {
        sentMicros = 0;
        measured = false;
        if (payload.Length < 9) return false;
        sentMicros = BinaryPrimitives.ReadInt64LittleEndian(payload);
        measured = payload[8] == 1;
        return true;
    }
}
