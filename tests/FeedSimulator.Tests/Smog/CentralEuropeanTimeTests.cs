using FeedSimulator.Smog;

namespace FeedSimulator.Tests.Smog;

public class CentralEuropeanTimeTests
{
    [Theory]
    [InlineData("2026-01-15T12:00:00Z", "2026-01-15T13:00:00")]
    [InlineData("2026-07-15T12:00:00Z", "2026-07-15T14:00:00")]
    [InlineData("2026-03-29T00:59:59Z", "2026-03-29T01:59:59")]
    [InlineData("2026-03-29T01:00:00Z", "2026-03-29T03:00:00")]
    [InlineData("2026-10-25T00:59:59Z", "2026-10-25T02:59:59")]
    [InlineData("2026-10-25T01:00:00Z", "2026-10-25T02:00:00")]
    [InlineData("2027-03-28T01:00:00Z", "2027-03-28T03:00:00")]
    public void Summer_time_follows_the_eu_rule(string utc, string local)
    {
        var converted = CentralEuropeanTime.ToLocal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture), converted);
    }
}
