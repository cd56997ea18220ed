using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Security;

public sealed class PublishApiNodeFixture : IAsyncLifetime
{
    public const string PricingKey = "pricing-service-key-0123456789abcdef-0123456789";

    public GatewayNode Node { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Node = GatewayNode.Start(overrides: new Dictionary<string, string?>
        {
            ["Security:ApiKeys:0:Name"] = "pricing",
            ["Security:ApiKeys:0:Key"] = PricingKey,
            ["Security:ApiKeys:0:Topics:0"] = "api.>",
            ["Security:ApiMaxRequestBytes"] = "4096",
            ["Security:ApiMaxBatchMessages"] = "5",
            ["Security:AllowedOrigins:0"] = "https://app.example.com",
            ["Gateway:MaxMessageBytes"] = "1024",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>POST /api/publish over real HTTP: authentication, validation, limits, and delivery to WebSocket subscribers.</summary>
public sealed class PublishApiTests(PublishApiNodeFixture fixture) : IClassFixture<PublishApiNodeFixture>
{
    private static readonly HttpClient Http = new();

    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_single_message_reaches_subscribers_verbatim()
    {
        var topic = Unique("api");
        await using var subscriber = await fixture.Node.ConnectAsync();
        await subscriber.SubscribeAsync(topic);

        using var response = await PostAsync($$$"""{"topic":"{{{topic}}}","data":{"bid":1.25,"tags":["a"]}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await JsonAsync(response)).GetProperty("published").GetInt32());
        var message = await subscriber.ReceiveMessageAsync();
        Assert.Equal("""{"bid":1.25,"tags":["a"]}""", message.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task A_batch_is_published_in_order()
    {
        var topic = Unique("api");
        await using var subscriber = await fixture.Node.ConnectAsync();
        await subscriber.SubscribeAsync(topic);

        using var response = await PostAsync($$"""{"messages":[{"topic":"{{topic}}","data":1},{"topic":"{{topic}}","data":2},{"topic":"{{topic}}","data":3}]}""");

        Assert.Equal(3, (await JsonAsync(response)).GetProperty("published").GetInt32());
        for (var i = 1; i <= 3; i++) Assert.Equal(i, (await subscriber.ReceiveMessageAsync()).GetProperty("data").GetInt32());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key-0123456789abcdef-0123456789abcdef")]
    [InlineData(PublishApiNodeFixture.PricingKey + "x")]
    public async Task Without_a_valid_key_the_answer_is_401(string? key)
    {
        using var response = await PostAsync("""{"topic":"api.x","data":1}""", key: key);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_batch_with_one_forbidden_topic_publishes_nothing()
    {
        var topic = Unique("api");
        await using var subscriber = await fixture.Node.ConnectAsync();
        await subscriber.SubscribeAsync(topic);

        using var response = await PostAsync($$"""{"messages":[{"topic":"{{topic}}","data":1},{"topic":"fx.EURUSD","data":2}]}""");

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        await subscriber.RoundTripAsync();
        Assert.True(subscriber.NothingPending);
    }

    [Theory]
    [InlineData("{oops", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("""{"topic":"api.*","data":1}""", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("""{"topic":"api.x"}""", HttpStatusCode.BadRequest, "invalid_request")]
    [InlineData("""{"messages":[{"topic":"api.a","data":1},{"topic":"api.a","data":1},{"topic":"api.a","data":1},{"topic":"api.a","data":1},{"topic":"api.a","data":1},{"topic":"api.a","data":1}]}""", HttpStatusCode.RequestEntityTooLarge, "too_large")]
    public async Task Bad_requests_get_problem_details(string body, HttpStatusCode status, string code)
    {
        using var response = await PostAsync(body);

        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task Oversized_bodies_and_payloads_get_413()
    {
        using var declared = await PostAsync("""{"topic":"api.x","data":""" + "\"" + new string('x', 5000) + "\"}");
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "too_large");

        using var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Node.HttpAddress, "/api/publish"))
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("""{"topic":"api.x","data":""" + "\"" + new string('x', 5000) + "\"}"))),
        };
        chunked.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.Add("X-Api-Key", PublishApiNodeFixture.PricingKey);
        using var streamed = await Http.SendAsync(chunked).Within();
        await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "too_large");

        using var bigData = await PostAsync("""{"topic":"api.x","data":""" + "\"" + new string('x', 2000) + "\"}");
        await AssertProblemAsync(bigData, HttpStatusCode.RequestEntityTooLarge, "too_large");
    }

    [Fact]
    public async Task The_body_must_be_json()
    {
        using var response = await PostAsync("""{"topic":"api.x","data":1}""", contentType: "text/plain");

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Cors_preflight_is_answered_for_allowed_origins_only()
    {
        using var allowed = await PreflightAsync("https://app.example.com");
        using var refused = await PreflightAsync("https://evil.example");

        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, new Uri(fixture.Node.HttpAddress, "/api/publish"));
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
        return await Http.SendAsync(request).Within();
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? key = PublishApiNodeFixture.PricingKey, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Node.HttpAddress, "/api/publish"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (key is not null) request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        return await Http.SendAsync(request).Within();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync().Within());
        return document.RootElement.Clone();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }
}
