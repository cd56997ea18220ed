using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using PushGateway.Connections;
using PushGateway.Protocol;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Security;

/// <summary>A node that requires tokens except for the public `smog.>` topics, over real sockets.</summary>
public sealed class AuthenticatedNodeFixture : IAsyncLifetime
{
    public TestKeys Keys { get; } = new();

    public GatewayNode Node { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Node = GatewayNode.Start(overrides: Keys.Settings(new Dictionary<string, string?>
        {
            ["Security:AnonymousSubscribe:0"] = "smog.>",
            ["Security:AllowedOrigins:0"] = "https://app.example.com",
            ["Security:ClientPublishesPerSecond"] = "0.001",
            ["Security:ClientPublishBurst"] = "3",
        }));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        Keys.Dispose();
    }
}

public sealed class AuthenticationTests(AuthenticatedNodeFixture fixture) : IClassFixture<AuthenticatedNodeFixture>
{
    private GatewayNode Node => fixture.Node;

    private TestKeys Keys => fixture.Keys;

    private static string Unique(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_token_in_the_query_string_grants_its_topics_and_nothing_else()
    {
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"]));

        await client.SubscribeAsync("fx.EURUSD");
        await client.SubscribeAsync("fx.*");
        await client.SubscribeAsync("smog.krakow.a");
        foreach (var topic in new[] { "chat.room1", ">", "*.EURUSD", "fx" })
        {
            var reply = await client.CommandAsync("subscribe", topic);
            Assert.Equal(ErrorCodes.Forbidden, reply.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Forbidden_reads_the_same_whether_or_not_the_topic_exists()
    {
        var existing = Unique("secret");
        await Node.PublishAsync(existing + ".x", "{}");
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"]));

        var known = await client.CommandAsync("subscribe", existing + ".x");
        var unknown = await client.CommandAsync("subscribe", existing + ".y");

        Assert.Equal(ErrorCodes.Forbidden, known.GetProperty("code").GetString());
        Assert.Equal(known.GetProperty("message").GetString()!.Replace(".x'", "'"), unknown.GetProperty("message").GetString()!.Replace(".y'", "'"));
    }

    [Fact]
    public async Task A_bearer_header_works_for_clients_that_can_set_headers()
    {
        var token = Keys.Token("ES256", "ec");

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await Handshake.StatusAsync(Node.WebSocketAddress, o => o.SetRequestHeader("Authorization", "Bearer " + token)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Handshake.StatusAsync(Node.WebSocketAddress, o => o.SetRequestHeader("Authorization", "Basic " + token)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Handshake.StatusAsync(Node.WithToken(token), o => o.SetRequestHeader("Authorization", "Bearer " + token)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Handshake.StatusAsync(new Uri(Node.WithToken(token) + "&access_token=x")));
    }

    [Theory]
    [MemberData(nameof(TokenAuthenticatorTests.BadTokens), MemberType = typeof(TokenAuthenticatorTests))]
    public async Task Every_bad_token_is_refused_with_401_before_the_upgrade(string what, Func<TestKeys, string> make, object _)
    {
        var status = await Handshake.StatusAsync(Node.WithToken(make(Keys)));

        // A token too long for Kestrel's request line (8 KiB) is refused by Kestrel itself, also before the upgrade.
        Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.RequestUriTooLong, $"{what}: {status}");
    }

    [Fact]
    public async Task Without_a_token_only_the_anonymous_patterns_are_open()
    {
        await using var client = await Node.ConnectAsync();

        await client.SubscribeAsync("smog.krakow.*");
        var reply = await client.CommandAsync("subscribe", "fx.EURUSD");
        Assert.Equal(ErrorCodes.Forbidden, reply.GetProperty("code").GetString());
        var publish = await client.CommandAsync("publish", "smog.krakow.a", ",\"data\":1");
        Assert.Equal(ErrorCodes.Forbidden, publish.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Origins_outside_the_allow_list_get_403()
    {
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await Handshake.StatusAsync(Node.WebSocketAddress, o => o.SetRequestHeader("Origin", "https://app.example.com")));
        Assert.Equal(HttpStatusCode.Forbidden, await Handshake.StatusAsync(Node.WebSocketAddress, o => o.SetRequestHeader("Origin", "https://evil.example")));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await Handshake.StatusAsync(Node.WebSocketAddress));
    }

    [Fact]
    public async Task A_client_publishes_where_its_token_allows_and_subscribers_receive_it()
    {
        var room = Unique("chat");
        await using var listener = await Node.ConnectWithTokenAsync(Keys.Token(subject: "bob", subscribe: ["chat.>"]));
        await listener.SubscribeAsync(room);
        await using var talker = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["chat.>"], publish: [room]));

        var ack = await talker.CommandAsync("publish", room, ",\"data\":{\"text\":\"hi\"}");

        Assert.Equal("ack", ack.GetProperty("type").GetString());
        var message = await listener.ReceiveMessageAsync();
        Assert.Equal(room, message.GetProperty("topic").GetString());
        Assert.Equal("hi", message.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(ErrorCodes.Forbidden, (await talker.CommandAsync("publish", room + "x", ",\"data\":1")).GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.InvalidTopic, (await talker.CommandAsync("publish", "chat.*", ",\"data\":1")).GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.MissingTopic, (await talker.CommandAsync("publish", null, ",\"data\":1")).GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.InvalidCommand, (await talker.CommandAsync("publish", room)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Client_publishing_is_rate_limited_with_an_error_frame()
    {
        var room = Unique("chat");
        await using var talker = await Node.ConnectWithTokenAsync(Keys.Token(publish: [room]));

        var codes = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var reply = await talker.CommandAsync("publish", room, $",\"data\":{i}");
            codes.Add(reply.GetProperty("type").GetString() == "ack" ? "ack" : reply.GetProperty("code").GetString()!);
        }

        Assert.Equal(new[] { "ack", "ack", "ack", ErrorCodes.RateLimited, ErrorCodes.RateLimited, ErrorCodes.RateLimited }, codes);
        await talker.RoundTripAsync();
    }

    [Fact]
    public async Task A_refresh_for_the_same_subject_replaces_the_credentials()
    {
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"], expiresIn: TimeSpan.FromMinutes(10)));
        await client.SubscribeAsync("fx.EURUSD");
        var later = DateTimeOffset.UtcNow.AddHours(5).ToUnixTimeSeconds();

        var reply = await client.CommandAsync("refresh", extraFields: $",\"token\":\"{Keys.Token("RS256", "rsa", subscribe: ["fx.>", "chat.>"], payload: p => p["exp"] = later)}\"");

        Assert.Equal("ack", reply.GetProperty("type").GetString());
        await client.SubscribeAsync("chat.room1");
        var connection = Node.Get<ConnectionRegistry>().Snapshot().Single(c => c.Principal.ExpiresAt == DateTimeOffset.FromUnixTimeSeconds(later));
        Assert.Equal("alice", connection.Principal.Subject);
    }

    [Fact]
    public async Task A_bad_or_narrower_refresh_is_refused_and_the_old_credentials_stay()
    {
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"]));
        await client.SubscribeAsync("fx.EURUSD");

        var expired = await client.CommandAsync("refresh", extraFields: $",\"token\":\"{Keys.Token(subscribe: ["fx.>"], expiresIn: TimeSpan.FromMinutes(-1))}\"");
        var missing = await client.CommandAsync("refresh");
        var narrower = await client.CommandAsync("refresh", extraFields: $",\"token\":\"{Keys.Token(subscribe: ["fx.GBPUSD"])}\"");

        Assert.Equal(ErrorCodes.InvalidToken, expired.GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.InvalidToken, missing.GetProperty("code").GetString());
        Assert.Equal(ErrorCodes.Forbidden, narrower.GetProperty("code").GetString());
        await client.SubscribeAsync("fx.GBPUSD");
    }

    [Fact]
    public async Task A_refresh_for_another_subject_closes_the_connection_with_4101()
    {
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"]));

        await client.SendAsync($"{{\"type\":\"refresh\",\"id\":1,\"token\":\"{Keys.Token(subject: "mallory", subscribe: ["fx.>"])}\"}}");

        var error = await client.ReceiveAsync();
        Assert.Equal(ErrorCodes.InvalidToken, error.GetProperty("code").GetString());
        Assert.Equal((WebSocketCloseStatus)4101, await client.Closed.Within());
        Assert.Equal("unauthorized", client.CloseDescription);
    }

    [Fact]
    public async Task An_anonymous_connection_has_nothing_to_refresh()
    {
        await using var client = await Node.ConnectAsync();

        var reply = await client.CommandAsync("refresh", extraFields: $",\"token\":\"{Keys.Token()}\"");

        Assert.Equal(ErrorCodes.InvalidCommand, reply.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_connection_whose_token_expires_is_closed_with_4003()
    {
        // JWT times are whole seconds: this token expires one to two seconds from now.
        var expires = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds();
        await using var client = await Node.ConnectWithTokenAsync(Keys.Token(subscribe: ["fx.>"], payload: p => p["exp"] = expires));
        await client.SubscribeAsync("fx.EURUSD");

        Assert.Equal((WebSocketCloseStatus)4003, await client.Closed.Within());
        Assert.Equal("token_expired", client.CloseDescription);
        Assert.True(DateTimeOffset.UtcNow >= DateTimeOffset.FromUnixTimeSeconds(expires), "closed before the token expired");
    }

    [Fact]
    public async Task Refusals_carry_a_problem_body_and_never_echo_the_token()
    {
        var token = Keys.Token(expiresIn: TimeSpan.FromMinutes(-5));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Node.HttpAddress, "/ws?access_token=" + token));
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));

        using var response = await http.SendAsync(request).Within();
        var body = await response.Content.ReadAsStringAsync().Within();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("the token has expired", problem.RootElement.GetProperty("detail").GetString());
        Assert.DoesNotContain(token.Split('.')[1], body);
    }
}
