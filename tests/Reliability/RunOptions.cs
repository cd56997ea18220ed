using System.Globalization;

namespace PushGateway.Reliability;

/// <summary>The command line: which scenarios, at which size, where the gateway build is, how to report.</summary>
internal sealed record RunOptions(
    IReadOnlyList<string> Scenarios,
    SizeProfile Size,
    bool Json,
    string GatewayDll,
    string RunDirectory,
    string? SummaryFile,
    bool KeepLogs,
    string RepositoryRoot,
    IReadOnlyList<string> GatewaySettings,
    int? TraceClient)
{
    public static readonly string[] Known = ["redis-restart", "redis-pause", "node-kill", "rolling", "slow", "soak"];

    /// <summary>"all" is every scenario but the soak, which runs for half an hour and only on request.</summary>
    public static readonly string[] All = ["redis-restart", "redis-pause", "node-kill", "rolling", "slow"];

    public const string Usage = """
        usage: dotnet run -c Release --project tests/Reliability -- [options]
          --scenario all|redis-restart|redis-pause|node-kill|rolling|slow|soak   (default all; all excludes soak;
                                    several: a comma-separated list)
          --size ci|full            (default ci: the small size the test command runs)
          --json                    print the report as JSON on stdout (the text report goes to stderr)
          --gateway PATH            PushGateway.dll (default src/PushGateway/bin/Release/net10.0/PushGateway.dll)
          --duration HH:MM:SS       soak length (default 00:30:00)
          --run-dir DIR             where logs and the pid list go (default /tmp/pushgw-faults/<run>)
          --summary-file FILE       write "<passed> <failed>" there (scripts/faults.sh reads it)
          --keep                    keep the run directory even when everything passed
          --gateway-setting K=V     extra gateway setting for every node, e.g. Gateway:SendQueueBytes=131072 (repeatable)
          --trace-client ID         write every server object client ID receives to <run-dir>/<scenario>.client<ID>.trace
        """;

    public static RunOptions Parse(string[] args)
    {
        var scenario = "all";
        var size = "ci";
        var json = false;
        var keep = false;
        string? gateway = null, runDirectory = null, summary = null;
        TimeSpan? duration = null;
        var gatewaySettings = new List<string>();
        int? traceClient = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--scenario": scenario = Value(); break;
                case "--size": size = Value(); break;
                case "--json": json = true; break;
                case "--keep": keep = true; break;
                case "--gateway": gateway = Value(); break;
                case "--run-dir": runDirectory = Value(); break;
                case "--summary-file": summary = Value(); break;
                case "--trace-client": traceClient = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--gateway-setting": gatewaySettings.Add("--" + Value()); break;
                case "--duration": duration = TimeSpan.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        var scenarios = scenario == "all" ? All : scenario.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in scenarios)
        {
            if (!Known.Contains(name)) throw new ArgumentException($"unknown scenario '{name}'");
        }
        var profile = size switch
        {
            "ci" => SizeProfile.Ci,
            "full" => SizeProfile.Full,
            _ => throw new ArgumentException($"unknown size '{size}' (ci or full)"),
        };
        if (duration is { } soak) profile = profile with { SoakDuration = soak };
        var root = FindRepositoryRoot();
        gateway ??= Path.Combine(root, "src", "PushGateway", "bin", "Release", "net10.0", "PushGateway.dll");
        runDirectory ??= Path.Combine(Path.GetTempPath(), "pushgw-faults",
            DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new RunOptions(scenarios, profile, json, Path.GetFullPath(gateway), Path.GetFullPath(runDirectory), summary, keep, root, gatewaySettings, traceClient);
    }

    /// <summary>The checkout: the first directory upwards (from here, then from the binary) that holds PushGateway.sln.</summary>
    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "PushGateway.sln"))) return directory.FullName;
            }
        }
        throw new InvalidOperationException("cannot find PushGateway.sln above the current directory or the binary");
    }
}

/// <summary>
/// How big a run is. "ci" fits the test command on a loaded 2-core machine (about two minutes for
/// all five scenarios); "full" is the size (200 clients, 10 Redis restarts).
/// </summary>
internal sealed record SizeProfile(
    string Name,
    int Nodes,
    int Clients,
    int Topics,
    int TopicsPerClient,
    double RatePerSecond,
    int RedisKills,
    int Pauses,
    int NodeKills,
    TimeSpan Warmup,
    TimeSpan LoadBetweenFaults,
    TimeSpan RedisDowntime,
    TimeSpan SlowPhase,
    TimeSpan QuiesceTimeout,
    TimeSpan ScenarioTimeout,
    bool TimedAssertions,
    int SoakClients,
    double SoakRate,
    TimeSpan SoakDuration,
    TimeSpan SoakFaultInterval)
{
    public static readonly SizeProfile Ci = new(
        "ci", Nodes: 3, Clients: 48, Topics: 12, TopicsPerClient: 3, RatePerSecond: 60,
        RedisKills: 2, Pauses: 1, NodeKills: 1,
        Warmup: TimeSpan.FromSeconds(2), LoadBetweenFaults: TimeSpan.FromSeconds(3), RedisDowntime: TimeSpan.FromSeconds(1),
        SlowPhase: TimeSpan.FromSeconds(12), QuiesceTimeout: TimeSpan.FromSeconds(20), ScenarioTimeout: TimeSpan.FromMinutes(3),
        TimedAssertions: false,
        SoakClients: 60, SoakRate: 60, SoakDuration: TimeSpan.FromMinutes(30), SoakFaultInterval: TimeSpan.FromMinutes(3));

    public static readonly SizeProfile Full = new(
        "full", Nodes: 3, Clients: 200, Topics: 24, TopicsPerClient: 4, RatePerSecond: 200,
        RedisKills: 10, Pauses: 3, NodeKills: 3,
        Warmup: TimeSpan.FromSeconds(5), LoadBetweenFaults: TimeSpan.FromSeconds(5), RedisDowntime: TimeSpan.FromSeconds(2),
        SlowPhase: TimeSpan.FromSeconds(30), QuiesceTimeout: TimeSpan.FromSeconds(30), ScenarioTimeout: TimeSpan.FromMinutes(15),
        TimedAssertions: true,
        SoakClients: 100, SoakRate: 100, SoakDuration: TimeSpan.FromMinutes(30), SoakFaultInterval: TimeSpan.FromMinutes(3));
}
