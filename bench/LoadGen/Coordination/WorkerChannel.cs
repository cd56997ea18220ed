using System.Text.Json;
using LoadGen.Clients;
using LoadGen.Reporting;

namespace LoadGen.Coordination;

/// <summary>
/// The line protocol between the coordinator and a child worker, over the child's stdin and stdout:
/// the child prints <c>READY {json}</c> once connected, then answers <c>PROGRESS p</c>, <c>REPORT</c>
/// and <c>STOP</c> with one line each. Anything else a child prints is passed through to stderr.
/// </summary>
public static class WorkerChannel
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The child side: serves commands until STOP or end of input.</summary>
    public static async Task<int> ServeAsync(ClientPool pool)
    {
        var stdout = Console.Out;
        var summary = await pool.ConnectAllAsync(CancellationToken.None);
        await stdout.WriteLineAsync("READY " + JsonSerializer.Serialize(summary, Json));
        await stdout.FlushAsync();
        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "PROGRESS":
                    var (delivered, expected, arrivals) = pool.Progress(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                    await stdout.WriteLineAsync("PROGRESS " + JsonSerializer.Serialize(new PhaseProgress { Delivered = delivered, Expected = expected, Arrivals = arrivals }, Json));
                    break;
                case "REPORT":
                    await stdout.WriteLineAsync("REPORT " + JsonSerializer.Serialize(pool.BuildReport(), Json));
                    break;
                case "STOP":
                    await pool.StopAsync();
                    await stdout.WriteLineAsync("STOPPED");
                    await stdout.FlushAsync();
                    return 0;
            }
            await stdout.FlushAsync();
        }
        await pool.StopAsync();
        return 0;
    }
}
