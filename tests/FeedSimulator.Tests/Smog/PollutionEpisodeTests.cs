using FeedSimulator.Randomness;
using FeedSimulator.Smog;

namespace FeedSimulator.Tests.Smog;

public class PollutionEpisodeTests
{
    [Fact]
    public void Episodes_last_hours_and_are_more_frequent_in_the_heating_season()
    {
        var winter = Simulate(heatingWeight: 1);
        var summer = Simulate(heatingWeight: 0);

        Assert.True(winter.Count > 3 * summer.Count, $"{winter.Count} winter vs {summer.Count} summer episodes");
        Assert.All(winter.Concat(summer), hours => Assert.InRange(hours, PollutionEpisode.MinHours - 1, PollutionEpisode.MaxHours + 1));
    }

    [Fact]
    public void An_episode_ramps_up_and_down()
    {
        var episode = new PollutionEpisode();
        var random = new SimRandom(3, "test");
        var now = 0.0;
        while (!episode.Active)
        {
            now += 3600;
            episode.Step(now, 3600, 1, random);
        }

        var strengths = new List<double>();
        for (var t = now; episode.Strength(t) > 0 || t == now; t += 600) strengths.Add(episode.Strength(t));

        var peak = strengths.Max();
        Assert.Equal(0, strengths[0]);
        Assert.InRange(peak, PollutionEpisode.MinIntensity - 1, PollutionEpisode.MaxIntensity - 1);
        Assert.True(strengths[1] < peak && strengths[^1] < peak);
    }

    /// <summary>Ten simulated years stepped hourly; returns each episode's length in hours.</summary>
    private static List<double> Simulate(double heatingWeight)
    {
        var episode = new PollutionEpisode();
        var random = new SimRandom(5, "test");
        var lengths = new List<double>();
        double? startedAt = null;
        for (var hour = 0; hour < 24 * 365 * 10; hour++)
        {
            episode.Step(hour * 3600.0, 3600, heatingWeight, random);
            if (episode.Active && startedAt is null) startedAt = hour;
            if (!episode.Active && startedAt is { } start)
            {
                lengths.Add(hour - start);
                startedAt = null;
            }
        }
        return lengths;
    }
}
