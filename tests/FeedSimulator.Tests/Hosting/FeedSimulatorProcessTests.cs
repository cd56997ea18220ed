using System.Diagnostics;
using FeedSimulator.Tests.Infrastructure;

namespace FeedSimulator.Tests.Hosting;

/// <summary>The standalone program as a real process: exit codes, bounded runs, and a clean stop on SIGTERM.</summary>
public class FeedSimulatorProcessTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Without_a_connection_string_it_explains_and_exits_with_2()
    {
        var result = await RunToEndAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Redis:ConnectionString is required", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_are_listed_and_exit_with_2()
    {
        var result = await RunToEndAsync("--Redis:ConnectionString=127.0.0.1:1", "--Feeds:FxTicksPerSecond=0", "--Feeds:Smogg=false");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Feeds:FxTicksPerSecond must be", result.Error, StringComparison.Ordinal);
        Assert.Contains("Smogg", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishes_max_ticks_to_redis_then_exits_with_0()
    {
        await using var recorder = await ChannelRecorder.StartAsync(redis.ConnectionString, "proc1.*");

        var result = await RunToEndAsync(
            $"--Redis:ConnectionString={redis.ConnectionString}", "--Redis:ChannelPrefix=proc1.",
            "--Feeds:FxTicksPerSecond=2000", "--Feeds:MaxTicks=200");
        await recorder.WaitForAsync(200).Within();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Stopped: 200 ticks published, 0 failed", result.Output, StringComparison.Ordinal);
        Assert.Equal(200, recorder.Messages.Count);
    }

    [Fact]
    public async Task Sigterm_stops_it_cleanly_with_exit_code_0()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) throw new PlatformNotSupportedException("SIGTERM test needs a Unix");
        await using var recorder = await ChannelRecorder.StartAsync(redis.ConnectionString, "proc2.*");
        using var process = Start($"--Redis:ConnectionString={redis.ConnectionString}", "--Redis:ChannelPrefix=proc2.", "--Feeds:FxTicksPerSecond=500");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();

        // Once Redis has seen ticks, the simulator is mid-run.
        await recorder.WaitForAsync(50).Within();
        await SendSigtermAsync(process.Id);
        await process.WaitForExitAsync().Within();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Stopped:", await output.Within(), StringComparison.Ordinal);
        Assert.Equal("", await error.Within());
    }

    private static async Task SendSigtermAsync(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().Within();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunToEndAsync(params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().Within();
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await output, await error);
    }

    private static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FeedSimulator.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        // Settings from the test runner's environment must not leak into the simulator under test.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Redis__", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("Feeds__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        return Process.Start(info) ?? throw new InvalidOperationException("the simulator did not start");
    }
}
