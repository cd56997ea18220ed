namespace FeedSimulator.Smog;

/// <summary>European Air Quality Index levels; the numeric value is the index (1 best, 6 worst).</summary>
internal enum AqiBand
{
    Good = 1,
    Fair = 2,
    Moderate = 3,
    Poor = 4,
    VeryPoor = 5,
    ExtremelyPoor = 6,
}
