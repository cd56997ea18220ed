using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol.MessagePack;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>Which values a <see cref="RandomDocuments"/> generator may produce.</summary>
internal enum DocumentProfile
{
    /// <summary>Only what JSON can say: str keys, no bin, ext, float32, NaN or infinity.</summary>
    Json,

    /// <summary>Also bin, ext, float32, NaN, infinity and int keys of 32 bits: what @msgpack/msgpack decodes to plain objects.</summary>
    JavaScript,

    /// <summary>Everything, including nil, bool, float and 64-bit integer keys.</summary>
    MessagePack,
}

/// <summary>
/// Seeded random documents, each produced twice in lockstep: as MessagePack through the writer and as the JSON that
/// <see cref="JsonMessagePackTranscoder.MessagePackToJson(ReadOnlySpan{byte}, IBufferWriter{byte})"/> must turn it
/// into. The JSON side restates the mapping independently of the transcoder, so it can serve as the expected value.
/// </summary>
internal sealed class RandomDocuments(int seed, DocumentProfile profile)
{
    private const int MaxDepth = 6;

    private static readonly long[] IntegerEdges =
    [
        0, 1, -1, 31, 32, -31, -32, -33, 127, 128, -127, -128, -129, 255, 256, 32767, 32768, -32768, -32769,
        65535, 65536, int.MaxValue, int.MaxValue + 1L, int.MinValue, int.MinValue - 1L, uint.MaxValue, uint.MaxValue + 1L,
        (1L << 53) - 1, 1L << 53, (1L << 53) + 1, -(1L << 53) - 1, long.MaxValue, long.MinValue, long.MinValue + 1,
    ];

    private static readonly double[] DoubleEdges =
    [
        0.0, -0.0, 0.1, -1.5, 1e21, 1e-7, double.Epsilon, double.MaxValue, double.MinValue, 9007199254740993.0,
        9.223372036854776E+18, 1.8446744073709552E+19, 123456789.125, Math.PI,
    ];

    private static readonly int[] LengthEdges = [0, 1, 2, 15, 16, 31, 32, 33, 255, 256, 257, 65535, 65536];

    private static readonly string[] Fragments = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\u0000", "\u001f", "é", "中", "😀", "\u2028", "<", "&", "+"];

    private readonly Random _random = new(seed);
    private int _keySerial;

    /// <summary>Returns the MessagePack bytes and the compact JSON they stand for.</summary>
    public (byte[] MessagePack, string Json) Next()
    {
        var msgpack = new ArrayBufferWriter<byte>();
        var json = new ArrayBufferWriter<byte>();
        using (var jsonWriter = new Utf8JsonWriter(json))
        {
            WriteValue(new MessagePackWriter(msgpack), jsonWriter, depth: 0);
        }
        return (msgpack.WrittenSpan.ToArray(), Encoding.UTF8.GetString(json.WrittenSpan));
    }

    private void WriteValue(MessagePackWriter msgpack, Utf8JsonWriter json, int depth)
    {
        var roll = _random.Next(depth >= MaxDepth ? 70 : 100);
        // JSON has no bin or ext: those draws become strings.
        if (roll is >= 60 and < 70 && profile == DocumentProfile.Json) roll = 50;
        switch (roll)
        {
            case < 5:
                msgpack.WriteNil();
                json.WriteNullValue();
                break;
            case < 10:
                var flag = _random.Next(2) == 0;
                msgpack.WriteBoolean(flag);
                json.WriteBooleanValue(flag);
                break;
            case < 30:
                WriteInteger(msgpack, json);
                break;
            case < 42:
                WriteFloat(msgpack, json);
                break;
            case < 60:
                var text = NextString();
                msgpack.WriteString(text);
                json.WriteStringValue(text);
                break;
            case < 70:
                WriteBinaryOrExtension(msgpack, json);
                break;
            case < 85:
                var count = NextCount();
                msgpack.WriteArrayHeader(count);
                json.WriteStartArray();
                for (var i = 0; i < count; i++) WriteValue(msgpack, json, depth + 1);
                json.WriteEndArray();
                break;
            default:
                WriteMap(msgpack, json, depth);
                break;
        }
    }

    private void WriteInteger(MessagePackWriter msgpack, Utf8JsonWriter json)
    {
        switch (_random.Next(4))
        {
            case 0:
                var edge = IntegerEdges[_random.Next(IntegerEdges.Length)];
                msgpack.WriteInt64(edge);
                json.WriteNumberValue(edge);
                break;
            case 1:
                var big = _random.Next(2) == 0 ? ulong.MaxValue : (ulong)long.MaxValue + 1 + (ulong)_random.NextInt64();
                msgpack.WriteUInt64(big);
                json.WriteNumberValue(big);
                break;
            default:
                // Every magnitude equally likely, so each width of the encoding is exercised.
                var value = _random.NextInt64() >> _random.Next(64);
                if (_random.Next(2) == 0) value = -value;
                msgpack.WriteInt64(value);
                json.WriteNumberValue(value);
                break;
        }
    }

