using System.Globalization;
using System.Net;

namespace LoadGen.Cli;

/// <summary>Everything a run is told on the command line; workers get the same options plus their share.</summary>
public sealed class LoadOptions
{
    public List<Uri> Urls { get; } = [];
    public Target Target { get; set; } = Target.PushGw;
    public string Redis { get; set; } = "127.0.0.1:6379";
    public int Connections { get; set; } = 100;
    public int Topics { get; set; } = 10;
    public int SubsPerConnection { get; set; } = 1;
    public double Rate { get; set; } = 100;
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; set; } = TimeSpan.FromSeconds(5);
    public int PayloadBytes { get; set; } = 100;
    public List<IPAddress> SourceIps { get; } = [];
    public List<int> GatewayPids { get; } = [];
    public WireProtocol Protocol { get; set; } = WireProtocol.Json;
    public int? MaxRate { get; set; }
    public bool Idle { get; set; }
    public bool Json { get; set; }
    public bool Ramp { get; set; }
    public double RampFactor { get; set; } = 1.5;
    public int RampSteps { get; set; } = 10;
    public double RampMaxP99Ms { get; set; } = 100;
    public int Processes { get; set; } = 1;
    public string TopicPrefix { get; set; } = "bench.t";
    public int ConnectConcurrency { get; set; } = 64;
    public int MaxInFlight { get; set; } = 20_000;
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public SocketIoPublisher SocketIoPublisher { get; set; } = SocketIoPublisher.CSharp;
    public string? SocketIoDir { get; set; }
    public string? Label { get; set; }

    /// <summary>Set on a child process: which share of the clients and source addresses it runs.</summary>
    public int WorkerIndex { get; set; } = -1;
    public int WorkerCount { get; set; } = 1;
    public bool IsWorker => WorkerIndex >= 0;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"{name} needs a value");
                return args[++i];
            }
            switch (name)
            {
                case "--url": o.Urls.Add(new Uri(Value())); break;
                case "--target": o.Target = Value() switch
                {
                    "pushgw" => Target.PushGw,
                    "socketio" => Target.SocketIo,
                    var v => throw new ArgumentException($"--target {v}: expected pushgw or socketio"),
                }; break;
                case "--redis": o.Redis = Value(); break;
                case "--connections": o.Connections = PositiveInt(name, Value()); break;
                case "--topics": o.Topics = PositiveInt(name, Value()); break;
                case "--subs-per-conn": o.SubsPerConnection = PositiveInt(name, Value()); break;
                case "--rate": o.Rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": o.Duration = ParseDuration(Value()); break;
                case "--warmup": o.Warmup = ParseDuration(Value()); break;
                case "--payload-bytes": o.PayloadBytes = PositiveInt(name, Value()); break;
                case "--source-ips": o.SourceIps.AddRange(ParseIpRange(Value())); break;
                case "--gateway-pid": o.GatewayPids.Add(PositiveInt(name, Value())); break;
                case "--protocol": o.Protocol = Value() switch
                {
                    "json" => WireProtocol.Json,
                    "msgpack" => WireProtocol.MessagePack,
                    var v => throw new ArgumentException($"--protocol {v}: expected json or msgpack"),
                }; break;
                case "--max-rate": o.MaxRate = PositiveInt(name, Value()); break;
                case "--idle": o.Idle = true; break;
                case "--json": o.Json = true; break;
                case "--ramp": o.Ramp = true; break;
                case "--ramp-factor": o.RampFactor = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--ramp-steps": o.RampSteps = PositiveInt(name, Value()); break;
                case "--ramp-max-p99-ms": o.RampMaxP99Ms = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--processes": o.Processes = PositiveInt(name, Value()); break;
                case "--topic-prefix": o.TopicPrefix = Value(); break;
                case "--connect-concurrency": o.ConnectConcurrency = PositiveInt(name, Value()); break;
                case "--max-in-flight": o.MaxInFlight = PositiveInt(name, Value()); break;
                case "--drain-timeout": o.DrainTimeout = ParseDuration(Value()); break;
                case "--sio-publisher": o.SocketIoPublisher = Value() switch
                {
                    "csharp" => SocketIoPublisher.CSharp,
                    "node" => SocketIoPublisher.Node,
                    var v => throw new ArgumentException($"--sio-publisher {v}: expected csharp or node"),
                }; break;
                case "--sio-dir": o.SocketIoDir = Value(); break;
                case "--label": o.Label = Value(); break;
                case "--worker":
                    var share = Value().Split('/');
                    o.WorkerIndex = int.Parse(share[0], CultureInfo.InvariantCulture);
                    o.WorkerCount = int.Parse(share[1], CultureInfo.InvariantCulture);
                    break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        if (o.Urls.Count == 0)
            o.Urls.Add(new Uri(o.Target == Target.SocketIo ? "ws://127.0.0.1:5090/socket.io/" : "ws://127.0.0.1:5080/ws"));
        if (o.SourceIps.Count == 0) o.SourceIps.Add(IPAddress.Loopback);
        if (o.SubsPerConnection > o.Topics)
            throw new ArgumentException("--subs-per-conn must not exceed --topics: a client's topics are distinct");
        if (o.Target == Target.SocketIo && o.Protocol != WireProtocol.Json)
            throw new ArgumentException("--protocol msgpack is a PushGateway subprotocol; Socket.IO runs json");
        if (o.Rate <= 0 && !o.Idle) throw new ArgumentException("--rate must be positive");
        return o;
    }

    /// <summary>The arguments that make a child process run worker <paramref name="index"/> of <paramref name="count"/>.</summary>
    public IReadOnlyList<string> ToWorkerArgs(int index, int count)
    {
        var a = new List<string>();
        foreach (var u in Urls) a.AddRange(["--url", u.ToString()]);
        a.AddRange(["--target", Target == Target.SocketIo ? "socketio" : "pushgw"]);
        a.AddRange(["--connections", Inv(Connections), "--topics", Inv(Topics), "--subs-per-conn", Inv(SubsPerConnection)]);
        a.AddRange(["--rate", Inv(Rate), "--duration", Inv(Duration.TotalSeconds) + "s", "--warmup", Inv(Warmup.TotalSeconds) + "s"]);
        a.AddRange(["--payload-bytes", Inv(PayloadBytes), "--topic-prefix", TopicPrefix]);
        a.AddRange(["--protocol", Protocol == WireProtocol.MessagePack ? "msgpack" : "json"]);
        a.AddRange(["--connect-concurrency", Inv(ConnectConcurrency)]);
        a.AddRange(["--source-ips", string.Join(',', SourceIps)]);
        if (MaxRate is { } m) a.AddRange(["--max-rate", Inv(m)]);
        if (Idle) a.Add("--idle");
        if (Ramp) a.AddRange(["--ramp", "--ramp-factor", Inv(RampFactor), "--ramp-steps", Inv(RampSteps)]);
        a.AddRange(["--worker", $"{index}/{count}"]);
        return a;
    }

    /// <summary>Global client indices [start, end) that worker <paramref name="index"/> of <paramref name="count"/> runs.</summary>
    public static (int Start, int End) ShareOf(int total, int index, int count) =>
        ((int)((long)total * index / count), (int)((long)total * (index + 1) / count));

    /// <summary>The source addresses a worker binds to: its own slice when there are enough to go round.</summary>
    public List<IPAddress> SourceIpsOf(int index, int count) =>
        SourceIps.Count >= count ? SourceIps.Where((_, i) => i % count == index).ToList() : SourceIps;

    public static TimeSpan ParseDuration(string s)
    {
        s = s.Trim();
        double Num(string t) => double.Parse(t, CultureInfo.InvariantCulture);
        if (s.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(Num(s[..^2]));
        if (s.EndsWith('s')) return TimeSpan.FromSeconds(Num(s[..^1]));
        if (s.EndsWith('m')) return TimeSpan.FromMinutes(Num(s[..^1]));
        return TimeSpan.FromSeconds(Num(s));
    }

    /// <summary>"127.0.0.1-127.0.0.8", "127.0.0.1,127.0.0.2" or a mix.</summary>
    public static IEnumerable<IPAddress> ParseIpRange(string s)
    {
        foreach (var part in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0) { yield return IPAddress.Parse(part); continue; }
            var from = IPAddress.Parse(part[..dash]).GetAddressBytes();
            var to = IPAddress.Parse(part[(dash + 1)..]).GetAddressBytes();
            uint a = (uint)(from[0] << 24 | from[1] << 16 | from[2] << 8 | from[3]);
            uint b = (uint)(to[0] << 24 | to[1] << 16 | to[2] << 8 | to[3]);
            if (b < a || b - a > 65535) throw new ArgumentException($"bad address range {part}");
            for (var x = a; x <= b; x++)
                yield return new IPAddress([(byte)(x >> 24), (byte)(x >> 16), (byte)(x >> 8), (byte)x]);
        }
    }

    private static int PositiveInt(string name, string v)
    {
        var n = int.Parse(v, CultureInfo.InvariantCulture);
        if (n <= 0) throw new ArgumentException($"{name} must be positive");
        return n;
    }

    private static string Inv(double d) => d.ToString(CultureInfo.InvariantCulture);
    private static string Inv(int d) => d.ToString(CultureInfo.InvariantCulture);
}

public enum Target { PushGw, SocketIo }

public enum WireProtocol { Json, MessagePack }

/// <summary>How --target socketio publishes: the emitter's Redis protocol written in C#, or publisher.mjs.</summary>
public enum SocketIoPublisher { CSharp, Node }
