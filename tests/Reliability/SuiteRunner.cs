using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;
using PushGateway.Reliability.Scenarios;

namespace PushGateway.Reliability;

/// <summary>Runs the chosen scenarios one after another (each on its own fresh cluster) and reports each as it ends.</summary>
internal static class SuiteRunner
{
    public static async Task<List<ScenarioReport>> RunAsync(RunOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var library = await File.ReadAllTextAsync(Path.Combine(options.RepositoryRoot, "src", "PushGateway", "Bus", "pushgw.lua"), cancellationToken).ConfigureAwait(false);
        var built = options.GatewayDll;
        options = options with { GatewayDll = SnapshotGateway(options) };
        var reports = new List<ScenarioReport>();
        Console.Error.WriteLine($"fault suite: {string.Join(", ", options.Scenarios)} at size {options.Size.Name}; gateway {built} (run from a copy); logs in {options.RunDirectory}");
        foreach (var name in options.Scenarios)
        {
            if (cancellationToken.IsCancellationRequested) break;
            var report = await Scenario.Create(name).RunAsync(options, library, cancellationToken).ConfigureAwait(false);
            // Whatever a scenario left behind (it should have killed its own) must not leak into the next one.
            ChildProcesses.KillAll();
            reports.Add(report);
            ReportWriter.WriteText(report, output);
        }
        return reports;
    }

    /// <summary>
    /// Copies the gateway build into the run directory and returns the copy's dll. The tree is shared:
    /// another build may rewrite bin/Release mid-run, and a node restarted then would not start (or
    /// would be a different gateway). Every node of the run starts from this one copy.
    /// </summary>
    private static string SnapshotGateway(RunOptions options)
    {
        var source = Path.GetDirectoryName(options.GatewayDll)!;
        var target = Path.Combine(options.RunDirectory, "gateway");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy, overwrite: true);
        }
        return Path.Combine(target, Path.GetFileName(options.GatewayDll));
    }

    /// <summary>Past this, the run is killed whatever it is doing: every run stops by itself.</summary>
    public static TimeSpan HardLimit(RunOptions options) =>
        options.Scenarios.Contains("soak")
            ? options.Size.SoakDuration + TimeSpan.FromMinutes(15)
            : options.Size.ScenarioTimeout * options.Scenarios.Count + TimeSpan.FromMinutes(2);
}
