using FeedSimulator.Fx;
using FeedSimulator.Serialization;
using FeedSimulator.Smog;

namespace FeedSimulator;

/// <summary>
/// The enabled feeds merged into one endless stream, ordered by when each tick is due in real time after the
/// start: FX time runs at real speed, smog time <see cref="FeedOptions.TimeScale"/> times faster. Ties go to FX.
/// </summary>
internal sealed class FeedSchedule
{
    private readonly FxFeed? fx;
    private readonly SmogFeed? smog;
    private readonly double timeScale;
    private readonly PayloadWriter writer = new();

    public FeedSchedule(FeedOptions options, DateTimeOffset start)
    {
        fx = options.Fx ? new FxFeed(options, start) : null;
        smog = options.Smog ? new SmogFeed(options, start) : null;
        timeScale = options.TimeScale;
    }

    public ScheduledTick Next()
    {
        var fxDue = fx?.NextDueSeconds ?? double.PositiveInfinity;
        var smogDue = smog is null ? double.PositiveInfinity : smog.NextDueSeconds / timeScale;
        return fxDue <= smogDue
            ? new ScheduledTick(SimulatedClock.ToTimeSpan(fxDue), fx!.NextTick(writer))
            : new ScheduledTick(SimulatedClock.ToTimeSpan(smogDue), smog!.NextTick(writer));
    }
}

/// <summary>A tick and the real time after the start of the run at which it is due.</summary>
internal readonly record struct ScheduledTick(TimeSpan Due, FeedTick Tick);
