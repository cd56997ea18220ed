using FeedSimulator.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Composition root of the standalone simulator: configuration, validation, services. The work is in FeedEngine.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    // appsettings.json ships next to the binary; `dotnet run --project` would otherwise look in the caller's directory.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss ";
});

if (!StartupConfiguration.TryLoad(builder.Configuration, Console.Error, out var feeds, out var redis))
{
    return StartupConfiguration.InvalidConfigurationExitCode;
}

builder.Services.AddFeedPublishing(feeds, redis);
using var host = builder.Build();
await host.RunAsync();
return Environment.ExitCode;
