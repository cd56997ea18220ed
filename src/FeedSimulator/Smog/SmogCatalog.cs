namespace FeedSimulator.Smog;

/// <summary>
/// The simulated network. Stations are modelled on real monitoring sites and their approximate positions,
/// but every value is synthetic.
/// </summary>
internal static class SmogCatalog
{
    public static IReadOnlyList<City> Cities { get; } =
    [
        Define("krakow", "Kraków", pmBase: 10, heating: 1.7, no2: 28, o3: 52, pm10Ratio: 1.35, meanTemperature: 9.0, amplitude: 10.5,
            ("al-krasinskiego", "Kraków, Al. Krasińskiego", 50.0577, 19.9262, StationKind.Traffic),
            ("dietla", "Kraków, ul. Dietla", 50.0574, 19.9460, StationKind.Traffic),
            ("bujaka", "Kraków, ul. Bujaka", 50.0106, 19.9492, StationKind.UrbanBackground),
            ("zloty-rog", "Kraków, ul. Złoty Róg", 50.0812, 19.8954, StationKind.UrbanBackground),
            ("bulwarowa", "Kraków, ul. Bulwarowa", 50.0693, 20.0535, StationKind.Industrial)),
        Define("warszawa", "Warszawa", pmBase: 9, heating: 1.4, no2: 30, o3: 56, pm10Ratio: 1.40, meanTemperature: 8.8, amplitude: 10.5,
            ("al-niepodleglosci", "Warszawa, al. Niepodległości", 52.2193, 21.0047, StationKind.Traffic),
            ("marszalkowska", "Warszawa, ul. Marszałkowska", 52.2251, 21.0150, StationKind.Traffic),
            ("targowek", "Warszawa, Targówek", 52.2909, 21.0425, StationKind.UrbanBackground),
            ("ursynow", "Warszawa, Ursynów", 52.1608, 21.0338, StationKind.Suburban)),
        Define("wroclaw", "Wrocław", pmBase: 9.5, heating: 1.5, no2: 27, o3: 58, pm10Ratio: 1.40, meanTemperature: 9.6, amplitude: 9.8,
            ("al-wisniowa", "Wrocław, al. Wiśniowa", 51.0862, 17.0127, StationKind.Traffic),
            ("na-grobli", "Wrocław, ul. Na Grobli", 51.1029, 17.0412, StationKind.UrbanBackground),
            ("bartnicza", "Wrocław, ul. Bartnicza", 51.1159, 17.1411, StationKind.Suburban)),
        Define("katowice", "Katowice", pmBase: 10, heating: 1.7, no2: 27, o3: 55, pm10Ratio: 1.40, meanTemperature: 8.9, amplitude: 10.0,
            ("al-rozdzienskiego", "Katowice, al. Roździeńskiego", 50.2627, 19.0366, StationKind.Traffic),
            ("kossutha", "Katowice, ul. Kossutha", 50.2574, 18.9946, StationKind.UrbanBackground),
            ("plebiscytowa", "Katowice, ul. Plebiscytowa", 50.2461, 19.0196, StationKind.Industrial),
            ("giszowiec", "Katowice, Giszowiec", 50.2270, 19.0630, StationKind.Suburban)),
        Define("gdansk", "Gdańsk", pmBase: 7, heating: 1.0, no2: 20, o3: 60, pm10Ratio: 1.50, meanTemperature: 8.6, amplitude: 9.0,
            ("al-grunwaldzka", "Gdańsk, al. Grunwaldzka", 54.3790, 18.6030, StationKind.Traffic),
            ("srodmiescie", "Gdańsk, Śródmieście", 54.3530, 18.6356, StationKind.UrbanBackground),
            ("leczkowa", "Gdańsk, ul. Leczkowa", 54.3804, 18.6207, StationKind.UrbanBackground),
            ("wyzwolenia", "Gdańsk, ul. Wyzwolenia", 54.4005, 18.6573, StationKind.Industrial)),
        Define("praha", "Praha", pmBase: 9, heating: 1.2, no2: 29, o3: 60, pm10Ratio: 1.35, meanTemperature: 9.8, amplitude: 9.8,
            ("legerova", "Praha 2, Legerova", 50.0722, 14.4308, StationKind.Traffic),
            ("smichov", "Praha 5, Smíchov", 50.0732, 14.4037, StationKind.UrbanBackground),
            ("libus", "Praha 4, Libuš", 50.0078, 14.4461, StationKind.Suburban)),
    ];

    public static IEnumerable<Station> Stations => Cities.SelectMany(c => c.Stations);

    private static City Define(
        string id, string name, double pmBase, double heating, double no2, double o3, double pm10Ratio,
        double meanTemperature, double amplitude,
        params (string Id, string Name, double Lat, double Lon, StationKind Kind)[] stations) =>
        new(id, name, pmBase, heating, no2, o3, pm10Ratio, meanTemperature, amplitude,
            [.. stations.Select(s => new Station(id, s.Id, s.Name, s.Lat, s.Lon, s.Kind))]);
}
