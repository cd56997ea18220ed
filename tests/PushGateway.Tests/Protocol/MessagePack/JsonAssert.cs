using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>
/// Compares JSON by meaning, not text: decoders in different languages print the same double differently
/// (1E+21 and 1e+21) and a JavaScript object reorders integer-like keys.
/// </summary>
internal static class JsonAssert
{
    public static void Equivalent(string expected, string actual, string? context = null)
    {
        using var expectedDocument = JsonDocument.Parse(expected);
        using var actualDocument = JsonDocument.Parse(actual);
        var difference = Difference(expectedDocument.RootElement, actualDocument.RootElement, "$");
        if (difference is not null)
            Assert.Fail($"{context}{(context is null ? "" : ": ")}{difference}\nexpected: {Shorten(expected)}\nactual:   {Shorten(actual)}");
    }

    private static string? Difference(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            // true and false are distinct kinds; every other mismatch is a real one.
            return $"{path}: expected {expected.ValueKind} {Shorten(expected.GetRawText())}, got {actual.ValueKind} {Shorten(actual.GetRawText())}";
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Number:
                return NumbersEqual(expected, actual) ? null : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            case JsonValueKind.String:
                return expected.GetString() == actual.GetString() ? null : $"{path}: strings differ: {Shorten(expected.GetRawText())} vs {Shorten(actual.GetRawText())}";
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength())
                    return $"{path}: expected {expected.GetArrayLength()} items, got {actual.GetArrayLength()}";
                var index = 0;
                using (var actualItems = actual.EnumerateArray())
                {
                    foreach (var item in expected.EnumerateArray())
                    {
                        actualItems.MoveNext();
                        if (Difference(item, actualItems.Current, $"{path}[{index++}]") is { } inner) return inner;
                    }
                }
                return null;
            case JsonValueKind.Object:
                var actualProperties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in actual.EnumerateObject())
                {
                    if (!actualProperties.TryAdd(property.Name, property.Value)) return $"{path}: duplicate key {property.Name}";
                }
                var count = 0;
                foreach (var property in expected.EnumerateObject())
                {
                    count++;
                    if (!actualProperties.TryGetValue(property.Name, out var value)) return $"{path}: key {property.Name} is missing";
                    if (Difference(property.Value, value, $"{path}.{property.Name}") is { } inner) return inner;
                }
                return count == actualProperties.Count ? null : $"{path}: expected {count} keys, got {actualProperties.Count}";
            default:
                return null;
        }
    }

    /// <summary>
    /// Two integer literals compare exactly, whatever their size; otherwise as doubles, since a double may be
    /// printed either way (JavaScript writes 2^63 as 9223372036854776000, .NET as 9.223372036854776E+18).
    /// </summary>
    private static bool NumbersEqual(JsonElement expected, JsonElement actual)
    {
        var a = expected.GetRawText();
        var b = actual.GetRawText();
        if (IsIntegerLiteral(a) && IsIntegerLiteral(b)) return BigInteger.Parse(a, CultureInfo.InvariantCulture) == BigInteger.Parse(b, CultureInfo.InvariantCulture);
        return expected.GetDouble() == actual.GetDouble();
    }

    private static bool IsIntegerLiteral(string number) => number.AsSpan().IndexOfAny(".eE") < 0;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"... ({text.Length} chars)";
}
