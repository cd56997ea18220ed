using System.Text.Json;

namespace PushGateway.Protocol;

/// <summary>Reads one top-level numeric field of a JSON object, for the deadband filter.</summary>
internal static class JsonNumberField
{
    public static double? Read(ReadOnlySpan<byte> json, string field)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var match = reader.ValueTextEquals(field);
                reader.Read();
                if (match) return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) ? value : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
