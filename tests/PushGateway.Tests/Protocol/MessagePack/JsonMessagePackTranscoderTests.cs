using System.Buffers;
using System.Text;
using System.Text.Json;
using PushGateway.Protocol.MessagePack;
using static PushGateway.Tests.Protocol.MessagePack.MessagePackWriterTests;

namespace PushGateway.Tests.Protocol.MessagePack;

public class JsonMessagePackTranscoderTests
{
    internal static byte[] ToMessagePack(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        JsonMessagePackTranscoder.JsonToMessagePack(Encoding.UTF8.GetBytes(json), output);
        return output.WrittenSpan.ToArray();
    }

    internal static string ToJson(ReadOnlySpan<byte> msgpack)
    {
        var output = new ArrayBufferWriter<byte>();
        JsonMessagePackTranscoder.MessagePackToJson(msgpack, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string ToJson(string hex) => ToJson(Convert.FromHexString(hex));

    [Fact]
    public void Transcodes_a_typical_payload_byte_for_byte()
    {
        var bytes = ToMessagePack("""{"a":1,"b":[true,null,-1,1.5,"x"],"c":{}}""");
        Assert.Equal("83a16101a16295c3c0ffcb3ff8000000000000a178a16380", Convert.ToHexStringLower(bytes));
    }

    [Theory]
    [InlineData("0", "00")]
    [InlineData("-0", "00")]
    [InlineData("127", "7f")]
    [InlineData("-33", "d0df")]
    [InlineData("9223372036854775807", "cf7fffffffffffffff")]
    [InlineData("-9223372036854775808", "d38000000000000000")]
    [InlineData("18446744073709551615", "cfffffffffffffffff")]
    [InlineData("18446744073709551616", "cb43f0000000000000")]
    [InlineData("1.0", "cb3ff0000000000000")]
    [InlineData("1e2", "cb4059000000000000")]
    [InlineData("1e400", "cb7ff0000000000000")]
    [InlineData("-1e400", "cbfff0000000000000")]
    public void Makes_integers_ints_and_every_other_number_a_float64(string json, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(ToMessagePack(json)));

    [Fact]
    public void Unescapes_strings_and_property_names()
    {
        Assert.Equal("a4c3a90a22", Convert.ToHexStringLower(ToMessagePack("\"\\u00e9\\n\\\"\"")));
        Assert.Equal("81a2c3a9a131", Convert.ToHexStringLower(ToMessagePack("{\"\\u00e9\":\"\\u0031\"}")));
        Assert.Equal("a4f09f9880", Convert.ToHexStringLower(ToMessagePack("\"\\ud83d\\ude00\"")));

        // Longer than the stack buffer: the escaped text goes through a rented one.
        var long_ = string.Concat(Enumerable.Repeat("\\u00e9", 1000));
        var bytes = ToMessagePack($"\"{long_}\"");
        Assert.Equal("da07d0", Convert.ToHexStringLower(bytes.AsSpan(0, 3)));
    }

    [Theory]
    [InlineData(15, "8f", "9f")]
    [InlineData(16, "de0010", "dc0010")]
    [InlineData(65535, "deffff", "dcffff")]
    [InlineData(65536, "df00010000", "dd00010000")]
    public void Counts_object_and_array_entries_for_their_headers(int count, string mapHeader, string arrayHeader)
    {
        var json = new StringBuilder("[{");
        for (var i = 0; i < count; i++) json.Append(i == 0 ? "" : ",").Append("\"k").Append(i).Append("\":").Append(i);
        json.Append("},[");
        for (var i = 0; i < count; i++) json.Append(i == 0 ? "" : ",").Append("null");
        json.Append("]]");

        var bytes = ToMessagePack(json.ToString());
        var reader = new MessagePackReader(bytes);
        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal(mapHeader, Convert.ToHexStringLower(reader.UnreadSpan[..(mapHeader.Length / 2)]));
        Assert.Equal(count, reader.ReadMapHeader());
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("k" + i, reader.ReadString());
            Assert.Equal(i, reader.ReadInt64());
        }
        Assert.Equal(arrayHeader, Convert.ToHexStringLower(reader.UnreadSpan[..(arrayHeader.Length / 2)]));
        Assert.Equal(count, reader.ReadArrayHeader());
        for (var i = 0; i < count; i++) reader.ReadNil();
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData("[[[]]]", "919190")]
    [InlineData("[{},[],{\"a\":[]}]", "93809081a16190")]
    [InlineData("{\"a\":{\"b\":{\"c\":null}}}", "81a16181a16281a163c0")]
    public void Places_headers_of_containers_that_start_together_parent_first(string json, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(ToMessagePack(json)));

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,]")]
    [InlineData("{\"a\" 1}")]
    [InlineData("1 2")]
    [InlineData("nul")]
    [InlineData("\"\\ud800\"")]
    [InlineData("/* comment */ 1")]
    public void Refuses_malformed_json_and_writes_nothing(string json)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.ThrowsAny<JsonException>(() => JsonMessagePackTranscoder.JsonToMessagePack(Encoding.UTF8.GetBytes(json), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Refuses_invalid_utf8_inside_strings()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.ThrowsAny<JsonException>(() => JsonMessagePackTranscoder.JsonToMessagePack([(byte)'[', (byte)'"', 0xff, (byte)'"', (byte)']'], output));
        Assert.ThrowsAny<JsonException>(() => JsonMessagePackTranscoder.JsonToMessagePack([(byte)'"', (byte)'\\', (byte)'n', 0xc3, (byte)'"'], output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Accepts_json_exactly_as_deep_as_msgpack_readers_accept_by_default()
    {
        var deepest = new string('[', 64) + new string(']', 64);
        var bytes = ToMessagePack(deepest);
        Assert.Equal(deepest, ToJson(bytes));
        Assert.ThrowsAny<JsonException>(() => ToMessagePack(new string('[', 65) + new string(']', 65)));
    }

    [Fact]
    public void Writes_binary_as_base64_and_extensions_as_tagged_objects()
    {
        Assert.Equal("\"AQID\"", ToJson("c403010203"));
        Assert.Equal("\"\"", ToJson("c400"));
        Assert.Equal("""{"$ext":5,"data":"/w=="}""", ToJson("d405ff"));
        Assert.Equal("""{"$ext":-1,"data":"AAAAAGVlZWU="}""", ToJson("d7ff0000000065656565"));
        Assert.Equal("""{"$ext":-128,"data":""}""", ToJson("c70080"));
    }

    [Fact]
    public void Writes_non_finite_floats_as_null_and_float32_as_its_exact_double()
    {
        Assert.Equal("[null,null,null,null]", ToJson("94cb7ff8000000000000cb7ff0000000000000cbfff0000000000000ca7fc00000"));
        Assert.Equal("0.10000000149011612", ToJson("ca3dcccccd"));
        Assert.Equal("-0", ToJson("cb8000000000000000"));
    }

    [Fact]
    public void Writes_integers_of_every_width_exactly()
    {
        Assert.Equal("[18446744073709551615,-9223372036854775808,255,-1]", ToJson("94cfffffffffffffffffd38000000000000000ccffff"));
    }

    [Fact]
    public void Turns_keys_that_are_not_strings_into_their_json_text()
    {
        var bytes = Write(w =>
        {
            w.WriteMapHeader(10);
            w.WriteInt64(1); w.WriteNil();
            w.WriteInt64(-5); w.WriteNil();
            w.WriteUInt64(ulong.MaxValue); w.WriteNil();
            w.WriteNil(); w.WriteNil();
            w.WriteBoolean(true); w.WriteNil();
            w.WriteDouble(1.5); w.WriteNil();
            w.WriteDouble(double.NaN); w.WriteNil();
            w.WriteBinary([1, 2, 3]); w.WriteNil();
            w.WriteArrayHeader(2); w.WriteInt64(1); w.WriteString("a"); w.WriteNil();
            w.WriteMapHeader(1); w.WriteString("k"); w.WriteExtension(2, [9]); w.WriteNil();
        });
        Assert.Equal(
            """{"1":null,"-5":null,"18446744073709551615":null,"null":null,"true":null,"1.5":null,"null":null,"AQID":null,"[1,\u0022a\u0022]":null,"{\u0022k\u0022:{\u0022$ext\u0022:2,\u0022data\u0022:\u0022CQ==\u0022}}":null}""",
            ToJson(bytes));
    }

    [Fact]
    public void Refuses_a_string_that_is_not_utf8()
    {
        var error = Assert.Throws<MessagePackFormatException>(() => ToJson("91a2c328"));
        Assert.Equal(1, error.Offset);
        Assert.Throws<MessagePackFormatException>(() => ToJson("81a1ff01"));
    }

    [Fact]
    public void Refuses_bytes_after_the_document()
    {
        var error = Assert.Throws<MessagePackFormatException>(() => ToJson("c0c0"));
        Assert.Equal(1, error.Offset);
    }

    [Fact]
    public void Transcodes_a_stream_of_values_one_at_a_time_into_a_writer_already_in_use()
    {
        var output = new ArrayBufferWriter<byte>();
        var reader = new MessagePackReader(Convert.FromHexString("01a178c0"));
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("values");
            writer.WriteStartArray();
            while (!reader.End) JsonMessagePackTranscoder.MessagePackToJson(ref reader, writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        Assert.Equal("""{"values":[1,"x",null]}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Fails_as_bad_input_when_the_json_writer_has_no_room_for_the_depth()
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = 3 });
        writer.WriteStartArray();
        var error = Assert.Throws<MessagePackFormatException>(() =>
        {
            var local = new MessagePackReader(Convert.FromHexString("919190"));
            JsonMessagePackTranscoder.MessagePackToJson(ref local, writer);
        });
        Assert.Contains("nested more than 2", error.Message);
    }

    [Fact]
    public void Round_trips_json_through_msgpack_to_the_same_text()
    {
        const string json = """{"type":"message","topic":"fx.EURUSD","data":{"bid":1.0845,"ask":1.0847,"ts":1700000000000,"tags":["a","\u00E9",null,true,false],"nested":[[],{},[{"x":-1}]]}}""";
        Assert.Equal(json, ToJson(ToMessagePack(json)));
    }

    [Fact]
    public void Transcodes_without_allocating_once_warm()
    {
        var json = """{"topic":"fx.EURUSD","data":{"bid":1.0845,"ask":1.0847,"ts":1700000000000,"tags":["a","b\n",null,true],"n":{"x":[1,2,3]}}}"""u8.ToArray();
        var msgpack = new ArrayBufferWriter<byte>(1024);
        var back = new ArrayBufferWriter<byte>(1024);
        RoundTrip();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) RoundTrip();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        void RoundTrip()
        {
            msgpack.ResetWrittenCount();
            back.ResetWrittenCount();
            JsonMessagePackTranscoder.JsonToMessagePack(json, msgpack);
            JsonMessagePackTranscoder.MessagePackToJson(msgpack.WrittenSpan, back);
        }
    }
}
