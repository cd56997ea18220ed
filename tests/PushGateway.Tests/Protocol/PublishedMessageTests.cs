using System.Text;
using System.Text.Json;
using PushGateway.Protocol;

namespace PushGateway.Tests.Protocol;

public class PublishedMessageTests
{
    private static string Json(string topic, string? pattern, string payload) =>
        Encoding.UTF8.GetString(PublishedMessage.Create(topic, pattern, Encoding.UTF8.GetBytes(payload), 0).Encode(WireFormat.Json).Span);

    [Fact]
    public void Embeds_valid_json_verbatim()
    {
        Assert.Equal("""{"type":"message","topic":"fx.EURUSD","data":{"bid":1.1, "x":[1,2]}}""",
            Json("fx.EURUSD", null, """{"bid":1.1, "x":[1,2]}"""));
    }

    [Fact]
    public void Names_the_pattern_that_matched()
    {
        var json = JsonDocument.Parse(Json("fx.EURUSD", "fx.*", "1")).RootElement;
        Assert.Equal("fx.*", json.GetProperty("pattern").GetString());
        Assert.Equal(1, json.GetProperty("data").GetInt32());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"a\":")]
    [InlineData("")]
    [InlineData("1 2")]
    public void Delivers_anything_else_as_a_string(string payload)
    {
        var json = JsonDocument.Parse(Json("t", null, payload)).RootElement;
        Assert.Equal(payload, json.GetProperty("data").GetString());
    }

    [Fact]
    public void Re_encodes_pretty_printed_payloads_on_one_line()
    {
        var text = Json("t", null, "{\n  \"a\": 1,\r\n  \"b\": \"x\\ny\"\n}");
        Assert.DoesNotContain('\n', text);
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        Assert.Equal(1, data.GetProperty("a").GetInt32());
        Assert.Equal("x\ny", data.GetProperty("b").GetString());
    }

    [Fact]
    public void Replaces_invalid_utf8_instead_of_failing()
    {
        var message = PublishedMessage.Create("t", null, new byte[] { 0xFF, 0x41 }, 0);
        var data = JsonDocument.Parse(message.Encode(WireFormat.Json)).RootElement.GetProperty("data").GetString();
        Assert.Equal("\uFFFDA", data);
    }

    [Fact]
    public void Encodes_once_and_shares_the_bytes()
    {
        var message = PublishedMessage.Create("t", null, "1"u8, 0);
        Assert.True(message.Encode(WireFormat.Json).Span == message.Encode(WireFormat.Json).Span);
    }
}
