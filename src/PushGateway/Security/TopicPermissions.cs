using PushGateway.Topics;

namespace PushGateway.Security;

/// <summary>
/// A set of allowed topics and patterns. A request is allowed when one allowed pattern covers it:
/// matches every topic the request could ever match (pattern containment), not merely some.
/// </summary>
public sealed class TopicPermissions
{
    public static readonly TopicPermissions None = new([]);
    public static readonly TopicPermissions All = new([TopicPattern.Parse(">")]);

    private readonly string[][] allowed;

    public TopicPermissions(IEnumerable<TopicPattern> patterns)
    {
        Patterns = patterns.DistinctBy(p => p.Text, StringComparer.Ordinal).ToArray();
        allowed = Patterns.Select(p => p.Text.Split('.')).ToArray();
    }

    public IReadOnlyList<TopicPattern> Patterns { get; }

    public bool IsEmpty => Patterns.Count == 0;

    /// <summary>Parses patterns that were validated at startup or came from a verified token; invalid ones are reported.</summary>
    public static bool TryParse(IEnumerable<string> texts, out TopicPermissions permissions, out string? error)
    {
        var patterns = new List<TopicPattern>();
        foreach (var text in texts)
        {
            if (!TopicPattern.TryParse(text, out var pattern, out var why))
            {
                permissions = None;
                error = $"'{(text.Length > 40 ? text[..40] + "..." : text)}': {why}";
                return false;
            }
            patterns.Add(pattern!);
        }
        permissions = new TopicPermissions(patterns);
        error = null;
        return true;
    }

    public static TopicPermissions Parse(IEnumerable<string> texts) =>
        TryParse(texts, out var permissions, out var error) ? permissions : throw new ArgumentException(error, nameof(texts));

    public bool Covers(TopicPattern requested)
    {
        if (allowed.Length == 0) return false;
        var wanted = requested.Text.Split('.');
        foreach (var grant in allowed)
        {
            if (Contains(grant, wanted)) return true;
        }
        return false;
    }

    /// <summary>A concrete topic, for publishing; a pattern or an invalid topic is never covered.</summary>
    public bool Covers(string topic)
    {
        if (allowed.Length == 0 || !TopicName.IsValidTopic(topic)) return false;
        foreach (var pattern in Patterns)
        {
            if (pattern.Matches(topic)) return true;
        }
        return false;
    }

    public TopicPermissions Union(TopicPermissions other) =>
        other.IsEmpty ? this : IsEmpty ? other : new TopicPermissions(Patterns.Concat(other.Patterns));

    /// <summary>True when every topic <paramref name="requested"/> matches is also matched by <paramref name="allowed"/>.</summary>
    public static bool Contains(TopicPattern allowed, TopicPattern requested) =>
        Contains(allowed.Text.Split('.'), requested.Text.Split('.'));

    private static bool Contains(string[] allowed, string[] requested)
    {
        for (var i = 0; i < allowed.Length; i++)
        {
            var grant = allowed[i];
            // '>' covers one or more further segments, whatever they are (wildcards included), but not none.
            if (grant is [TopicName.TailWildcard]) return requested.Length > i;
            if (i >= requested.Length) return false;
            var wanted = requested[i];
            // A '>' in the request reaches any depth; only a '>' in the grant (handled above) reaches that far.
            if (wanted is [TopicName.TailWildcard]) return false;
            if (grant is [TopicName.SingleWildcard]) continue;
            // A literal grant covers only the same literal: a '*' in the request would also match other segments.
            if (!string.Equals(grant, wanted, StringComparison.Ordinal)) return false;
        }
        return requested.Length == allowed.Length;
    }

    public override string ToString() => string.Join(' ', Patterns.Select(p => p.Text));
}
