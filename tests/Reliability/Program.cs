using System.Runtime.InteropServices;
using PushGateway.Reliability;
using PushGateway.Reliability.Processes;
using PushGateway.Reliability.Reporting;

// The fault suite's entry point: options, signal handling and cleanup, exit code. See docs/reliability.md.
RunOptions options;
try
{
    options = RunOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(RunOptions.Usage);
    return 2;
}
if (!File.Exists(options.GatewayDll))
{
    Console.Error.WriteLine($"gateway build not found at {options.GatewayDll}: run `dotnet build src/PushGateway -c Release` (scripts/faults.sh does)");
    return 2;
}

Directory.CreateDirectory(options.RunDirectory);
ChildProcesses.RecordPidsIn(Path.Combine(options.RunDirectory, "pids"));
using var cancel = new CancellationTokenSource();
void Interrupt(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"{context.Signal}: stopping, killing every process this run started");
    cancel.Cancel();
}
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcesses.KillAll();
var hardLimit = SuiteRunner.HardLimit(options);
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine($"hard time limit of {hardLimit} reached: killing everything");
    ChildProcesses.KillAll();
    Environment.Exit(3);
}, null, hardLimit, Timeout.InfiniteTimeSpan);

var human = options.Json ? Console.Error : Console.Out;
List<ScenarioReport> reports;
try
{
    reports = await SuiteRunner.RunAsync(options, human, cancel.Token);
}
finally
{
    ChildProcesses.KillAll();
}

var passed = reports.Count(r => r.Passed);
// A scenario that never ran (interrupted before it) counts as failed too.
var failed = options.Scenarios.Count - passed;
if (options.Json) ReportWriter.WriteJson(reports, Console.Out);
human.WriteLine();
human.WriteLine($"scenarios: {passed} passed, {failed} failed{(cancel.IsCancellationRequested ? " (interrupted)" : "")}; logs in {options.RunDirectory}");
if (options.SummaryFile is not null) await File.WriteAllTextAsync(options.SummaryFile, $"{passed} {failed}\n");
if (failed == 0 && !options.KeepLogs)
{
    try
    {
        Directory.Delete(options.RunDirectory, recursive: true);
    }
    catch (IOException)
    {
    }
}
return cancel.IsCancellationRequested ? 130 : failed == 0 ? 0 : 1;
