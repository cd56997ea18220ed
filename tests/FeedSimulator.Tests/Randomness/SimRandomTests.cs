using FeedSimulator.Randomness;

namespace FeedSimulator.Tests.Randomness;

public class SimRandomTests
{
    [Fact]
    public void Same_seed_and_stream_repeat_and_other_streams_differ()
    {
        var a = Draw(new SimRandom(42, "fx.market"));
        var b = Draw(new SimRandom(42, "fx.market"));
        var otherStream = Draw(new SimRandom(42, "fx.pairs"));
        var otherSeed = Draw(new SimRandom(43, "fx.market"));

        Assert.Equal(a, b);
        Assert.NotEqual(a, otherStream);
        Assert.NotEqual(a, otherSeed);
    }

    [Fact]
    public void Normals_have_mean_zero_and_variance_one()
    {
        var random = new SimRandom(1, "test");
        var values = Enumerable.Range(0, 200_000).Select(_ => random.NextNormal()).ToArray();

        var mean = values.Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(values.Average(v => (v - mean) * (v - mean)), 0.98, 1.02);
    }

    [Fact]
    public void Uniforms_stay_in_range_and_geometric_draws_have_the_asked_mean()
    {
        var random = new SimRandom(1, "test");

        Assert.All(Enumerable.Range(0, 10_000).Select(_ => random.NextOpenDouble()), u => Assert.True(u is > 0 and < 1));
        var geometric = Enumerable.Range(0, 100_000).Select(_ => random.NextGeometric(30)).ToArray();
        Assert.True(geometric.Min() >= 1);
        Assert.InRange(geometric.Average(), 29, 31);
    }

    [Fact]
    public void Mean_reverting_noise_keeps_its_spread_and_memory()
    {
        var random = new SimRandom(1, "test");
        var noise = new MeanRevertingNoise(2.0, TimeSpan.FromHours(10), random);
        var values = new double[200_000];
        for (var i = 0; i < values.Length; i++)
        {
            noise.Advance(TimeSpan.FromHours(1), random);
            values[i] = noise.Value;
        }

        var mean = values.Average();
        var variance = values.Average(v => (v - mean) * (v - mean));
        var lagOne = values.Zip(values.Skip(1)).Average(p => (p.First - mean) * (p.Second - mean)) / variance;
        Assert.InRange(Math.Sqrt(variance), 1.9, 2.1);
        Assert.InRange(lagOne, Math.Exp(-0.1) - 0.01, Math.Exp(-0.1) + 0.01);
    }

    private static ulong[] Draw(SimRandom random) => [.. Enumerable.Range(0, 16).Select(_ => random.NextUInt64())];
}
