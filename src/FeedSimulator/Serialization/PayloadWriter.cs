using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace FeedSimulator.Serialization;

/// <summary>
/// One reusable buffer and <see cref="Utf8JsonWriter"/> per feed run: payloads are written straight to UTF-8
/// and copied out once, so thousands of ticks a second cost one small array each. Not thread-safe.
/// </summary>
internal sealed class PayloadWriter
{
    // Station names carry Polish and Czech letters; the default encoder would turn them into \u escapes.
    private static readonly JavaScriptEncoder Encoder =
        JavaScriptEncoder.Create(UnicodeRanges.BasicLatin, UnicodeRanges.Latin1Supplement, UnicodeRanges.LatinExtendedA);

    private readonly ArrayBufferWriter<byte> buffer = new(512);
    private readonly Utf8JsonWriter json;

    public PayloadWriter()
    {
        json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder, SkipValidation = true });
    }

    public Utf8JsonWriter Begin()
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        return json;
    }

    /// <summary>ISO-8601 UTC with milliseconds (truncated), e.g. 2026-11-21T10:00:00.123Z.</summary>
    public void WriteTimestamp(JsonEncodedText name, DateTimeOffset timestamp)
    {
        Span<byte> text = stackalloc byte[32];
        timestamp.UtcDateTime.TryFormat(text, out var written, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);
        json.WriteString(name, text[..written]);
    }

    public byte[] ToArray()
    {
        json.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
