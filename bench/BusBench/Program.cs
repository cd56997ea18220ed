using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BusBench;

// What one bus message costs the subscribing process before the fan-out starts: StackExchange.Redis
// 1.2.6's subscription path (the gateway's today) against a socket read on a thread of its own.
// The parent publishes; each subscriber runs in a child process so its CPU is measured alone.
const string Usage = """
    usage: BusBench --redis HOST:PORT [--rates 1000,2000,20000] [--duration 10s] [--warmup 2s]
                    [--rounds 2] [--clients library,library-inline,thread,inline] [--payload-bytes 100]
      Per rate and round, each client in turn (alternating which goes first) subscribes in a child
      process while this one publishes open-loop; prints the child's CPU and context switches per
      message and the latency from PUBLISH to the hand-off's reader. Bounded: rates x rounds x
      clients x (warm-up + duration). Loopback Redis only.
      library: StackExchange.Redis 1.2.6 as the gateway uses it, handing off to a channel drained on
      the thread pool (as Topics/MessageDispatcher.cs); library-inline: the library's handler doing the
      work itself; thread: a blocking socket read on a thread of its own, same hand-off as library;
      inline: that reader doing the work itself, no hand-off.
    """;

if (args.Length > 0 && args[0] == "subscribe") return Child.Run(args);
try
{
    var options = Options.Parse(args);
    return Parent.Run(options);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"busbench: {e.Message}\n\n{Usage}");
    return 2;
}

internal sealed record Options(string Redis, int[] Rates, TimeSpan Duration, TimeSpan Warmup, int Rounds, string[] Clients, int PayloadBytes)
{
    public static Options Parse(string[] args)
    {
        string? redis = null;
        int[] rates = [1000, 2000, 20000];
        var duration = TimeSpan.FromSeconds(10);
        var warmup = TimeSpan.FromSeconds(2);
        var rounds = 2;
        string[] clients = ["library", "library-inline", "thread", "inline"];
        var payloadBytes = 100;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--redis": redis = Value(); break;
                case "--rates": rates = Value().Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--duration": duration = Seconds(Value()); break;
                case "--warmup": warmup = Seconds(Value()); break;
                case "--rounds": rounds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--clients": clients = Value().Split(','); break;
                case "--payload-bytes": payloadBytes = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (redis is null) throw new ArgumentException("--redis is required");
        var host = redis[..Math.Max(0, redis.LastIndexOf(':'))];
        if (!host.StartsWith("127.", StringComparison.Ordinal) && host != "localhost") throw new ArgumentException("--redis must be on loopback");
        if (rates.Any(r => r <= 0 || r > 200_000)) throw new ArgumentException("--rates must be 1..200000");
        if (duration <= TimeSpan.Zero || duration > TimeSpan.FromMinutes(5)) throw new ArgumentException("--duration must be 1s..5m");
        if (rounds is < 1 or > 20) throw new ArgumentException("--rounds must be 1..20");
        if (clients.Any(c => c is not ("library" or "library-inline" or "thread" or "inline"))) throw new ArgumentException("--clients: library, library-inline, thread, inline");
        return new Options(redis, rates, duration, warmup, rounds, clients, payloadBytes);
    }

    private static TimeSpan Seconds(string text) =>
        TimeSpan.FromSeconds(double.Parse(text.TrimEnd('s'), CultureInfo.InvariantCulture));
}

internal sealed record ChildResult(string Client, long Received, long Dropped, double CpuMs, long ContextSwitches,
    double P50Ms, double P99Ms, double P999Ms, double MaxMs);

