namespace FeedSimulator.Smog;

/// <summary>What a perfect station would measure, before rounding and sensor faults. Concentrations in µg/m³.</summary>
internal readonly record struct TrueConditions(double Pm25, double Pm10, double No2, double O3, double Temperature, double Humidity);
