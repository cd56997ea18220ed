using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using PushGateway.Observability;

namespace PushGateway.Tests.Observability;

public sealed class LogFormatTests
{
    private static ConsoleLoggerOptions ConsoleOptions(string? format)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Format"] = format }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().AddGatewayLogFormat(configuration));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value;
    }

    [Fact]
    public void Logging_format_json_switches_the_console_to_json()
    {
        Assert.Equal(ConsoleFormatterNames.Json, ConsoleOptions("json").FormatterName);
    }

    [Fact]
    public void Any_other_format_keeps_the_default_console()
    {
        Assert.NotEqual(ConsoleFormatterNames.Json, ConsoleOptions(null).FormatterName);
    }
}
