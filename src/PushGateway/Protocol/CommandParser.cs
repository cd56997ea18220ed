using System.Text.Json;
using System.Text.Unicode;

namespace PushGateway.Protocol;

/// <summary>Parses one client frame of the JSON subprotocol into a command, or says precisely what is wrong.</summary>
public static class CommandParser
{
    /// <summary>Longer ids are refused: they are echoed back and must not become an amplification channel.</summary>
    public const int MaxIdLength = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    public static bool TryParse(ReadOnlySpan<byte> utf8, out ClientCommand? command, out ProtocolError? error)
    {
        command = null;
        if (!Utf8.IsValid(utf8))
        {
            error = new ProtocolError(ErrorCodes.InvalidJson, "the frame is not valid UTF-8");
            return false;
        }

        string? type = null, topic = null;
        byte[]? rawId = null;
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
        command = new ClientCommand { Type = type, RawId = rawId, Topic = topic };
        error = null;
        return true;
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
