using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PushGateway.Security;
using PushGateway.Topics;

namespace PushGateway.Tests.Security;

/// <summary>Every way a token can be good or bad, against an authenticator trusting HS256, RS256, ES256 and a JWKS file.</summary>
public sealed class TokenAuthenticatorTests : IClassFixture<TestKeys>
{
    private readonly TestKeys keys;
    private readonly TokenAuthenticator authenticator;

    public TokenAuthenticatorTests(TestKeys keys)
    {
        this.keys = keys;
        authenticator = SecurityTestOptions.Authenticator(keys.Settings(new Dictionary<string, string?> { ["Security:AnonymousSubscribe:0"] = "smog.>" }));
    }

    [Theory]
    [InlineData("HS256", "hs")]
    [InlineData("RS256", "rsa")]
    [InlineData("ES256", "ec")]
    [InlineData("RS256", "jwks-rsa")]
    [InlineData("ES256", "jwks-ec")]
    public async Task A_token_signed_with_a_configured_key_and_its_algorithm_is_accepted(string alg, string kid)
    {
        var result = await authenticator.AuthenticateAsync(keys.Token(alg, kid, subscribe: ["fx.>"], publish: ["chat.room1"]));

        Assert.Equal(TokenFailure.None, result.Failure);
        var principal = result.Principal!;
        Assert.Equal("alice", principal.Subject);
        Assert.True(principal.CanSubscribe(TopicPattern.Parse("fx.EURUSD")));
        Assert.True(principal.CanSubscribe(TopicPattern.Parse("smog.krakow.a")), "anonymous patterns apply to everyone");
        Assert.False(principal.CanSubscribe(TopicPattern.Parse("chat.room1")));
        Assert.True(principal.CanPublish("chat.room1"));
        Assert.False(principal.CanPublish("fx.EURUSD"));
        Assert.NotNull(principal.ExpiresAt);
    }

