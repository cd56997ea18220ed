using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol.MessagePack;
using static PushGateway.Tests.Protocol.MessagePack.JsonMessagePackTranscoderTests;
using static PushGateway.Tests.Protocol.MessagePack.MessagePackWriterTests;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>
/// The codec checked against an implementation it shares no code with, @msgpack/msgpack on Node, in both directions.
/// Needs node and npm on PATH (see <see cref="NodeInterop"/>); run alone with
/// <c>dotnet test tests/PushGateway.Tests --filter FullyQualifiedName~NodeInterop</c>.
/// </summary>
public class NodeInteropTests
{
    private const int Seed = 7_340_033;
    private const int RandomCases = 400;

    private static readonly long[] Integers =
    [
        0, 1, 127, 128, 255, 256, 65535, 65536, int.MaxValue, uint.MaxValue, uint.MaxValue + 1L, (1L << 53) + 1, long.MaxValue,
        -1, -32, -33, -128, -129, short.MinValue, short.MinValue - 1, int.MinValue, int.MinValue - 1L, long.MinValue,
    ];

    private static readonly int[] Lengths = [0, 1, 2, 3, 4, 8, 15, 16, 17, 31, 32, 255, 256, 65535, 65536];

    private sealed record EncodedCase(string Name, byte[] MessagePack, string ExpectedJson);

    /// <param name="SameBytes">Both encoders pick the smallest format, so where the JSON pins every choice the bytes must match.</param>
    private sealed record JsonCase(string Name, string NodeInput, string ExpectedJson, bool SameBytes);

