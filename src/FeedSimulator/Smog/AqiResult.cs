namespace FeedSimulator.Smog;

/// <summary>A station's overall index level and the pollutant that set it.</summary>
internal readonly record struct AqiResult(AqiBand Band, Pollutant Pollutant)
{
    public int Index => (int)Band;
}
