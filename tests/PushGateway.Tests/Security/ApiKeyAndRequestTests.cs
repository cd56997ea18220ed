using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using PushGateway.Api;
using PushGateway.Security;

namespace PushGateway.Tests.Security;

public sealed class ApiKeyAndRequestTests
{
    private const string PricingKey = "pricing-key-0123456789abcdef0123456789abcdef";
    private const string ChatKey = "chat-key-0123456789abcdef0123456789abcdef-xyz";

    private static ApiKeyAuthenticator Keys() => new(Options.Create(new SecurityOptions
    {
        ApiKeys =
        [
            new ApiKeyOptions { Name = "pricing", Key = PricingKey, Topics = ["fx.>"] },
            new ApiKeyOptions { Name = "chat", KeySha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ChatKey))), Topics = ["chat.*"] },
        ],
    }));

    [Fact]
    public void Keys_are_recognised_by_value_or_by_digest()
    {
        var keys = Keys();

        Assert.Equal("pricing", keys.Authenticate(PricingKey)!.Name);
        Assert.Equal("chat", keys.Authenticate(ChatKey)!.Name);
        Assert.True(keys.Authenticate(ChatKey)!.Topics.Covers("chat.room1"));
        Assert.False(keys.Authenticate(ChatKey)!.Topics.Covers("fx.EURUSD"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pricing-key-0123456789abcdef0123456789abcdeF")]
    [InlineData("pricing-key-0123456789abcdef0123456789abcde")]
    [InlineData(" pricing-key-0123456789abcdef0123456789abcdef")]
    public void Anything_else_is_refused(string? presented)
    {
        Assert.Null(Keys().Authenticate(presented));
        Assert.Null(Keys().Authenticate(new string('k', 100_000)));
    }

    [Theory]
    [InlineData("short", null, "fx.>", "at least 32")]
    [InlineData(PricingKey, "ab", "fx.>", "exactly one")]
    [InlineData(null, "zz", "fx.>", "64 hex digits")]
    [InlineData(null, null, "fx.>", "exactly one")]
    [InlineData(PricingKey, null, null, "at least one")]
    [InlineData(PricingKey, null, "fx.>.a", "'fx.>.a'")]
    public void Bad_key_configuration_stops_the_node(string? key, string? hash, string? topic, string expected)
    {
        var options = new SecurityOptions { ApiKeys = [new ApiKeyOptions { Name = "x", Key = key, KeySha256 = hash, Topics = topic is null ? [] : [topic] }] };

        Assert.Contains(options.Validate(), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_single_message_keeps_data_verbatim()
    {
        var parsed = Parse("""{"topic":"fx.EURUSD","data":{"bid": 1.1, "ask":[1,2]},"extra":true}""");

        var message = Assert.Single(parsed.Messages!);
        Assert.Equal("fx.EURUSD", message.Topic);
        Assert.Equal("""{"bid": 1.1, "ask":[1,2]}""", Encoding.UTF8.GetString(message.Data));
    }

    [Fact]
    public void A_batch_keeps_its_order()
    {
        var parsed = Parse("""{"messages":[{"topic":"a.b","data":1},{"topic":"a.c","data":"two"},{"data":null,"topic":"a.d"}]}""");

        Assert.Equal(new[] { "a.b", "a.c", "a.d" }, parsed.Messages!.Select(m => m.Topic));
        Assert.Equal(new[] { "1", "\"two\"", "null" }, parsed.Messages!.Select(m => Encoding.UTF8.GetString(m.Data)));
    }

    [Theory]
    [InlineData("", 400)]
    [InlineData("{", 400)]
    [InlineData("[]", 400)]
    [InlineData("\"x\"", 400)]
    [InlineData("{}", 400)]
    [InlineData("""{"topic":"fx.EURUSD"}""", 400)]
    [InlineData("""{"data":1}""", 400)]
    [InlineData("""{"topic":7,"data":1}""", 400)]
    [InlineData("""{"topic":"fx.*","data":1}""", 400)]
    [InlineData("""{"topic":"fx..a","data":1}""", 400)]
    [InlineData("""{"topic":"fx.a","data":}""", 400)]
    [InlineData("""{"messages":{}}""", 400)]
    [InlineData("""{"messages":[]}""", 400)]
    [InlineData("""{"messages":[1]}""", 400)]
    [InlineData("""{"messages":[{"topic":"a.b"}]}""", 400)]
    [InlineData("""{"messages":[{"topic":"a.b","data":1}],"topic":"a.c","data":2}""", 400)]
    [InlineData("""{"messages":[{"topic":"a","data":1},{"topic":"a","data":1},{"topic":"a","data":1},{"topic":"a","data":1}]}""", 413)]
    [InlineData("""{"topic":"a","data":"0123456789012345678901234567890123456789"}""", 413)]
    public void Bad_bodies_get_400_or_413(string body, int status)
    {
        var parsed = Parse(body);

        Assert.Null(parsed.Messages);
        Assert.Equal(status, parsed.Status);
        Assert.False(string.IsNullOrEmpty(parsed.Error));
    }

    [Fact]
    public void Deep_nesting_is_refused_not_recursed()
    {
        var deep = """{"topic":"a","data":""" + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.Equal(StatusCodes.Status400BadRequest, PublishRequest.Parse(Encoding.UTF8.GetBytes(deep), 3, 1_000_000).Status);
    }

    private static PublishParse Parse(string body) => PublishRequest.Parse(Encoding.UTF8.GetBytes(body), maxMessages: 3, maxDataBytes: 32);
}
