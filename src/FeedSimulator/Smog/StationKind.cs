namespace FeedSimulator.Smog;

/// <summary>What dominates a station's surroundings, as air-quality networks classify them.</summary>
internal enum StationKind
{
    UrbanBackground,
    Traffic,
    Suburban,
    Industrial,
}
