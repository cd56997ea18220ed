using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PushGateway.Tests.Infrastructure;

namespace PushGateway.Tests.Security;

/// <summary>Tokens travel in query strings; with every log category at Trace, none of their text may reach a log.</summary>
public sealed class TokenLoggingTests
{
    [Fact]
    public async Task No_log_line_holds_a_token_even_at_trace_level()
    {
        using var keys = new TestKeys();
        var capture = new CapturingLoggerProvider();
        await using var node = LoggingNode.Start(capture, keys.Settings(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:PushGateway.Connections"] = "Trace",
            ["Logging:Console:LogLevel:Default"] = "None",
        }));
        var good = keys.Token(subscribe: ["fx.>"]);
        var expired = keys.Token(subscribe: ["fx.>"], expiresIn: TimeSpan.FromMinutes(-1));
        var refresh = keys.Token("RS256", "rsa", subscribe: ["fx.>"]);
        var stranger = keys.Token(subject: "mallory");

        await using (var client = await TestClient.ConnectAsync(new Uri($"ws://{node.Address.Authority}/ws?access_token={good}")))
        {
            await client.SubscribeAsync("fx.EURUSD");
            await client.CommandAsync("refresh", extraFields: $",\"token\":\"{refresh}\"");
            await client.CommandAsync("refresh", extraFields: $",\"token\":\"{expired}\"");
            await client.SendAsync($"{{\"type\":\"refresh\",\"id\":9,\"token\":\"{stranger}\"}}");
            await client.Closed.Within();
        }
        await Handshake.StatusAsync(new Uri($"ws://{node.Address.Authority}/ws?access_token={expired}"));
        await Handshake.StatusAsync(new Uri($"ws://{node.Address.Authority}/ws?access_token=garbage.{good.Split('.')[1]}.x"));

        Assert.True(capture.Lines.Count > 20, $"only {capture.Lines.Count} log lines: is capture working?");
        foreach (var token in new[] { good, expired, refresh, stranger })
        {
            foreach (var part in token.Split('.'))
            {
                var leak = capture.Lines.FirstOrDefault(l => l.Contains(part, StringComparison.Ordinal));
                Assert.True(leak is null, $"a log line holds token text: {leak}");
            }
        }
        Assert.DoesNotContain(capture.Lines, l => l.Contains("access_token", StringComparison.Ordinal));
    }

    private sealed class LoggingNode(CapturingLoggerProvider capture, Dictionary<string, string?> settings) : WebApplicationFactory<PushGateway.Topics.TopicRouter>
    {
        public Uri Address { get; private set; } = null!;

        public static LoggingNode Start(CapturingLoggerProvider capture, Dictionary<string, string?> settings)
        {
            settings["Feeds:Enabled"] = "false";
            settings["Redis:ConnectionString"] = "";
            var node = new LoggingNode(capture, settings);
            node.UseKestrel(0);
            node.StartServer();
            var address = node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            node.Address = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
            return node;
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(capture));
        }
    }

    /// <summary>Keeps every log line with its state values and scopes, as any structured sink would see them.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<string> Queue { get; } = new();

        public IReadOnlyList<string> Lines => Queue.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values) line.Append($" [{key}={value}]");
                }
                owner.scopes.ForEachScope((scope, builder) =>
                {
                    builder.Append($" <{scope}>");
                    if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                    {
                        foreach (var (key, value) in pairs) builder.Append($" <{key}={value}>");
                    }
                }, line);
                if (exception is not null) line.Append(' ').Append(exception);
                owner.Queue.Enqueue(line.ToString());
            }
        }
    }
}
