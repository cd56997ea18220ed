namespace FeedSimulator.Randomness;

/// <summary>
/// Seeded xoshiro256** with named streams. Each model draws from its own stream, so turning one feed off or
/// changing its rate leaves every other feed's output unchanged for the same seed.
/// </summary>
internal sealed class SimRandom
{
    private const double UnitScale = 1.0 / (1UL << 53);
    private ulong s0, s1, s2, s3;
    private double spareNormal;
    private bool hasSpareNormal;

    public SimRandom(int seed, string stream)
    {
        // string.GetHashCode is randomised per process, so the stream name is hashed by hand.
        var state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ Fnv1a(stream);
        s0 = SplitMix64(ref state);
        s1 = SplitMix64(ref state);
        s2 = SplitMix64(ref state);
        s3 = SplitMix64(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * UnitScale;

    /// <summary>Uniform in (0, 1): safe to take the logarithm of.</summary>
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * UnitScale;

    /// <summary>Uniform in [min, max).</summary>
    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    public bool NextBool(double probability) => NextDouble() < probability;

    /// <summary>Exponentially distributed with the given mean.</summary>
    public double NextExponential(double mean) => -mean * Math.Log(NextOpenDouble());

    /// <summary>Standard normal (Marsaglia polar method).</summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        spareNormal = v * factor;
        hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>Geometrically distributed count of at least 1 with the given mean.</summary>
    public int NextGeometric(double mean)
    {
        if (mean <= 1) return 1;
        var p = 1 / mean;
        var draw = Math.Ceiling(Math.Log(NextOpenDouble()) / Math.Log(1 - p));
        return (int)Math.Clamp(draw, 1, int.MaxValue);
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
