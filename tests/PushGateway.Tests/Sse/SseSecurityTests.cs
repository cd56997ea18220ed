using System.Net;
using PushGateway.Tests.Infrastructure;
using PushGateway.Tests.Security;

namespace PushGateway.Tests.Sse;

/// <summary>A node that requires tokens except for the public `smog.>` topics and allows one browser origin.</summary>
public sealed class SseSecuredNodeFixture : IAsyncLifetime
{
    public TestKeys Keys { get; } = new();

    public GatewayNode Node { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Node = GatewayNode.Start(overrides: Keys.Settings(new Dictionary<string, string?>
        {
            ["Security:AnonymousSubscribe:0"] = "smog.>",
            ["Security:AllowedOrigins:0"] = "https://app.example.com",
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Keys.Dispose();
    }
}

public sealed class SseSecurityTests(SseSecuredNodeFixture fixture) : IClassFixture<SseSecuredNodeFixture>
{
    private GatewayNode Node => fixture.Node;

    [Fact]
    public async Task A_foreign_origin_is_refused_and_an_allowed_one_gets_cors()
    {
        var (status, body, _) = await SseClient.RefusalAsync(Node, "topics=smog.krakow.a", r => r.Headers.Add("Origin", "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("origin", body);

        await using var stream = await SseClient.ConnectAsync(Node, "topics=smog.krakow.a", configure: r => r.Headers.Add("Origin", "https://app.example.com"));
        Assert.Equal("https://app.example.com", stream.Response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Each_topic_is_checked_against_the_credentials()
    {
        var (status, body, _) = await SseClient.RefusalAsync(Node, "topics=smog.krakow.a,fx.EURUSD");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'fx.EURUSD'", body);

        var token = fixture.Keys.Token(subscribe: ["fx.>"]);
        await using var allowed = await SseClient.ConnectAsync(Node, $"topics=smog.krakow.a,fx.EURUSD&access_token={token}");
        (status, body, _) = await SseClient.RefusalAsync(Node, $"topics=fx.EURUSD,chat.room1&access_token={token}");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'chat.room1'", body);
    }

    [Fact]
    public async Task A_bad_token_is_refused_not_downgraded_to_anonymous()
    {
        var (status, _, response) = await SseClient.RefusalAsync(Node, "topics=smog.krakow.a&access_token=not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
    }
}
