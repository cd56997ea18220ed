using FeedSimulator.Randomness;

namespace FeedSimulator.Smog;

/// <summary>
/// Per-sensor fault state of one station. A healthy sensor may start a fault: either it reports nothing
/// (value null, flag <c>missing:&lt;sensor&gt;</c>) or it repeats its last reported value (flag
/// <c>stuck:&lt;sensor&gt;</c>), for a geometrically distributed number of readings.
/// </summary>
internal sealed class SensorFaults
{
    public const double MissingShare = 0.6;
    public const double MeanMissingReadings = 10;
    public const double MeanStuckReadings = 30;

    private static readonly string[] SensorNames = ["pm25", "pm10", "no2", "o3", "temperature", "humidity"];
    private static readonly string[] MissingFlags = [.. SensorNames.Select(n => "missing:" + n)];
    private static readonly string[] StuckFlags = [.. SensorNames.Select(n => "stuck:" + n)];

    private readonly Fault[] faults = new Fault[SensorNames.Length];
    private readonly double?[] lastReported = new double?[SensorNames.Length];
    private readonly double startProbability;
    private readonly SimRandom random;

    public SensorFaults(double startProbability, SimRandom random)
    {
        this.startProbability = startProbability;
        this.random = random;
    }

    public static string Name(Sensor sensor) => SensorNames[(int)sensor];

    /// <summary>What the sensor reports for a true value; adds a flag when faulty. <paramref name="trusted"/> is false for any flagged value.</summary>
    public double? Report(Sensor sensor, double value, List<string> flags, out bool trusted)
    {
        ref var fault = ref faults[(int)sensor];
        if (fault.Kind == FaultKind.None && random.NextBool(startProbability))
        {
            var missing = random.NextBool(MissingShare);
            fault.Kind = missing ? FaultKind.Missing : FaultKind.Stuck;
            fault.Remaining = random.NextGeometric(missing ? MeanMissingReadings : MeanStuckReadings);
            fault.Held = lastReported[(int)sensor] ?? value;
        }

        double? reported;
        switch (fault.Kind)
        {
            case FaultKind.Missing:
                reported = null;
                flags.Add(MissingFlags[(int)sensor]);
                break;
            case FaultKind.Stuck:
                reported = fault.Held;
                flags.Add(StuckFlags[(int)sensor]);
                break;
            default:
                reported = value;
                break;
        }
        trusted = fault.Kind == FaultKind.None;
        if (fault.Kind != FaultKind.None && --fault.Remaining == 0) fault.Kind = FaultKind.None;
        if (reported is not null) lastReported[(int)sensor] = reported;
        return reported;
    }

    private enum FaultKind
    {
        None,
        Missing,
        Stuck,
    }

    private struct Fault
    {
        public FaultKind Kind;
        public int Remaining;
        public double? Held;
    }
}
