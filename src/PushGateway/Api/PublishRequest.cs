using System.Text.Json;
using PushGateway.Topics;

namespace PushGateway.Api;

/// <summary>
/// The body of POST /api/publish: one message `{"topic":..,"data":..}` or a batch
/// `{"messages":[{"topic":..,"data":..}, ...]}`. `data` is kept as its exact JSON text, as the
/// WebSocket `publish` command does.
/// </summary>
internal static class PublishRequest
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    public static PublishParse Parse(ReadOnlySpan<byte> body, int maxMessages, int maxDataBytes)
    {
        // The reader checks UTF-8 only where it decodes a string; checking first keeps every answer a 400.
        if (!System.Text.Unicode.Utf8.IsValid(body)) return PublishParse.Fail(StatusCodes.Status400BadRequest, "the body is not valid UTF-8");
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return PublishParse.Fail(StatusCodes.Status400BadRequest, "the body must be a JSON object");
            var single = new MessageFields();
            List<OutgoingMessage>? batch = null;
            var sawMessages = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("messages"u8))
                {
                    sawMessages = true;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray) return PublishParse.Fail(StatusCodes.Status400BadRequest, "'messages' must be an array");
                    batch = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (batch.Count == maxMessages) return PublishParse.Fail(StatusCodes.Status413PayloadTooLarge, $"a batch holds at most {maxMessages} messages");
                        if (reader.TokenType != JsonTokenType.StartObject) return PublishParse.Fail(StatusCodes.Status400BadRequest, $"messages[{batch.Count}] must be an object");
                        var fields = new MessageFields();
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName) fields.Read(ref reader, body);
                        var error = fields.ToMessage($"messages[{batch.Count}]", maxDataBytes, out var message);
                        if (error is not null) return error.Value;
                        batch.Add(message!);
                    }
                }
                else
                {
                    single.Read(ref reader, body);
                }
            }
            while (reader.Read()) { }
            if (sawMessages)
            {
                if (single.Present) return PublishParse.Fail(StatusCodes.Status400BadRequest, "send either 'topic' and 'data', or 'messages', not both");
                if (batch!.Count == 0) return PublishParse.Fail(StatusCodes.Status400BadRequest, "'messages' is empty");
                return new PublishParse(batch, 0, null);
            }
            var singleError = single.ToMessage("the message", maxDataBytes, out var only);
            return singleError ?? new PublishParse([only!], 0, null);
        }
        catch (JsonException ex)
        {
            return PublishParse.Fail(StatusCodes.Status400BadRequest, $"malformed JSON at byte {ex.BytePositionInLine}");
        }
    }

    private sealed class MessageFields
    {
        private string? topic;
        private byte[]? data;
        private string? typeError;

        public bool Present => topic is not null || data is not null || typeError is not null;

        public void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
        {
            if (reader.ValueTextEquals("topic"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) topic = reader.GetString();
                else { typeError ??= "'topic' must be a string"; reader.Skip(); }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                data = body[start..(int)reader.BytesConsumed].ToArray();
            }
            else
            {
                // Unknown fields are ignored, as in the WebSocket protocol.
                reader.Read();
                reader.Skip();
            }
        }

        public PublishParse? ToMessage(string what, int maxDataBytes, out OutgoingMessage? message)
        {
            message = null;
            if (typeError is not null) return PublishParse.Fail(StatusCodes.Status400BadRequest, $"{what}: {typeError}");
            if (topic is null) return PublishParse.Fail(StatusCodes.Status400BadRequest, $"{what} has no 'topic'");
            if (TopicName.Validate(topic, allowWildcards: false) is { } why) return PublishParse.Fail(StatusCodes.Status400BadRequest, $"{what}: {why} (publishing is to a concrete topic)");
            if (data is null) return PublishParse.Fail(StatusCodes.Status400BadRequest, $"{what} has no 'data'");
            if (data.Length > maxDataBytes) return PublishParse.Fail(StatusCodes.Status413PayloadTooLarge, $"{what}: 'data' is larger than {maxDataBytes} bytes");
            message = new OutgoingMessage(topic, data);
            return null;
        }
    }
}

/// <summary>One message to publish: a concrete topic and the payload's exact JSON text.</summary>
internal sealed record OutgoingMessage(string Topic, byte[] Data);

/// <summary>The messages of a request, or the status and reason it is refused with.</summary>
internal readonly record struct PublishParse(IReadOnlyList<OutgoingMessage>? Messages, int Status, string? Error)
{
    public static PublishParse Fail(int status, string error) => new(null, status, error);
}
