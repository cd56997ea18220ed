using System.Buffers.Text;

namespace PushGateway.Bus;

/// <summary>
/// How the sequenced publish path (Bus/pushgw.lua) frames a message on the Redis channel:
/// <c>\x1E{seq}:{epoch}:{unix ms}\n{payload}</c>. The record separator cannot start JSON text, so a
/// plain PUBLISH of JSON is never mistaken for it.
/// </summary>
public static class SequencedEnvelope
{
    public const byte Marker = 0x1E;

    private static readonly System.Buffers.SearchValues<byte> EpochChars =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"u8);

    /// <summary>
    /// False for anything that is not a well-formed envelope with a positive seq, and then the outs say
    /// "plain message": seq 0, no epoch, the whole of <paramref name="raw"/> as the payload. A plain
    /// PUBLISH that only looks like an envelope must not reach the router with a seq of its choosing.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> raw, out long seq, out string epoch, out long publishedAtMs, out ReadOnlyMemory<byte> payload)
    {
        seq = 0;
        epoch = "";
        publishedAtMs = 0;
        payload = raw;
        var span = raw.Span;
        if (span.IsEmpty || span[0] != Marker) return false;
        var newline = span.IndexOf((byte)'\n');
        if (newline < 0) return false;
        var header = span[1..newline];
        var first = header.IndexOf((byte)':');
        var last = header.LastIndexOf((byte)':');
        if (first <= 0 || last <= first) return false;
        if (!Utf8Parser.TryParse(header[..first], out long parsedSeq, out var used) || used != first || parsedSeq <= 0) return false;
        if (!Utf8Parser.TryParse(header[(last + 1)..], out long parsedAt, out used) || used != header.Length - last - 1) return false;
        var epochBytes = header[(first + 1)..last];
        // The epoch is echoed inside JSON frames, so a forged envelope must not smuggle in quotes or controls.
        if (epochBytes.IsEmpty || epochBytes.Length > 32 || epochBytes.ContainsAnyExcept(EpochChars)) return false;
        seq = parsedSeq;
        publishedAtMs = parsedAt;
        epoch = System.Text.Encoding.ASCII.GetString(epochBytes);
        payload = raw[(newline + 1)..];
        return true;
    }

    public static byte[] Create(long seq, string epoch, long publishedAtMs, ReadOnlySpan<byte> payload)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"\u001e{seq}:{epoch}:{publishedAtMs}\n");
        var bytes = new byte[header.Length + payload.Length];
        header.CopyTo(bytes, 0);
        payload.CopyTo(bytes.AsSpan(header.Length));
        return bytes;
    }
}
