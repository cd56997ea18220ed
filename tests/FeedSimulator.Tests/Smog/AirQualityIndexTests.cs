using FeedSimulator.Smog;

namespace FeedSimulator.Tests.Smog;

public class AirQualityIndexTests
{
    /// <summary>
    /// Every band edge of the 2024 EEA index: the bound itself and the next reported value (0.1 above), as
    /// (pollutant, µg/m³, expected index 1-6). Written out rather than derived, so a wrong table in the code fails.
    /// </summary>
    public static TheoryData<string, double, int> Edges
    {
        get
        {
            var data = new TheoryData<string, double, int>();
            Add("Pm25", [5, 15, 50, 90, 140]);
            Add("Pm10", [15, 45, 120, 195, 270]);
            Add("No2", [10, 25, 60, 100, 150]);
            Add("O3", [60, 100, 120, 160, 180]);
            return data;

            void Add(string pollutant, double[] bounds)
            {
                data.Add(pollutant, 0, 1);
                for (var i = 0; i < bounds.Length; i++)
                {
                    data.Add(pollutant, bounds[i], i + 1);
                    data.Add(pollutant, bounds[i] + 0.1, i + 2);
                }
                data.Add(pollutant, 5000, 6);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void Values_at_band_edges_belong_to_the_lower_band(string pollutant, double concentration, int expectedIndex)
    {
        Assert.Equal((AqiBand)expectedIndex, AirQualityIndex.Band(Enum.Parse<Pollutant>(pollutant), concentration));
    }

    [Fact]
    public void The_overall_band_is_the_worst_pollutant()
    {
        var result = AirQualityIndex.Evaluate(pm25: 12, pm10: 30, no2: 70, o3: 50);

        Assert.Equal(new AqiResult(AqiBand.Poor, Pollutant.No2), result);
        Assert.Equal(4, result!.Value.Index);
    }

    [Fact]
    public void A_tie_goes_to_the_first_pollutant_in_the_documented_order()
    {
        // All four moderate: PM2.5 names the band.
        var result = AirQualityIndex.Evaluate(pm25: 41.2, pm10: 58.0, no2: 37.1, o3: 110);

        Assert.Equal(new AqiResult(AqiBand.Moderate, Pollutant.Pm25), result);
    }

    [Fact]
    public void Missing_pollutants_are_left_out_and_none_at_all_gives_no_index()
    {
        Assert.Equal(new AqiResult(AqiBand.VeryPoor, Pollutant.O3), AirQualityIndex.Evaluate(null, null, null, 170));
        Assert.Null(AirQualityIndex.Evaluate(null, null, null, null));
    }

    [Theory]
    [InlineData(1, "good")]
    [InlineData(2, "fair")]
    [InlineData(3, "moderate")]
    [InlineData(4, "poor")]
    [InlineData(5, "very-poor")]
    [InlineData(6, "extremely-poor")]
    public void Band_tokens_are_the_documented_ones(int index, string token)
    {
        Assert.Equal(token, AirQualityIndex.Name((AqiBand)index));
    }
}