internal static class Parent
{
    public static int Run(Options options)
    {
        Console.WriteLine($"busbench: redis {options.Redis}, rates {string.Join(",", options.Rates)}/s, {options.Duration.TotalSeconds}s (+{options.Warmup.TotalSeconds}s warm-up), {options.Rounds} round(s), payload {options.PayloadBytes} B");
        Console.WriteLine($"{"client",-14} {"rate/s",7} {"round",5} {"received",9} {"lost",5} {"CPU ms",7} {"us/msg",7} {"cs/msg",7} {"p50 ms",7} {"p99 ms",7} {"p99.9",7} {"max",7}");
        var results = new List<(int Rate, ChildResult Result)>();
        var clean = true;
        foreach (var rate in options.Rates)
        {
            for (var round = 0; round < options.Rounds; round++)
            {
                var order = round % 2 == 0 ? options.Clients : options.Clients.Reverse().ToArray();
                foreach (var client in order)
                {
                    var (published, result) = Measure(options, client, rate);
                    results.Add((rate, result));
                    var lost = published - result.Received;
                    if (lost != 0 || result.Dropped != 0) clean = false;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{client,-14} {rate,7} {round + 1,5} {result.Received,9} {lost,5} {result.CpuMs,7:F0} {1000 * result.CpuMs / Math.Max(1, result.Received),7:F1} {(double)result.ContextSwitches / Math.Max(1, result.Received),7:F2} {result.P50Ms,7:F3} {result.P99Ms,7:F3} {result.P999Ms,7:F2} {result.MaxMs,7:F2}"));
                }
            }
        }
        Console.WriteLine();
        Console.WriteLine("median CPU us per message (and context switches per message) by rate:");
        foreach (var rate in options.Rates)
        {
            var line = $"  {rate,7}/s";
            foreach (var client in options.Clients)
            {
                var mine = results.Where(r => r.Rate == rate && r.Result.Client == client).Select(r => r.Result).ToArray();
                var us = Median(mine.Select(r => 1000 * r.CpuMs / Math.Max(1, r.Received)));
                var cs = Median(mine.Select(r => (double)r.ContextSwitches / Math.Max(1, r.Received)));
                line += string.Create(CultureInfo.InvariantCulture, $"   {client} {us:F1} us ({cs:F2} cs)");
            }
            Console.WriteLine(line);
        }
        if (!clean) Console.WriteLine("NOT CLEAN: a subscriber lost messages (see 'lost'); its CPU figure counts fewer messages");
        return clean ? 0 : 1;
    }

    private static (long Published, ChildResult Result) Measure(Options options, string client, int rate)
    {
        var channel = "busbench." + Guid.NewGuid().ToString("N")[..8];
        using var child = StartChild(client, options.Redis, channel);
        Expect(child, "ready");
        using var publisher = new Publisher(options.Redis, channel, options.PayloadBytes);
        publisher.Run(rate, options.Warmup, measured: false);
        child.StandardInput.WriteLine("start");
        Expect(child, "started");
        var published = publisher.Run(rate, options.Duration, measured: true);
        // Deliveries in flight land before the window closes; idle time costs a subscriber nothing.
        Thread.Sleep(300);
        child.StandardInput.WriteLine("stop");
        var line = child.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"{client}: the subscriber exited without a result");
        child.WaitForExit(10_000);
        return (published, JsonSerializer.Deserialize<ChildResult>(line)!);
    }

    private static Process StartChild(string client, string redis, string channel)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        // Run as `dotnet BusBench.dll`: the child is the same assembly under the same host.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        foreach (var a in new[] { "subscribe", "--client", client, "--redis", redis, "--channel", channel }) start.ArgumentList.Add(a);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the subscriber process");
    }

    private static void Expect(Process child, string word)
    {
        var line = child.StandardOutput.ReadLine();
        if (line != word) throw new InvalidOperationException($"the subscriber said '{line}' where '{word}' was expected");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}

internal static class Child
{
    public static int Run(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var client = Arg("--client");
        var handoff = new Handoff();
        using IDisposable subscriber = client switch
        {
            "library" => new LibrarySubscriber(Arg("--redis"), Arg("--channel"), handoff.Post),
            "library-inline" => new LibrarySubscriber(Arg("--redis"), Arg("--channel"), handoff.Process),
            "thread" => new ThreadSubscriber(Arg("--redis"), Arg("--channel"), handoff.Post),
            _ => new ThreadSubscriber(Arg("--redis"), Arg("--channel"), handoff.Process),
        };
        Console.WriteLine("ready");
        if (Console.ReadLine() != "start") return 2;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var cs0 = ContextSwitches();
        Console.WriteLine("started");
        if (Console.ReadLine() != "stop") return 2;
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        var cs1 = ContextSwitches();
        var latency = handoff.Latency;
        var result = new ChildResult(client, handoff.Measured, handoff.Dropped, (cpu1 - cpu0).TotalMilliseconds, cs1 - cs0,
            latency.ValueAt(50) / 1000.0, latency.ValueAt(99) / 1000.0, latency.ValueAt(99.9) / 1000.0, latency.Max / 1000.0);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Voluntary and involuntary, over the process's threads now alive.</summary>
    private static long ContextSwitches()
    {
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return total;
    }
}
