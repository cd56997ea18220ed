using FeedSimulator.Randomness;

namespace FeedSimulator.Fx;

/// <summary>
/// When FX ticks arrive: a Poisson process whose intensity switches between a calm and a burst regime
/// (a two-state Markov-modulated Poisson process). The calm rate is scaled so the long-run average is
/// exactly the configured rate, bursts included.
/// </summary>
internal sealed class TickArrivals
{
    private readonly double calmRate;
    private readonly double burstRate;
    private readonly double meanCalmSeconds;
    private readonly double meanBurstSeconds;
    private readonly SimRandom random;
    private double now;
    private double nextSwitch;
    private double? pending;

    public TickArrivals(double averageRate, double burstMultiplier, TimeSpan meanCalm, TimeSpan meanBurst, SimRandom random)
    {
        this.random = random;
        meanCalmSeconds = meanCalm.TotalSeconds;
        meanBurstSeconds = meanBurst.TotalSeconds;
        if (burstMultiplier <= 1)
        {
            calmRate = burstRate = averageRate;
            nextSwitch = double.PositiveInfinity;
            return;
        }
        var burstShare = meanBurstSeconds / (meanCalmSeconds + meanBurstSeconds);
        calmRate = averageRate / (1 - burstShare + burstMultiplier * burstShare);
        burstRate = burstMultiplier * calmRate;
        // Start in the regime the process would be in at a random moment, so short runs are not biased calm.
        InBurst = random.NextBool(burstShare);
        nextSwitch = random.NextExponential(InBurst ? meanBurstSeconds : meanCalmSeconds);
    }

    public bool InBurst { get; private set; }

    /// <summary>Seconds since the start at which the next tick arrives, without consuming it.</summary>
    public double Peek() => pending ??= Draw();

    /// <summary>Seconds since the start of the next tick.</summary>
    public double Next()
    {
        var next = Peek();
        pending = null;
        return next;
    }

    private double Draw()
    {
        while (true)
        {
            var candidate = now + random.NextExponential(1 / (InBurst ? burstRate : calmRate));
            if (candidate < nextSwitch)
            {
                now = candidate;
                return now;
            }
            // Both clocks are memoryless, so redrawing the arrival after a regime switch is exact.
            now = nextSwitch;
            InBurst = !InBurst;
            nextSwitch = now + random.NextExponential(InBurst ? meanBurstSeconds : meanCalmSeconds);
        }
    }
}
