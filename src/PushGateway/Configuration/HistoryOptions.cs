namespace PushGateway.Configuration;

/// <summary>Section "History": how much of each topic the sequenced publish path keeps, for snapshots and resume.</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Entries kept per topic (approximately: Redis trims whole stream nodes).</summary>
    public int MaxEntries { get; set; } = 1000;

    /// <summary>Entries older than this are trimmed on the next publish; zero keeps them until MaxEntries pushes them out.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A topic with no publish for this long loses its history and its epoch.</summary>
    public TimeSpan IdleTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most messages one subscribe may replay; a longer gap is reported instead (recovery is all or nothing).</summary>
    public int MaxRecover { get; set; } = 1000;

    public IEnumerable<string> Validate()
    {
        if (MaxEntries < 1) yield return "History:MaxEntries must be at least 1";
        if (MaxAge < TimeSpan.Zero) yield return "History:MaxAge must not be negative";
        if (IdleTtl < TimeSpan.FromSeconds(1)) yield return "History:IdleTtl must be at least one second";
        if (MaxRecover < 1) yield return "History:MaxRecover must be at least 1";
    }
}