    private void WriteFloat(MessagePackWriter msgpack, Utf8JsonWriter json)
    {
        var kind = _random.Next(profile == DocumentProfile.Json ? 3 : 5);
        if (kind == 3)
        {
            // A float32 reads back as the double it widens to, which is what JSON must show.
            var single = _random.Next(8) == 0 ? float.NaN : (float)(_random.NextDouble() * Math.Pow(10, _random.Next(-10, 30)));
            msgpack.WriteSingle(single);
            WriteJsonNumber(json, single);
            return;
        }
        var value = kind switch
        {
            0 => DoubleEdges[_random.Next(DoubleEdges.Length)],
            1 => Math.Round((_random.NextDouble() - 0.5) * 2000, _random.Next(6)),
            2 => RandomFiniteBits(),
            _ => _random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity },
        };
        msgpack.WriteDouble(value);
        WriteJsonNumber(json, value);
    }

    private static void WriteJsonNumber(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteNullValue();
    }

    private double RandomFiniteBits()
    {
        while (true)
        {
            var value = BitConverter.Int64BitsToDouble(_random.NextInt64(long.MinValue, long.MaxValue));
            if (double.IsFinite(value)) return value;
        }
    }

    private void WriteBinaryOrExtension(MessagePackWriter msgpack, Utf8JsonWriter json)
    {
        var data = new byte[NextLength()];
        _random.NextBytes(data);
        if (_random.Next(2) == 0)
        {
            msgpack.WriteBinary(data);
            json.WriteBase64StringValue(data);
            return;
        }
        var type = (sbyte)_random.Next(sbyte.MinValue, sbyte.MaxValue + 1);
        msgpack.WriteExtension(type, data);
        json.WriteStartObject();
        json.WriteNumber("$ext", type);
        json.WriteBase64String("data", data);
        json.WriteEndObject();
    }

    private void WriteMap(MessagePackWriter msgpack, Utf8JsonWriter json, int depth)
    {
        var count = NextCount();
        msgpack.WriteMapHeader(count);
        json.WriteStartObject();
        // Keys are unique by their JSON text, so the key 1 and the key "1" never meet in one map.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            json.WritePropertyName(WriteKey(msgpack, seen));
            WriteValue(msgpack, json, depth + 1);
        }
        json.WriteEndObject();
    }

    /// <summary>Writes a key not yet in <paramref name="seen"/> and returns its JSON text.</summary>
    private string WriteKey(MessagePackWriter msgpack, HashSet<string> seen)
    {
        var kind = profile switch
        {
            DocumentProfile.Json => 0,
            DocumentProfile.JavaScript => _random.Next(4) == 0 ? 1 : 0,
            _ => _random.Next(8) switch { 0 => 1, 1 => 2, 2 => 3, 3 => 4, _ => 0 },
        };
        switch (kind)
        {
            case 1:
                long number = profile == DocumentProfile.JavaScript ? _random.Next() - (1 << 30) : _random.NextInt64() >> _random.Next(64);
                if (profile == DocumentProfile.MessagePack && _random.Next(2) == 0) number = -number;
                var numberText = number.ToString(CultureInfo.InvariantCulture);
                if (!seen.Add(numberText)) break;
                msgpack.WriteInt64(number);
                return numberText;
            case 2:
                if (!seen.Add("null")) break;
                msgpack.WriteNil();
                return "null";
            case 3:
                var flag = _random.Next(2) == 0;
                if (!seen.Add(flag ? "true" : "false")) break;
                msgpack.WriteBoolean(flag);
                return flag ? "true" : "false";
            case 4:
                var value = Math.Round(_random.NextDouble() * 100, 2);
                var valueText = value.ToString(CultureInfo.InvariantCulture);
                if (!seen.Add(valueText)) break;
                msgpack.WriteDouble(value);
                return valueText;
        }

        // A string key, made unique by a serial; "__proto__" never comes up, which a JavaScript decoder refuses.
        string key;
        do key = (_random.Next(3) == 0 ? NextString(maxLength: 8) : "k") + (_keySerial++).ToString(CultureInfo.InvariantCulture);
        while (!seen.Add(key));
        msgpack.WriteString(key);
        return key;
    }

    private int NextCount() => _random.Next(10) switch
    {
        0 => 15,
        1 => 16,
        2 => 0,
        _ => _random.Next(1, 6),
    };

    private int NextLength()
    {
        var length = LengthEdges[_random.Next(LengthEdges.Length)];
        // The 64 KiB edges are costly; draw them rarely so a run stays within its time budget.
        return length >= 65535 && _random.Next(8) != 0 ? _random.Next(40) : length;
    }

    private string NextString(int? maxLength = null)
    {
        if (maxLength is null && _random.Next(3) == 0)
        {
            // ASCII of an exact length lands on the str8/str16/str32 boundaries.
            var length = NextLength();
            return string.Create(length, _random, static (span, random) =>
            {
                for (var i = 0; i < span.Length; i++) span[i] = (char)random.Next('a', 'z' + 1);
            });
        }
        var builder = new StringBuilder();
        var pieces = _random.Next(maxLength ?? 12);
        for (var i = 0; i < pieces; i++) builder.Append(Fragments[_random.Next(Fragments.Length)]);
        return builder.ToString();
    }
}
