using LoadGen.Cli;

namespace LoadGen;

/// <summary>
/// The publishing plan every process derives from the same options, so that subscribers know
/// without being told what was published. Message <c>i</c> (a global index over the whole run)
/// goes to topic <c>i % Topics</c> with seq <c>i / Topics</c>; phase <c>p</c> owns a fixed range of
/// indices (<c>round(rate * seconds)</c> of them) whatever its wall-clock start turns out to be.
/// </summary>
public sealed class Schedule
{
    public int Topics { get; }
    public IReadOnlyList<Phase> Phases { get; }

    public Schedule(int topics, IEnumerable<(string Name, double Rate, double Seconds, bool Measured)> phases)
    {
        Topics = topics;
        var list = new List<Phase>();
        long first = 0;
        foreach (var (name, rate, seconds, measured) in phases)
        {
            var count = (long)Math.Round(rate * seconds);
            list.Add(new Phase(list.Count, name, rate, seconds, measured, first, count));
            first += count;
        }
        Phases = list;
    }

    public static Schedule For(LoadOptions o)
    {
        if (o.Idle) return new Schedule(o.Topics, []);
        var warmup = o.Warmup.TotalSeconds;
        var phases = new List<(string, double, double, bool)>();
        if (!o.Ramp)
        {
            if (warmup > 0) phases.Add(("warmup", o.Rate, warmup, false));
            phases.Add(("measure", o.Rate, o.Duration.TotalSeconds, true));
        }
        else
        {
            // The coordinator runs the steps one by one, with a quiet second between them.
            if (warmup > 0) phases.Add(("warmup", o.Rate, warmup, false));
            var rate = o.Rate;
            for (var s = 0; s < o.RampSteps; s++)
            {
                phases.Add(($"step{s + 1}", Math.Round(rate), o.Duration.TotalSeconds, true));
                rate *= o.RampFactor;
            }
        }
        return new Schedule(o.Topics, phases);
    }

    public long TotalMessages => Phases.Count == 0 ? 0 : Phases[^1].FirstIndex + Phases[^1].Count;

    /// <summary>The phase that published (topic, seq), or -1 when the plan holds no such message.</summary>
    public int PhaseOf(int topic, long seq)
    {
        var index = seq * Topics + topic;
        var phases = Phases;
        for (var p = 0; p < phases.Count; p++)
        {
            var ph = phases[p];
            if (index < ph.FirstIndex + ph.Count) return index >= ph.FirstIndex ? p : -1;
        }
        return -1;
    }

    /// <summary>How many messages of phase <paramref name="phase"/> went to <paramref name="topic"/>.</summary>
    public long ExpectedFor(int topic, int phase)
    {
        var ph = Phases[phase];
        return CountBelow(ph.FirstIndex + ph.Count, topic) - CountBelow(ph.FirstIndex, topic);
    }

    /// <summary>The seq of the last message phase <paramref name="phase"/> sent to <paramref name="topic"/>, or -1.</summary>
    public long LastSeqFor(int topic, int phase)
    {
        var ph = Phases[phase];
        var end = ph.FirstIndex + ph.Count;                       // exclusive
        if (end <= topic) return -1;
        var last = end - 1 - ((end - 1 - topic) % Topics + Topics) % Topics;
        return last >= ph.FirstIndex ? last / Topics : -1;
    }

    private long CountBelow(long n, int topic) => n > topic ? (n - topic + Topics - 1) / Topics : 0;
}

/// <param name="Measured">false for the warm-up.</param>
public sealed record Phase(int Index, string Name, double Rate, double Seconds, bool Measured, long FirstIndex, long Count);
