namespace PushGateway.Topics;

/// <summary>A parsed subscription key: a concrete topic or a pattern with '*' (one segment) and a trailing '>' (one or more).</summary>
public sealed class TopicPattern
{
    private readonly string[] segments;

    private TopicPattern(string text, string[] segments)
    {
        Text = text;
        this.segments = segments;
        IsPattern = TopicName.IsPattern(text);
    }

    public string Text { get; }

    public bool IsPattern { get; }

    public static bool TryParse(string text, out TopicPattern? pattern, out string? error)
    {
        error = TopicName.Validate(text, allowWildcards: true);
        pattern = error is null ? new TopicPattern(text, text.Split('.')) : null;
        return error is null;
    }

    public static TopicPattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern! : throw new ArgumentException(error, nameof(text));

    /// <summary>Allocation-free: called for every message on every pattern a node holds.</summary>
    public bool Matches(ReadOnlySpan<char> topic)
    {
        if (!IsPattern) return topic.SequenceEqual(Text);
        var position = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            if (position > topic.Length) return false;
            var rest = topic[position..];
            var dot = rest.IndexOf('.');
            var segment = dot < 0 ? rest : rest[..dot];
            if (segment.IsEmpty) return false;
            var wanted = segments[i];
            if (wanted is [TopicName.TailWildcard]) return true;
            if (wanted is not [TopicName.SingleWildcard] && !segment.SequenceEqual(wanted)) return false;
            position += segment.Length + 1;
        }
        return position == topic.Length + 1;
    }

    /// <summary>
    /// A Redis glob that matches a superset of this pattern. Redis' '*' also crosses dots, so the
    /// bus filters each message with <see cref="Matches"/>; the glob only keeps one PSUBSCRIBE per pattern.
    /// </summary>
    public string ToRedisGlob(string channelPrefix)
    {
        var body = string.Join('.', segments.Select(s => s is [TopicName.SingleWildcard] or [TopicName.TailWildcard] ? "*" : s));
        return EscapeGlob(channelPrefix) + body;
    }

    private static string EscapeGlob(string literal)
    {
        if (literal.AsSpan().IndexOfAny("*?[]\\") < 0) return literal;
        var builder = new System.Text.StringBuilder(literal.Length * 2);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') builder.Append('\\');
            builder.Append(c);
        }
        return builder.ToString();
    }

    public override string ToString() => Text;
}