    [Fact]
    public async Task Expiry_is_the_exp_claim_plus_the_clock_skew()
    {
        var skewed = SecurityTestOptions.Authenticator(keys.Settings(new Dictionary<string, string?> { ["Security:Jwt:ClockSkew"] = "00:00:30" }));
        var token = keys.Token(payload: p => p["exp"] = 4_000_000_000L);

        var result = await skewed.AuthenticateAsync(token);

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(4_000_000_000L).AddSeconds(30), result.Principal!.ExpiresAt);
    }

    [Fact]
    public async Task A_single_string_claim_is_one_pattern_and_an_audience_list_may_hold_ours()
    {
        var token = keys.Token(payload: p =>
        {
            p["sub_topics"] = "fx.*";
            p["aud"] = new JsonArray("other-service", TestKeys.Audience);
        });

        var principal = (await authenticator.AuthenticateAsync(token)).Principal!;

        Assert.True(principal.CanSubscribe(TopicPattern.Parse("fx.EURUSD")));
        Assert.False(principal.CanSubscribe(TopicPattern.Parse("fx.>")));
    }

    public static TheoryData<string, Func<TestKeys, string>, TokenFailure> BadTokens() => new()
    {
        { "alg none, no signature", k => k.Token("none", "hs"), TokenFailure.InvalidSignature },
        { "alg none, no kid", k => k.Token("none", null), TokenFailure.InvalidSignature },
        { "alg None (case games)", k => k.Token("None", "hs", sign: _ => []), TokenFailure.InvalidSignature },
        { "signature stripped", k => StripSignature(k.Token()), TokenFailure.InvalidSignature },
        { "wrong HMAC secret", k => k.Token(sign: d => HMACSHA256.HashData(Encoding.UTF8.GetBytes("another-secret-of-at-least-thirty-two-bytes"), d)), TokenFailure.InvalidSignature },
        { "RS256 by an unknown key", k => k.Token("RS256", "rsa", sign: d => k.StrangerRsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), TokenFailure.InvalidSignature },
        { "signature of another token", k => SwapSignature(k.Token(subject: "mallory"), k.Token()), TokenFailure.InvalidSignature },
        { "HS256 keyed with the RSA public key (algorithm confusion)", k => k.Token("HS256", "rsa", sign: d => HMACSHA256.HashData(Encoding.ASCII.GetBytes(k.Rsa.ExportSubjectPublicKeyInfoPem()), d)), TokenFailure.InvalidSignature },
        { "RS256 on the ES256 key id", k => k.Token("RS256", "ec", sign: d => k.Rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), TokenFailure.InvalidSignature },
        { "ES256 on the RS256 key id", k => k.Token("ES256", "rsa", sign: d => k.Ec.SignData(d, HashAlgorithmName.SHA256)), TokenFailure.InvalidSignature },
        { "HS512 on the HS256 key", k => k.Token("HS512", "hs", sign: d => HMACSHA512.HashData(Encoding.UTF8.GetBytes(TestKeys.HmacSecret), d)), TokenFailure.InvalidSignature },
        { "PS256 on the RS256 key", k => k.Token("PS256", "rsa", sign: d => k.Rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)), TokenFailure.InvalidSignature },
        { "unknown kid", k => k.Token(kid: "nobody"), TokenFailure.UnknownKey },
        { "no kid (every key has one)", k => k.Token(kid: null), TokenFailure.UnknownKey },
        { "embedded jwk header", k => k.Token("RS256", "stranger", header: h => h["jwk"] = JsonNode.Parse(TestKeys.Jwks(("stranger", k.StrangerRsa)))!["keys"]![0]!.DeepClone(), sign: d => k.StrangerRsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)), TokenFailure.UnknownKey },
        { "wrong issuer", k => k.Token(issuer: "https://evil.test"), TokenFailure.InvalidIssuer },
        { "no issuer", k => k.Token(payload: p => p.Remove("iss")), TokenFailure.InvalidIssuer },
        { "wrong audience", k => k.Token(audience: "other-service"), TokenFailure.InvalidAudience },
        { "no audience", k => k.Token(payload: p => p.Remove("aud")), TokenFailure.InvalidAudience },
        { "expired", k => k.Token(expiresIn: TimeSpan.FromMinutes(-5)), TokenFailure.Expired },
        { "not valid yet", k => k.Token(notBeforeIn: TimeSpan.FromMinutes(5)), TokenFailure.NotYetValid },
        { "no exp", k => k.Token(payload: p => p.Remove("exp")), TokenFailure.Expired },
        { "exp as a string", k => k.Token(payload: p => p["exp"] = "tomorrow"), TokenFailure.Malformed },
        { "no sub", k => k.Token(subject: null), TokenFailure.MissingSubject },
        { "empty sub", k => k.Token(subject: ""), TokenFailure.MissingSubject },
        { "sub of 1000 characters", k => k.Token(subject: new string('s', 1000)), TokenFailure.MissingSubject },
        { "sub_topics is a number", k => k.Token(payload: p => p["sub_topics"] = 7), TokenFailure.InvalidClaims },
        { "sub_topics is an object", k => k.Token(payload: p => p["sub_topics"] = new JsonObject { ["fx"] = true }), TokenFailure.InvalidClaims },
        { "sub_topics holds a number", k => k.Token(payload: p => p["sub_topics"] = new JsonArray("fx.>", 3)), TokenFailure.InvalidClaims },
        { "sub_topics holds an invalid pattern", k => k.Token(subscribe: ["fx..a"]), TokenFailure.InvalidClaims },
        { "pub_topics holds a glob", k => k.Token(publish: ["chat.[a-z]"]), TokenFailure.InvalidClaims },
        { "sub_topics with 300 patterns", k => k.Token(subscribe: Enumerable.Range(0, 300).Select(i => $"t.{i}").ToArray()), TokenFailure.InvalidClaims },
        { "garbage", _ => "not-a-token", TokenFailure.Malformed },
        { "three empty parts", _ => "..", TokenFailure.Malformed },
        { "empty", _ => "", TokenFailure.Malformed },
        { "header is not JSON", k => "bm90IGpzb24." + k.Token().Split('.')[1] + ".c2ln", TokenFailure.Malformed },
        { "payload is not JSON", k => k.Token().Split('.')[0] + ".bm90IGpzb24.c2ln", TokenFailure.Malformed },
        { "five parts (JWE)", _ => "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaa.bbbb.cccc", TokenFailure.Malformed },
        { "longer than 8 KiB", k => k.Token(payload: p => p["pad"] = new string('x', 9000)), TokenFailure.Malformed },
        { "invalid base64url", k => k.Token().Replace('.', '!'), TokenFailure.Malformed },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_tokens_are_refused_with_the_reason(string what, Func<TestKeys, string> make, TokenFailure expected)
    {
        var result = await authenticator.AuthenticateAsync(make(keys));

        Assert.True(result.Principal is null, what);
        Assert.Equal(expected, result.Failure);
        Assert.DoesNotContain("eyJ", result.Describe());
    }

    [Fact]
    public async Task A_jku_header_is_never_fetched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/jwks.json";
        var token = keys.Token("RS256", "stranger", header: h =>
        {
            h["jku"] = url;
            h["x5u"] = url;
        }, sign: d => keys.StrangerRsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var result = await authenticator.AuthenticateAsync(token);

        Assert.Equal(TokenFailure.UnknownKey, result.Failure);
        // Validation has finished: any fetch it started would already be waiting to be accepted.
        Assert.False(listener.Pending(), "the authenticator connected to the jku/x5u address");
    }

    [Fact]
    public async Task A_node_without_keys_accepts_no_token()
    {
        var open = SecurityTestOptions.Authenticator(new Dictionary<string, string?>());

        var result = await open.AuthenticateAsync(keys.Token());

        Assert.Equal(TokenFailure.NotAccepted, result.Failure);
        Assert.True(open.AllowsAnonymous);
        Assert.True(open.Anonymous.CanSubscribe(TopicPattern.Parse(">")), "an open node lets anyone subscribe to anything");
        Assert.False(open.Anonymous.CanPublish("chat.room1"), "but publish nothing");
    }

    [Fact]
    public void With_keys_configured_anonymous_clients_get_only_the_anonymous_patterns()
    {
        var closed = SecurityTestOptions.Authenticator(keys.Settings());
        Assert.False(closed.AllowsAnonymous);
        Assert.False(closed.Anonymous.CanSubscribe(TopicPattern.Parse("smog.krakow")));

        Assert.True(authenticator.AllowsAnonymous);
        Assert.True(authenticator.Anonymous.CanSubscribe(TopicPattern.Parse("smog.krakow.*")));
        Assert.False(authenticator.Anonymous.CanSubscribe(TopicPattern.Parse("fx.EURUSD")));
    }

    [Fact]
    public async Task Lifetime_is_judged_by_the_injected_clock()
    {
        var time = new PushGateway.Tests.Lifecycle.ManualTimeProvider();
        var clocked = SecurityTestOptions.Authenticator(keys.Settings(), time);
        var token = keys.Token(payload: p =>
        {
            p["nbf"] = time.GetUtcNow().AddMinutes(1).ToUnixTimeSeconds();
            p["exp"] = time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds();
        });

        Assert.Equal(TokenFailure.NotYetValid, (await clocked.AuthenticateAsync(token)).Failure);
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(TokenFailure.None, (await clocked.AuthenticateAsync(token)).Failure);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TokenFailure.Expired, (await clocked.AuthenticateAsync(token)).Failure);
    }

    private static string StripSignature(string token) => token[..(token.LastIndexOf('.') + 1)];

    private static string SwapSignature(string from, string onto) => onto[..onto.LastIndexOf('.')] + from[from.LastIndexOf('.')..];
}
