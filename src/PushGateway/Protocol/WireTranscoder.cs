using System.Buffers;
using PushGateway.Protocol.MessagePack;

namespace PushGateway.Protocol;

/// <summary>Converts whole frames between the JSON and MessagePack subprotocols.</summary>
internal static class WireTranscoder
{
    /// <summary>One JSON object to one MessagePack map: done once per message per node, then shared.</summary>
    public static byte[] JsonToMessagePack(ReadOnlySpan<byte> json)
    {
        var output = new ArrayBufferWriter<byte>(json.Length);
        JsonMessagePackTranscoder.JsonToMessagePack(json, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A client's MessagePack command as JSON, so one parser serves both subprotocols; false when it is not valid MessagePack.</summary>
    public static bool TryMessagePackToJson(ReadOnlySpan<byte> msgpack, out byte[] json, out string? error)
    {
        try
        {
            var output = new ArrayBufferWriter<byte>(msgpack.Length * 2 + 16);
            JsonMessagePackTranscoder.MessagePackToJson(msgpack, output);
            json = output.WrittenSpan.ToArray();
            error = null;
            return true;
        }
        catch (MessagePackFormatException ex)
        {
            json = [];
            error = ex.Message;
            return false;
        }
    }
}
