using System.Text.Json;
using System.Text.Unicode;

namespace PushGateway.Protocol;

/// <summary>Parses one client frame of the JSON subprotocol into a command, or says precisely what is wrong.</summary>
public static class CommandParser
{
    /// <summary>Longer ids are refused: they are echoed back and must not become an amplification channel.</summary>
    public const int MaxIdLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static bool TryParse(ReadOnlySpan<byte> utf8, out ClientCommand? command, out ProtocolError? error)
    {
        command = null;
        if (!Utf8.IsValid(utf8))
        {
            error = new ProtocolError(ErrorCodes.InvalidJson, "the frame is not valid UTF-8");
            return false;
        }

        string? type = null, topic = null, token = null;
        byte[]? rawId = null, rawData = null;
        var snapshot = false;
        double? maxRate = null;
        StreamPosition? since = null;
        Dictionary<string, StreamPosition>? positions = null;
        Deadband? deadband = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // Still read to the end so malformed JSON is reported as such, not as a wrong shape.
                while (reader.Read()) { }
                error = new ProtocolError(ErrorCodes.InvalidCommand, "a command must be a JSON object");
                return false;
            }
            string? fieldError = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) type = reader.GetString();
                    else { fieldError ??= "'type' must be a string"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && reader.ValueSpan.Length <= MaxIdLength)
                        rawId = RawToken(ref reader);
                    else { fieldError ??= $"'id' must be a number or a string of at most {MaxIdLength} bytes"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("topic"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) topic = reader.GetString();
                    else { fieldError ??= "'topic' must be a string"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("snapshot"u8))
                {
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.True or JsonTokenType.False) snapshot = reader.GetBoolean();
                    else { fieldError ??= "'snapshot' must be true or false"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("maxRate"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var rate) && rate > 0 && double.IsFinite(rate)) maxRate = rate;
                    else { fieldError ??= "'maxRate' must be a positive number of messages per second"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("since"u8))
                {
                    reader.Read();
                    since = ReadPosition(ref reader, "since", ref fieldError);
                }
                else if (reader.ValueTextEquals("positions"u8))
                {
                    reader.Read();
                    positions = ReadPositions(ref reader, ref fieldError);
                }
                else if (reader.ValueTextEquals("deadband"u8))
                {
                    reader.Read();
                    deadband = ReadDeadband(ref reader, ref fieldError);
                }
                else if (reader.ValueTextEquals("token"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) token = reader.GetString();
                    else { fieldError ??= "'token' must be a string"; reader.Skip(); }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    rawData = utf8[start..(int)reader.BytesConsumed].ToArray();
                }
                else
                {
                    // Unknown fields are ignored so later protocol additions keep v1 servers and clients compatible.
                    reader.Read();
                    reader.Skip();
                }
            }
            while (reader.Read()) { }
            if (fieldError is not null)
            {
                error = new ProtocolError(ErrorCodes.InvalidCommand, fieldError, rawId);
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = new ProtocolError(ErrorCodes.InvalidJson, $"malformed JSON at byte {ex.BytePositionInLine}", rawId);
            return false;
        }

        if (type is null)
        {
            error = new ProtocolError(ErrorCodes.MissingType, "the command has no 'type'", rawId);
            return false;
        }
        command = new ClientCommand
        {
            Type = type,
            RawId = rawId,
            Topic = topic,
            Snapshot = snapshot,
            MaxRate = maxRate,
            Since = since,
            Positions = positions,
            Deadband = deadband,
            Token = token,
            RawData = rawData,
        };
        error = null;
        return true;
    }

    private static StreamPosition? ReadPosition(ref Utf8JsonReader reader, string field, ref string? fieldError)
    {
        long? seq = null;
        string? epoch = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var n) && n >= 0) seq = n;
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("epoch"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) epoch = reader.GetString();
                    else reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        else
        {
            reader.Skip();
        }
        if (seq is not null && epoch is not null) return new StreamPosition(seq.Value, epoch);
        fieldError ??= $"'{field}' must be {{\"seq\":<non-negative integer>,\"epoch\":<string>}}";
        return null;
    }

    private static Dictionary<string, StreamPosition>? ReadPositions(ref Utf8JsonReader reader, ref string? fieldError)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            fieldError ??= "'positions' must be an object of topic to {\"seq\",\"epoch\"}";
            return null;
        }
        var positions = new Dictionary<string, StreamPosition>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var topic = reader.GetString()!;
            reader.Read();
            var position = ReadPosition(ref reader, "positions." + (topic.Length > 40 ? topic[..40] : topic), ref fieldError);
            if (position is not null) positions[topic] = position;
        }
        return positions;
    }

    private static Deadband? ReadDeadband(ref Utf8JsonReader reader, ref string? fieldError)
    {
        string? field = null;
        double? delta = null;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("field"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) field = reader.GetString();
                    else reader.Skip();
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && d >= 0 && double.IsFinite(d)) delta = d;
                    else reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        else
        {
            reader.Skip();
        }
        if (field is { Length: > 0 and <= 64 } && delta is not null) return new Deadband(field, delta.Value);
        fieldError ??= "'deadband' must be {\"field\":<name of a numeric field>,\"delta\":<non-negative number>}";
        return null;
    }

    private static byte[] RawToken(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) return reader.ValueSpan.ToArray();
        // ValueSpan of a string is its escaped text without quotes: put the quotes back to echo it verbatim.
        var raw = new byte[reader.ValueSpan.Length + 2];
        raw[0] = raw[^1] = (byte)'"';
        reader.ValueSpan.CopyTo(raw.AsSpan(1));
        return raw;
    }
}
