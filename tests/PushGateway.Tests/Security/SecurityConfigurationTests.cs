using System.Security.Cryptography;
using PushGateway.Security;

namespace PushGateway.Tests.Security;

/// <summary>Key and policy mistakes stop the node at startup, each named by its configuration path.</summary>
public sealed class SecurityConfigurationTests : IClassFixture<TestKeys>
{
    private readonly TestKeys keys;

    public SecurityConfigurationTests(TestKeys keys) => this.keys = keys;

    [Fact]
    public void The_test_configuration_is_valid_and_loads_five_pinned_keys()
    {
        var options = SecurityTestOptions.Bind(keys.Settings());

        Assert.Empty(options.Validate());
        var ring = SigningKeyRing.Load(options.Jwt);
        Assert.Equal(["hs:HS256", "rsa:RS256", "ec:ES256", "jwks-rsa:RS256", "jwks-ec:ES256"], ring.Keys.Select(k => $"{k.KeyId}:{k.Algorithm}").ToArray());
    }

    public static TheoryData<string, Dictionary<string, string?>, string> Mistakes()
    {
        using var weak = RSA.Create(1024);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = RSA.Create(2048);
        var weakPem = weak.ExportSubjectPublicKeyInfoPem();
        var p384Pem = p384.ExportSubjectPublicKeyInfoPem();
        var privatePem = rsa.ExportPkcs8PrivateKeyPem();
        var rsaPem = rsa.ExportSubjectPublicKeyInfoPem();
        Dictionary<string, string?> Key(string alg, string field, string? value, bool issuer = true) => new()
        {
            ["Security:Jwt:Issuer"] = issuer ? "i" : null,
            ["Security:Jwt:Audience"] = "a",
            ["Security:Jwt:Keys:0:KeyId"] = "k",
            ["Security:Jwt:Keys:0:Algorithm"] = alg,
            [$"Security:Jwt:Keys:0:{field}"] = value,
        };
        return new()
        {
            { "no issuer", Key("HS256", "Secret", TestKeys.HmacSecret, issuer: false), "Issuer is required" },
            { "short secret", Key("HS256", "Secret", "short"), "at least 32 bytes" },
            { "unsupported algorithm", Key("HS512", "Secret", TestKeys.HmacSecret), "Algorithm must be one of" },
            { "none algorithm", Key("none", "Secret", TestKeys.HmacSecret), "Algorithm must be one of" },
            { "secret given as a public key", Key("HS256", "PublicKeyPem", rsaPem), "HS256 takes Secret" },
            { "RS256 without a key", Key("RS256", "Secret", TestKeys.HmacSecret), "takes a public key" },
            { "weak RSA key", Key("RS256", "PublicKeyPem", weakPem), "at least 2048 bits" },
            { "P-384 key for ES256", Key("ES256", "PublicKeyPem", p384Pem), "P-256" },
            { "private key configured", Key("RS256", "PublicKeyPem", privatePem), "private key" },
            { "unreadable key file", Key("ES256", "PublicKeyFile", "/nonexistent/key.pem"), "could not be read" },
            { "not a PEM", Key("RS256", "PublicKeyPem", "hello"), "could not be read" },
            { "bad anonymous pattern", new() { ["Security:AnonymousSubscribe:0"] = "smog.>.x" }, "AnonymousSubscribe" },
            { "bad origin", new() { ["Security:AllowedOrigins:0"] = "example.com" }, "AllowedOrigins" },
            { "negative publish rate", new() { ["Security:ClientPublishesPerSecond"] = "-1" }, "ClientPublishesPerSecond" },
            { "missing JWKS file", new() { ["Security:Jwt:Issuer"] = "i", ["Security:Jwt:Audience"] = "a", ["Security:Jwt:JwksFile"] = "/nonexistent/jwks.json" }, "JwksFile" },
        };
    }

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void Mistakes_are_reported(string what, Dictionary<string, string?> settings, string expected)
    {
        var errors = SecurityTestOptions.Bind(settings).Validate().ToList();

        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{what}: {string.Join(" | ", errors)}");
    }

    [Fact]
    public void A_jwks_file_with_private_keys_duplicate_ids_or_foreign_uses_is_refused()
    {
        using var rsa = RSA.Create(2048);
        var file = Path.GetTempFileName();
        try
        {
            var p = rsa.ExportParameters(true);
            File.WriteAllText(file, $$"""
                {"keys":[
                  {"kty":"RSA","kid":"a","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}","d":"{{TestKeys.Base64Url(p.D!)}}"},
                  {"kty":"RSA","kid":"b","use":"enc","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}"},
                  {"kty":"RSA","kid":"c","alg":"PS256","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}"},
                  {"kty":"RSA","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}"},
                  {"kty":"RSA","kid":"ok","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}"},
                  {"kty":"RSA","kid":"ok","n":"{{TestKeys.Base64Url(p.Modulus!)}}","e":"{{TestKeys.Base64Url(p.Exponent!)}}"}
                ]}
                """);

            var errors = SigningKeyRing.Load(new JwtOptions { JwksFile = file }).Errors;

            Assert.Contains(errors, e => e.Contains("'a'") && e.Contains("private key"));
            Assert.Contains(errors, e => e.Contains("'b'") && e.Contains("'use'"));
            Assert.Contains(errors, e => e.Contains("'c'") && e.Contains("PS256"));
            Assert.Contains(errors, e => e.Contains("needs a 'kid'"));
            Assert.Contains(errors, e => e.Contains("'ok'") && e.Contains("more than one key"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
