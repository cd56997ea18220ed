using System.Text.Json;
using LoadGen;
using LoadGen.Cli;
using LoadGen.Clients;
using LoadGen.Coordination;
using LoadGen.Reporting;

// Composition root: `compare` and `selftest` are small subcommands; everything else is a run,
// either the coordinator (publisher + report) or, with --worker i/P, one child share of the clients.
if (args.Length > 0 && args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage.Text);
    return 0;
}
if (args.Length > 0 && args[0] == "selftest") return SelfTest.Run();
if (args.Length == 3 && args[0] == "compare")
{
    var a = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(args[1]), WorkerChannel.Json)!;
    var b = JsonSerializer.Deserialize<RunReport>(File.ReadAllText(args[2]), WorkerChannel.Json)!;
    Console.WriteLine(ReportPrinter.Compare(a, b));
    return 0;
}

LoadOptions options;
try { options = LoadOptions.Parse(args); }
catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
{
    Console.Error.WriteLine($"loadgen: {e.Message}\n\n{Usage.Text}");
    return 2;
}

if (options.IsWorker)
    return await WorkerChannel.ServeAsync(new ClientPool(options, Schedule.For(options), options.WorkerIndex, options.WorkerCount));

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var report = await new Coordinator(options).RunAsync(cts.Token);
var text = ReportPrinter.Format(report);
if (options.Json)
{
    Console.Error.Write(text);
    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(WorkerChannel.Json) { WriteIndented = true }));
}
else Console.Write(text);
return report.Clean ? 0 : 1;
