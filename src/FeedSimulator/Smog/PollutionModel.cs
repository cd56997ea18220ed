namespace FeedSimulator.Smog;

/// <summary>
/// The shape of air quality over the day and the year. Every level is a city base times a season factor, a
/// time-of-day factor, a station factor, shared and local noise, and the episode factor; docs/feeds.md lists
/// the constants. Hours and days are local (CET/CEST).
/// </summary>
internal static class PollutionModel
{
    /// <summary>Below this daily mean temperature (°C) homes heat; demand is 1 at 0 °C.</summary>
    public const double HeatingBaseTemperature = 15;

    /// <summary>Traffic at weekends, relative to a working day.</summary>
    public const double WeekendTraffic = 0.6;

    private const double DaysPerYear = 365.25;

    /// <summary>Days since 1 January, with the time of day as the fraction.</summary>
    public static double DayOfYear(DateTime local) => local.DayOfYear - 1 + local.TimeOfDay.TotalDays;

    /// <summary>0 in mid-January, 1 in mid-July.</summary>
    public static double SummerWeight(double dayOfYear) => 0.5 * (1 - Math.Cos(2 * Math.PI * (dayOfYear - 15) / DaysPerYear));

    /// <summary>Coldest around 20 January, warmest around 21 July.</summary>
    public static double SeasonalTemperature(City city, double dayOfYear) =>
        city.MeanTemperature - city.TemperatureAmplitude * Math.Cos(2 * Math.PI * (dayOfYear - 20) / DaysPerYear);

    /// <summary>Warmest at 15:00, with a wider swing in summer.</summary>
    public static double DiurnalTemperature(double hour, double summer) => (3 + 2 * summer) * Math.Cos(2 * Math.PI * (hour - 15) / 24);

    /// <summary>Heating demand from the daily mean temperature: 0 in warm weather, 1 at 0 °C, capped at 1.5.</summary>
    public static double HeatingDemand(double dailyMeanTemperature) =>
        Math.Clamp((HeatingBaseTemperature - dailyMeanTemperature) / HeatingBaseTemperature, 0, 1.5);

    /// <summary>Particulates: a morning traffic peak around 08:00 and an evening peak around 20:00 that heating makes stronger.</summary>
    public static double PmDiurnal(double hour, double heatingWeight, double traffic) =>
        0.7 + 0.45 * traffic * Peak(hour, 8, 1.5) + (0.45 + 0.45 * heatingWeight) * Peak(hour, 20, 2.5);

    /// <summary>NO2 follows traffic: rush hours around 08:00 and 17:30, plus evening heating.</summary>
    public static double No2Diurnal(double hour, double heatingWeight, double traffic) =>
        0.55 + traffic * (0.8 * Peak(hour, 8, 1.3) + 0.6 * Peak(hour, 17.5, 2)) + 0.2 * heatingWeight * Peak(hour, 20, 2.5);

    /// <summary>Sunlight drives ozone: 0 at night, 1 at 14:30.</summary>
    public static double Daylight(double hour) => Math.Pow(Math.Max(0, Math.Cos(2 * Math.PI * (hour - 14.5) / 24)), 1.5);

    public static TrueConditions Compute(CityConditions conditions, StationState state, DateTime local, double nowSeconds)
    {
        var city = conditions.City;
        var profile = state.Station.Profile;
        var random = state.Random;
        var hour = local.TimeOfDay.TotalHours;
        var summer = SummerWeight(DayOfYear(local));
        var dailyTemperature = conditions.DailyMeanTemperature(local);
        var heating = HeatingDemand(dailyTemperature);
        var heatingWeight = Math.Min(1, heating);
        var traffic = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? WeekendTraffic : 1;
        var episode = conditions.Episode.Strength(nowSeconds);
        var dispersion = conditions.Dispersion.Value;

        // Winter episodes are smoke (PM, NO2); summer ones are photochemical (O3); PM rises in both.
        var pm25 = city.PmBase * profile.Pm * (1 + city.HeatingSensitivity * heating) * PmDiurnal(hour, heatingWeight, traffic)
            * Math.Exp(dispersion + state.PmNoise.Value) * (1 + episode * (0.5 + 0.5 * heatingWeight));
        // PM2.5 is part of PM10, so PM10 can never be below it.
        var pm10 = Math.Max(pm25 * city.Pm10Ratio * profile.Pm10Ratio * Math.Exp(0.08 * random.NextNormal()), pm25 * 1.05);
        var no2 = city.No2Base * profile.No2 * (1 + 0.25 * heating) * No2Diurnal(hour, heatingWeight, traffic)
            * Math.Exp(0.8 * dispersion + state.No2Noise.Value) * (1 + 0.6 * episode * heatingWeight);
        var daylight = Daylight(hour);
        var o3 = city.O3Base * profile.O3 * (0.75 + 0.25 * daylight + 0.9 * summer * daylight)
            * Math.Exp(-0.4 * dispersion + state.O3Noise.Value) * (1 + 0.6 * episode * (1 - heatingWeight));
        // Fresh NO emitted with NO2 destroys ozone near traffic.
        o3 = Math.Max(2, o3 - 0.25 * no2);
        var temperature = dailyTemperature + DiurnalTemperature(hour, summer) + profile.HeatIsland + 0.2 * random.NextNormal();
        var humidity = 70 + 12 * (1 - summer) + 10 * Math.Cos(2 * Math.PI * (hour - 5) / 24)
            - 1.2 * conditions.TemperatureAnomaly.Value + conditions.HumidityAnomaly.Value + 2 * random.NextNormal();
        return new TrueConditions(pm25, pm10, no2, o3, temperature, Math.Clamp(humidity, 15, 100));
    }

    /// <summary>A bell around <paramref name="centre"/> (hours), measured around the clock so 23:00 is near 01:00.</summary>
    private static double Peak(double hour, double centre, double width)
    {
        var distance = Math.Abs(hour - centre) % 24;
        distance = Math.Min(distance, 24 - distance);
        return Math.Exp(-0.5 * (distance / width) * (distance / width));
    }
}
