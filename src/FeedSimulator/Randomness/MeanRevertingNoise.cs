namespace FeedSimulator.Randomness;

/// <summary>
/// An Ornstein-Uhlenbeck process stepped exactly: stationary standard deviation <see cref="Sigma"/>, correlation
/// decaying with <see cref="TimeConstant"/>. Models weather-like anomalies that persist for hours, not minutes.
/// </summary>
internal sealed class MeanRevertingNoise
{
    public MeanRevertingNoise(double sigma, TimeSpan timeConstant, SimRandom random)
    {
        Sigma = sigma;
        TimeConstant = timeConstant;
        // Start from the stationary distribution so the first simulated hours look like any other.
        Value = sigma * random.NextNormal();
    }

    public double Sigma { get; }

    public TimeSpan TimeConstant { get; }

    public double Value { get; private set; }

    public void Advance(TimeSpan elapsed, SimRandom random)
    {
        var phi = Math.Exp(-elapsed.TotalSeconds / TimeConstant.TotalSeconds);
        Value = phi * Value + Sigma * Math.Sqrt(1 - phi * phi) * random.NextNormal();
    }
}
