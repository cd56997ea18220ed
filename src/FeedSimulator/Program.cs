using FeedSimulator.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Composition root of the standalone simulator: configuration, validation, services. The work is in FeedEngine.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    // No appsettings.json of its own: the gateway references this project, and two appsettings.json in one
    // publish output collide. Defaults live in the options classes; configure with the command line or environment.
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
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
