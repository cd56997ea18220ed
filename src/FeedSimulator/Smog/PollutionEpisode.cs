using FeedSimulator.Randomness;

namespace FeedSimulator.Smog;

/// <summary>
/// A city-wide episode lasting hours to days: a winter inversion that traps smoke, or a summer heat wave that
/// cooks ozone. It ramps up and down over the first and last fifth of its length.
/// </summary>
internal sealed class PollutionEpisode
{
    public const double StartsPerDayBase = 0.06;
    public const double StartsPerDayHeating = 0.30;
    public const double MeanHours = 20;
    public const double MinHours = 4;
    public const double MaxHours = 72;
    public const double MinIntensity = 1.6;
    public const double MaxIntensity = 3.2;
    private const double RampShare = 0.2;

    private double start;
    private double end;
    private double intensity;

    public bool Active { get; private set; }

    /// <summary>Ends a finished episode and, when none is running, maybe starts one; more likely in the heating season.</summary>
    public void Step(double nowSeconds, double elapsedSeconds, double heatingWeight, SimRandom random)
    {
        if (Active)
        {
            // An episode ends with a change of weather, so the next one can start from the next step at the earliest.
            if (nowSeconds >= end) Active = false;
            return;
        }
        if (elapsedSeconds <= 0) return;
        var startsPerSecond = (StartsPerDayBase + StartsPerDayHeating * heatingWeight) / 86_400;
        if (!random.NextBool(1 - Math.Exp(-startsPerSecond * elapsedSeconds))) return;
        var hours = Math.Clamp(random.NextExponential(MeanHours), MinHours, MaxHours);
        start = nowSeconds;
        end = nowSeconds + hours * 3600;
        intensity = random.NextDouble(MinIntensity, MaxIntensity);
        Active = true;
    }

    /// <summary>How far above normal the episode pushes pollution at this moment: 0 outside an episode, up to intensity - 1.</summary>
    public double Strength(double nowSeconds)
    {
        if (!Active || nowSeconds < start || nowSeconds >= end) return 0;
        var progress = (nowSeconds - start) / (end - start);
        var envelope = Math.Clamp(Math.Min(progress, 1 - progress) / RampShare, 0, 1);
        return (intensity - 1) * envelope;
    }
}
