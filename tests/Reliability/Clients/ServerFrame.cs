using System.Text.Json;

namespace PushGateway.Reliability.Clients;

/// <summary>
/// The fields of one server object (protocol v1) that the suite counts with: for a message, its
/// topic, seq, epoch and the publisher's counter n and send time t from the payload. Unknown fields
/// are skipped, as the protocol asks of clients.
/// </summary>
internal readonly record struct ServerFrame(
    string Type,
    long Id,
    string? Topic,
    long Seq,
    string? Epoch,
    long N,
    long SentMicros,
    string? Reason,
    string? Code)
{
    public static bool TryParse(ReadOnlySpan<byte> json, out ServerFrame frame)
    {
        frame = default;
        string? type = null, topic = null, epoch = null, reason = null, code = null;
        long id = -1, seq = 0, n = -1, sent = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8)) type = NextString(ref reader);
                else if (reader.ValueTextEquals("topic"u8)) topic = NextString(ref reader);
                else if (reader.ValueTextEquals("epoch"u8)) epoch = NextString(ref reader);
                else if (reader.ValueTextEquals("reason"u8)) reason = NextString(ref reader);
                else if (reader.ValueTextEquals("code"u8)) code = NextString(ref reader);
                else if (reader.ValueTextEquals("seq"u8)) seq = NextLong(ref reader);
                else if (reader.ValueTextEquals("id"u8)) id = NextLong(ref reader);
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("n"u8)) n = NextLong(ref reader);
                        else if (reader.ValueTextEquals("t"u8)) sent = NextLong(ref reader);
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (type is null) return false;
        frame = new ServerFrame(type, id, topic, seq, epoch, n, sent, reason, code);
        return true;
    }

    private static string? NextString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    private static long NextLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : -1;
    }
}
