using PushGateway.Bus;
using PushGateway.Configuration;

namespace PushGateway.Tests.Bus;

/// <summary>
/// The client configuration a node derives from its settings. The reconnect policy is the one that
/// matters after a Redis restart: the fault suite saw a node come back 5.5 s after Redis finished
/// loading, because hundreds of LOADING answers had grown the default back-off towards 10 s.
/// </summary>
public sealed class RedisClientConfigurationTests
{
    [Fact]
    public void After_hundreds_of_failed_attempts_the_client_still_retries_once_an_interval_has_passed()
    {
        var policy = RedisBus.ClientConfiguration(new RedisOptions { ConnectionString = "127.0.0.1:1", ReconnectInterval = TimeSpan.FromMilliseconds(500) })
            .ReconnectRetryPolicy;

        Assert.True(policy.ShouldRetry(500, 600), "a retry 600 ms after the last, after 500 failures");
        Assert.False(policy.ShouldRetry(500, 100), "a retry only 100 ms after the last");
    }

    [Fact]
    public void The_operators_connection_string_is_kept_and_the_node_names_itself_only_when_it_names_nothing()
    {
        var named = RedisBus.ClientConfiguration(new RedisOptions { ConnectionString = "127.0.0.1:7000,name=edge-1,password=s3cret" });
        var unnamed = RedisBus.ClientConfiguration(new RedisOptions { ConnectionString = "127.0.0.1:7000" });

        Assert.Equal("edge-1", named.ClientName);
        Assert.Equal("s3cret", named.Password);
        Assert.StartsWith("pushgw-", unnamed.ClientName, StringComparison.Ordinal);
        Assert.False(unnamed.AbortOnConnectFail);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(61_000)]
    public void A_reconnect_interval_that_is_not_positive_or_over_a_minute_is_refused(int milliseconds)
    {
        var errors = new RedisOptions { ConnectionString = "127.0.0.1:1", ReconnectInterval = TimeSpan.FromMilliseconds(milliseconds) }.Validate();

        Assert.Contains(errors, e => e.Contains("Redis:ReconnectInterval", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_settings_are_valid()
    {
        Assert.Empty(new RedisOptions { ConnectionString = "127.0.0.1:1" }.Validate());
    }

    [Fact]
    public void The_own_subscription_connection_takes_host_port_password_and_name_from_the_connection_string()
    {
        var endpoint = RedisBus.SocketEndpoint(new RedisOptions { ConnectionString = "redis.internal:7000,name=edge-1,password=s3cret,connectTimeout=1500" });
        var defaulted = RedisBus.SocketEndpoint(new RedisOptions { ConnectionString = "127.0.0.1" });

        Assert.Equal(new SubscriptionSocket.Endpoint("redis.internal", 7000, "s3cret", "edge-1", TimeSpan.FromMilliseconds(1500)), endpoint);
        Assert.Equal(6379, defaulted!.Port);
        Assert.StartsWith("pushgw-", defaulted.ClientName, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:7000,ssl=true", "socket")]
    [InlineData("10.0.0.1:7000,10.0.0.2:7000", "socket")]
    [InlineData("127.0.0.1:7000", "library")]
    public void TLS_several_endpoints_or_asking_for_the_library_leave_subscriptions_to_the_library(string connectionString, string subscriber)
    {
        Assert.Null(RedisBus.SocketEndpoint(new RedisOptions { ConnectionString = connectionString, Subscriber = subscriber }));
    }

    [Fact]
    public void A_subscriber_that_is_neither_socket_nor_library_is_refused()
    {
        var errors = new RedisOptions { ConnectionString = "127.0.0.1", Subscriber = "Socket" }.Validate().ToArray();

        Assert.Contains(errors, e => e.Contains("Redis:Subscriber", StringComparison.Ordinal));
        Assert.Empty(new RedisOptions { ConnectionString = "127.0.0.1", Subscriber = "library" }.Validate());
    }
}
