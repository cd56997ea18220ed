using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>
/// Runs tests/interop/msgpack-roundtrip.mjs, which encodes and decodes with @msgpack/msgpack, installing its
/// node_modules with `npm ci` the first time. Node is a hard requirement: a missing node fails, never skips, so a
/// green run always means the cross-check happened.
/// </summary>
internal static class NodeInterop
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    // Lazy caches a failure too: every test then reports the same clear reason, and npm ci is tried only once.
    private static readonly Lazy<string> Script = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs the script in "encode" or "decode" mode over one input per line, returning one output per line.</summary>
    public static string[] Run(string mode, IReadOnlyList<string> lines)
    {
        var script = Script.Value;
        var (exitCode, stdout, stderr) = Execute("node", [script, mode], Path.GetDirectoryName(script)!, string.Join('\n', lines) + "\n", RunTimeout);
        Assert.True(exitCode == 0, $"node {Path.GetFileName(script)} {mode} exited with {exitCode}: {stderr}");
        var outputs = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(outputs.Length == lines.Count, $"sent {lines.Count} lines to node, got {outputs.Length} back: {stderr}");
        return outputs;
    }

    public static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PushGateway.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"no folder above {AppContext.BaseDirectory} holds PushGateway.sln");
    }

    private static string Prepare()
    {
        var root = FindRepositoryRoot();
        var folder = Path.Combine(root, "tests", "interop");
        string version;
        try
        {
            version = Execute("node", ["--version"], root, null, RunTimeout).Stdout.Trim();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                "The MessagePack interop tests need Node.js 18 or later, but `node` is not on PATH " +
                $"({ex.Message}). Install it (Debian: apt-get install nodejs npm) and run the tests again.", ex);
        }

        if (!Directory.Exists(Path.Combine(folder, "node_modules", "@msgpack", "msgpack")))
        {
            (int ExitCode, string Stdout, string Stderr) install;
            try
            {
                install = Execute("npm", ["ci", "--prefix", "tests/interop", "--no-audit", "--no-fund"], root, null, InstallTimeout);
            }
            catch (Win32Exception ex)
            {
                throw new InvalidOperationException($"node {version} is installed but `npm` is not on PATH, so tests/interop cannot be installed ({ex.Message}).", ex);
            }
            if (install.ExitCode != 0)
                throw new InvalidOperationException($"`npm ci --prefix tests/interop` failed with exit code {install.ExitCode}:\n{install.Stderr}\n{install.Stdout}");
        }
        return Path.Combine(folder, "msgpack-roundtrip.mjs");
    }

    private static (int ExitCode, string Stdout, string Stderr) Execute(
        string program, IEnumerable<string> arguments, string workingDirectory, string? input, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {program}");
        // Both pipes are drained while input is written, so a chatty child cannot block on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (input is not null) process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited before reading everything; its exit code and stderr below say why.
        }

        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', startInfo.ArgumentList)} did not finish within {timeout.TotalSeconds}s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