    [Fact]
    public void Tricky_values_encoded_here_decode_to_the_same_values_in_javascript()
    {
        var cases = EncodedCases();
        var decoded = NodeInterop.Run("decode", cases.ConvertAll(c => Convert.ToHexStringLower(c.MessagePack)));
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.False(decoded[i].StartsWith('!'), $"{cases[i].Name}: @msgpack/msgpack refused it: {decoded[i]}");
            JsonAssert.Equivalent(cases[i].ExpectedJson, decoded[i], $"{cases[i].Name}, as @msgpack/msgpack decodes it");
            JsonAssert.Equivalent(cases[i].ExpectedJson, ToJson(cases[i].MessagePack), $"{cases[i].Name}, as the transcoder decodes it");
        }
    }

    [Fact]
    public void Tricky_values_encoded_in_javascript_decode_to_the_same_values_here()
    {
        var cases = JsonCases();
        var encoded = NodeInterop.Run("encode", cases.ConvertAll(c => c.NodeInput));
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.False(encoded[i].StartsWith('!'), $"{cases[i].Name}: @msgpack/msgpack could not encode it: {encoded[i]}");
            var bytes = Convert.FromHexString(encoded[i]);
            JsonAssert.Equivalent(cases[i].ExpectedJson, ToJson(bytes), cases[i].Name);

            var reader = new MessagePackReader(bytes);
            reader.Skip();
            Assert.True(reader.End, $"{cases[i].Name}: Skip stopped at {reader.Position} of {bytes.Length}");
            if (cases[i].SameBytes)
                Assert.True(encoded[i] == Convert.ToHexStringLower(ToMessagePack(cases[i].NodeInput)), $"{cases[i].Name}: the two encoders chose different formats");
        }
    }

    [Fact]
    public void Random_documents_encoded_here_decode_to_the_same_values_in_javascript()
    {
        var documents = new RandomDocuments(Seed, DocumentProfile.JavaScript);
        var cases = new List<(byte[] MessagePack, string Json)>();
        for (var i = 0; i < RandomCases; i++) cases.Add(documents.Next());

        var decoded = NodeInterop.Run("decode", cases.ConvertAll(c => Convert.ToHexStringLower(c.MessagePack)));
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.False(decoded[i].StartsWith('!'), $"seed {Seed}, case {i}: @msgpack/msgpack refused {Convert.ToHexStringLower(cases[i].MessagePack)}: {decoded[i]}");
            JsonAssert.Equivalent(cases[i].Json, decoded[i], $"seed {Seed}, case {i}");
        }
    }

    [Fact]
    public void Random_documents_encoded_in_javascript_decode_to_the_same_values_here()
    {
        var documents = new RandomDocuments(Seed, DocumentProfile.Json);
        var inputs = new List<string>();
        for (var i = 0; i < RandomCases; i++) inputs.Add(documents.Next().Json);

        var encoded = NodeInterop.Run("encode", inputs);
        for (var i = 0; i < inputs.Count; i++)
        {
            Assert.False(encoded[i].StartsWith('!'), $"seed {Seed}, case {i}: @msgpack/msgpack could not encode {inputs[i]}: {encoded[i]}");
            JsonAssert.Equivalent(inputs[i], ToJson(Convert.FromHexString(encoded[i])), $"seed {Seed}, case {i}");
        }
    }

    private static List<EncodedCase> EncodedCases()
    {
        var cases = new List<EncodedCase>();
        void Add(string name, string expectedJson, Action<MessagePackWriter> write) => cases.Add(new(name, Write(write), expectedJson));

        foreach (var value in Integers) Add($"int {value}", Number(value), w => w.WriteInt64(value));
        Add("uint64 max", "18446744073709551615", w => w.WriteUInt64(ulong.MaxValue));
        Add("uint64 2^63", "9223372036854775808", w => w.WriteUInt64((ulong)long.MaxValue + 1));

        foreach (var value in new[] { 0.1, -0.0, 1.5, double.Epsilon, double.MaxValue, double.MinValue, 1e21, 9.223372036854776E+18, 4294967296.0 })
            Add($"float64 {value:R}", Number(value), w => w.WriteDouble(value));
        foreach (var value in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
            Add($"float64 {value}", "null", w => w.WriteDouble(value));
        foreach (var value in new[] { 0.1f, float.MaxValue, float.Epsilon, -2.5f })
            Add($"float32 {value:R}", Number((double)value), w => w.WriteSingle(value));
        Add("float32 NaN", "null", w => w.WriteSingle(float.NaN));

        Add("nil", "null", w => w.WriteNil());
        Add("true", "true", w => w.WriteBoolean(true));
        Add("false", "false", w => w.WriteBoolean(false));

        foreach (var length in Lengths)
        {
            var text = new string('s', length);
            Add($"str of {length} bytes", Quote(text), w => w.WriteString(text));
            var bytes = Bytes(length);
            Add($"bin of {length} bytes", Quote(Convert.ToBase64String(bytes)), w => w.WriteBinary(bytes));
            foreach (sbyte type in new sbyte[] { 0, 127, -128, -1 })
                Add($"ext {type} of {length} bytes", Extension(type, bytes), w => w.WriteExtension(type, bytes));
        }
        foreach (var text in new[] { "é中😀", "\u0000\u001f\"\\/\n\t", "\u2028\u2029", "<script>&'+`", new string('é', 16), new string('中', 11) })
            Add($"str {Quote(text)}", Quote(text), w => w.WriteString(text));
        Add("str with a lone surrogate", Quote("a\uFFFDb"), w => w.WriteString("a\ud800b"));

        foreach (var count in new[] { 0, 15, 16, 65535, 65536 })
        {
            Add($"array of {count}", "[" + string.Join(',', Enumerable.Range(0, count).Select(i => (i % 200).ToString(CultureInfo.InvariantCulture))) + "]", w =>
            {
                w.WriteArrayHeader(count);
                for (var i = 0; i < count; i++) w.WriteInt64(i % 200);
            });
            if (count > 65535) continue;
            Add($"map of {count}", "{" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"key{i}\":{i}")) + "}", w =>
            {
                w.WriteMapHeader(count);
                for (var i = 0; i < count; i++)
                {
                    w.WriteString($"key{i}");
                    w.WriteInt64(i);
                }
            });
        }
        Add("map with integer keys", """{"1":"a","-1":"b","2147483647":"c"}""", w =>
        {
            w.WriteMapHeader(3);
            w.WriteInt64(1);
            w.WriteString("a");
            w.WriteInt64(-1);
            w.WriteString("b");
            w.WriteInt64(int.MaxValue);
            w.WriteString("c");
        });
        Add("64 nested arrays", new string('[', 64) + new string(']', 64), w =>
        {
            for (var i = 0; i < 63; i++) w.WriteArrayHeader(1);
            w.WriteArrayHeader(0);
        });
        return cases;
    }

    private static List<JsonCase> JsonCases()
    {
        var cases = new List<JsonCase>();
        void Add(string name, string json, string? expected = null, bool sameBytes = true) => cases.Add(new(name, json, expected ?? json, sameBytes));

        foreach (var value in Integers) Add($"int {value}", Number(value));
        Add("uint64 max", "18446744073709551615");
        Add("2^63", "9223372036854775808");
        foreach (var json in new[] { "0.1", "-1.5", "1e21", "5e-324", "1.7976931348623157e308", "-0" })
            Add($"number {json}", json);
        Add("integral float", "1.0", "1", sameBytes: false);
        Add("constants", "[true,false,null]");

        foreach (var length in Lengths)
        {
            var text = new string('s', length);
            Add($"str of {length} bytes", Quote(text));
            var bytes = Bytes(length);
            var base64 = Quote(Convert.ToBase64String(bytes));
            Add($"bin of {length} bytes", $$"""{"$bin":{{base64}}}""", base64, sameBytes: false);
            foreach (sbyte type in new sbyte[] { 0, 127, -128, -1 })
                Add($"ext {type} of {length} bytes", Extension(type, bytes), sameBytes: false);
        }
        foreach (var text in new[] { "é中😀", "\u0000\u001f\"\\/\n\t", "\u2028\u2029", new string('é', 16) })
        {
            Add($"escaped str {Quote(text)}", Quote(text));
            Add($"raw str {Quote(text)}", "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\t", "\\t").Replace("\u0000", "\\u0000").Replace("\u001f", "\\u001f") + "\"");
        }

        foreach (var count in new[] { 0, 15, 16, 65536 })
        {
            Add($"array of {count}", "[" + string.Join(',', Enumerable.Range(0, count).Select(i => (i * 7919 % 100_000).ToString(CultureInfo.InvariantCulture))) + "]");
            Add($"map of {count}", "{" + string.Join(',', Enumerable.Range(0, count).Select(i => $"\"key{i}\":[{i},\"v\"]")) + "}");
        }
        Add("integer-like keys", """{"b":1,"2":2,"a":3,"1":4}""", sameBytes: false);
        Add("nested", """{"type":"message","topic":"fx.EURUSD","data":{"bid":1.0845,"ts":1700000000000,"tags":[[],{},[{"x":-1}]]}}""");
        return cases;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Number(double value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) writer.WriteNumberValue(value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static string Extension(sbyte type, byte[] data) => $$"""{"$ext":{{type}},"data":{{Quote(Convert.ToBase64String(data))}}}""";

    private static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++) bytes[i] = (byte)(i * 31 + 7);
        return bytes;
    }
}
