using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PushGateway.Security;

namespace PushGateway.Tests.Security;

public sealed class SecurityStartupCheckTests
{
    [Fact]
    public async Task An_open_production_node_warns_about_origins_and_authentication()
    {
        var warnings = await WarningsAsync(new SecurityOptions(), Environments.Production);

        Assert.Contains(warnings, w => w.Contains("AllowedOrigins", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("without a token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_publishing_is_always_called_out_and_development_is_quiet_otherwise()
    {
        var warnings = await WarningsAsync(new SecurityOptions { AnonymousPublish = ["chat.>"] }, Environments.Development);

        Assert.Equal(["Clients without a token may publish to: chat.>"], warnings);
    }

    [Fact]
    public async Task A_configured_production_node_is_quiet()
    {
        using var keys = new TestKeys();
        var options = SecurityTestOptions.Bind(keys.Settings(new Dictionary<string, string?> { ["Security:AllowedOrigins:0"] = "https://app.example.com" }));

        Assert.Empty(await WarningsAsync(options, Environments.Production));
    }

    private static async Task<List<string>> WarningsAsync(SecurityOptions options, string environment)
    {
        var logger = new ListLogger();
        var wrapped = Options.Create(options);
        var check = new SecurityStartupCheck(new TokenAuthenticator(wrapped, TimeProvider.System), new OriginPolicy(wrapped), wrapped, new Environment(environment), logger);
        await check.StartAsync(CancellationToken.None);
        return logger.Warnings;
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "test";
        public string ContentRootPath { get; set; } = "";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    private sealed class ListLogger : ILogger<SecurityStartupCheck>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }
}
