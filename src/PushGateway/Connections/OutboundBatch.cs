using PushGateway.Observability;
using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>How a batch taken from a <see cref="SendQueue"/> becomes one frame's payload, the same for every transport.</summary>
internal static class OutboundBatch
{
    /// <summary>
    /// Copies the batch into <paramref name="destination"/> (at least the batch's bytes plus one per frame)
    /// and counts its deliveries, with the age of the oldest message, from its publish time when known.
    /// Returns the payload's length.
    /// </summary>
    public static int Write(List<OutboundFrame> batch, WireFormat format, Span<byte> destination, TimeProvider time, GatewayMetrics metrics)
    {
        var delivered = 0;
        double oldestLatencyMs = 0;
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var at = 0;
        foreach (var frame in batch)
        {
            // JSON objects in one frame are separated by '\n'; MessagePack maps simply follow each other.
            if (at > 0 && format == WireFormat.Json) destination[at++] = (byte)'\n';
            var bytes = frame.Encode(format).Span;
            bytes.CopyTo(destination[at..]);
            at += bytes.Length;
            if (frame is PublishedMessage message)
            {
                delivered++;
                oldestLatencyMs = Math.Max(oldestLatencyMs, message.LatencyMs(nowMs));
            }
        }
        if (delivered > 0) metrics.FrameWritten(delivered, oldestLatencyMs);
        return at;
    }
}
