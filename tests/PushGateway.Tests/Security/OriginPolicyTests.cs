using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using PushGateway.Security;

namespace PushGateway.Tests.Security;

public sealed class OriginPolicyTests
{
    private static OriginPolicy Policy(params string[] origins) => new(Options.Create(new SecurityOptions { AllowedOrigins = origins }));

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://APP.example.com", true)]
    [InlineData("https://app.example.com:443", true)]
    [InlineData("http://app.example.com", false)]
    [InlineData("https://app.example.com:8443", false)]
    [InlineData("https://evil.com", false)]
    [InlineData("https://app.example.com.evil.com", false)]
    [InlineData("https://a.shop.example.org", true)]
    [InlineData("https://a.b.shop.example.org", true)]
    [InlineData("https://shop.example.org", false)]
    [InlineData("https://badshop.example.org", false)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://localhost:5081", false)]
    [InlineData("null", false)]
    [InlineData("file://", false)]
    [InlineData("https://app.example.com/path", false)]
    [InlineData("not an origin", false)]
    [InlineData("", true)]
    public void Only_listed_origins_are_allowed(string origin, bool allowed)
    {
        var policy = Policy("https://app.example.com", "https://*.shop.example.org", "http://localhost:5080");

        Assert.Equal(allowed, policy.Allows(origin));
    }

    [Fact]
    public void No_origin_header_is_a_non_browser_client_and_two_are_refused()
    {
        var policy = Policy("https://app.example.com");

        Assert.True(policy.Allows(StringValues.Empty));
        Assert.False(policy.Allows(new StringValues(["https://app.example.com", "https://evil.com"])));
    }

    [Fact]
    public void Unset_or_star_allows_everything_but_gives_no_cors()
    {
        foreach (var policy in new[] { Policy(), Policy("*") })
        {
            Assert.True(policy.AllowsAll);
            Assert.True(policy.Allows("https://anything.example"));
            Assert.False(policy.AllowsForCors("https://anything.example"));
        }
    }

    [Fact]
    public void The_null_origin_is_allowed_only_when_listed()
    {
        Assert.True(Policy("null").Allows("null"));
        Assert.False(Policy("https://app.example.com").Allows("null"));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://*.example.com", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("*", true)]
    [InlineData("null", true)]
    [InlineData("app.example.com", false)]
    [InlineData("https://app.example.com/", false)]
    [InlineData("https://app.example.com/x", false)]
    [InlineData("ftp://app.example.com", false)]
    [InlineData("https://user@app.example.com", false)]
    public void Configuration_entries_are_validated(string entry, bool valid)
    {
        Assert.Equal(valid, !new SecurityOptions { AllowedOrigins = [entry] }.Validate().Any());
    }
}
