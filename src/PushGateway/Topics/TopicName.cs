namespace PushGateway.Topics;

/// <summary>The syntax of topics and patterns: dot-separated segments of [A-Za-z0-9_-], 1 to 200 characters.</summary>
public static class TopicName
{
    public const int MaxLength = 200;
    public const char SingleWildcard = '*';
    public const char TailWildcard = '>';

    /// <summary>A concrete topic, the only thing one can publish to.</summary>
    public static bool IsValidTopic(ReadOnlySpan<char> topic) => Validate(topic, allowWildcards: false) is null;

    /// <summary>Returns null when <paramref name="value"/> is a valid topic or pattern, else why it is not.</summary>
    public static string? Validate(ReadOnlySpan<char> value, bool allowWildcards)
    {
        if (value.IsEmpty) return "a topic must not be empty";
        if (value.Length > MaxLength) return $"a topic must be at most {MaxLength} characters";
        var segmentStart = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i < value.Length && value[i] != '.')
            {
                if (!IsSegmentChar(value[i]) && !(allowWildcards && (value[i] is SingleWildcard or TailWildcard)))
                    return "a topic segment may hold only letters, digits, '_' and '-'" + (allowWildcards ? ", or be '*' or '>'" : "");
                continue;
            }
            var segment = value[segmentStart..i];
            if (segment.IsEmpty) return "a topic must not have empty segments";
            if (segment.Length > 1 && (segment.Contains(SingleWildcard) || segment.Contains(TailWildcard)))
                return "a wildcard must be a whole segment";
            if (segment is [TailWildcard] && i != value.Length) return "'>' may only be the last segment";
            segmentStart = i + 1;
        }
        return null;
    }

    public static bool IsPattern(ReadOnlySpan<char> value) => value.ContainsAny(SingleWildcard, TailWildcard);

    private static bool IsSegmentChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-';
}
