using FeedSimulator.Smog;

namespace FeedSimulator.Tests.Smog;

public class SmogCatalogTests
{
    [Fact]
    public void At_least_five_cities_with_three_to_five_stations_each()
    {
        Assert.True(SmogCatalog.Cities.Count >= 5);
        Assert.All(SmogCatalog.Cities, c => Assert.InRange(c.Stations.Count, 3, 5));
    }

    [Fact]
    public void Topics_are_lowercase_slugs_and_unique()
    {
        var topics = SmogCatalog.Stations.Select(s => s.Topic).ToList();

        Assert.All(topics, t => Assert.Matches("^smog\\.[a-z0-9-]+\\.[a-z0-9-]+$", t));
        Assert.Equal(topics.Count, topics.Distinct().Count());
        Assert.Contains("smog.krakow.al-krasinskiego", topics);
    }

    [Fact]
    public void Stations_lie_in_central_europe()
    {
        Assert.All(SmogCatalog.Stations, s =>
        {
            Assert.InRange(s.Latitude, 48, 55);
            Assert.InRange(s.Longitude, 12, 24);
        });
    }
}
