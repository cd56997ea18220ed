using System.Globalization;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Connections.Sse;

/// <summary>
/// What `GET /sse` asked for: `topics` (comma-separated topics and patterns), the optional
/// `snapshot` and `maxRate` that apply to all of them, and where to resume from (`Last-Event-ID`,
/// or the `lastEventId` query parameter that EventSource polyfills send).
/// </summary>
internal sealed record SseRequest(IReadOnlyList<TopicPattern> Keys, bool Snapshot, double? MaxRate, SseResume Resume)
{
    public const string LastEventIdHeader = "Last-Event-ID";
    public const string LastEventIdParameter = "lastEventId";

    /// <summary>Parses the query and headers; <paramref name="error"/> is the plain-text reason for a 400.</summary>
    public static bool TryParse(HttpRequest request, int maxKeys, out SseRequest? parsed, out string? error) =>
        TryParse(request.Query, request.Headers[LastEventIdHeader].ToString(), maxKeys, out parsed, out error);

    public static bool TryParse(IQueryCollection query, string? lastEventIdHeader, int maxKeys, out SseRequest? parsed, out string? error)
    {
        parsed = null;
        if (!TryParseKeys(query["topics"], maxKeys, out var keys, out error)) return false;
        var snapshot = false;
        if (query["snapshot"] is { Count: > 0 } snapshotText && !bool.TryParse(snapshotText.ToString(), out snapshot))
        {
            error = "'snapshot' must be true or false";
            return false;
        }
        double? maxRate = null;
        if (query["maxRate"] is { Count: > 0 } rateText)
        {
            if (!double.TryParse(rateText.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate <= 0 || !double.IsFinite(rate))
            {
                error = "'maxRate' must be a positive number of messages per second";
                return false;
            }
            maxRate = rate;
        }
        // EventSource itself sends the header; the parameter is for polyfills that cannot set headers.
        var lastEventId = string.IsNullOrEmpty(lastEventIdHeader) ? query[LastEventIdParameter].ToString() : lastEventIdHeader;
        parsed = new SseRequest(keys, snapshot, maxRate, SseResume.From(lastEventId));
        return true;
    }

    private static bool TryParseKeys(Microsoft.Extensions.Primitives.StringValues values, int maxKeys, out List<TopicPattern> keys, out string? error)
    {
        keys = [];
        error = null;
        if (values.Count == 0 || values.All(string.IsNullOrEmpty))
        {
            error = "'topics' is required: a comma-separated list of topics and patterns, e.g. ?topics=fx.EURUSD,smog.krakow.*";
            return false;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var text in (value ?? "").Split(','))
            {
                if (!TopicPattern.TryParse(text, out var key, out var why))
                {
                    error = $"invalid topic '{Truncate(text)}': {why}";
                    return false;
                }
                if (!seen.Add(key!.Text))
                {
                    error = $"'{key.Text}' is listed twice";
                    return false;
                }
                if (seen.Count > maxKeys)
                {
                    error = $"at most {maxKeys} topics and patterns per stream";
                    return false;
                }
                keys.Add(key);
            }
        }
        return true;
    }

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "...";
}

/// <summary>Where a reconnecting stream resumes: the positions of its last id, or nothing (a new stream, or an unreadable id).</summary>
internal sealed record SseResume(IReadOnlyDictionary<string, StreamPosition> Positions, bool Truncated, bool Unreadable)
{
    public static readonly SseResume None = new(new Dictionary<string, StreamPosition>(), false, false);

    public static SseResume From(string? lastEventId)
    {
        if (string.IsNullOrEmpty(lastEventId)) return None;
        // An unreadable id is ignored: a browser echoes our ids verbatim, so it came from a broken or
        // hand-made client, and the stream starts afresh as if it had sent none.
        return SsePositions.TryParse(lastEventId, out var positions, out var truncated)
            ? new SseResume(positions, truncated, false)
            : new SseResume(new Dictionary<string, StreamPosition>(), false, true);
    }

    /// <summary>The positions of the topics <paramref name="key"/> matches.</summary>
    public Dictionary<string, StreamPosition> For(TopicPattern key)
    {
        var matching = new Dictionary<string, StreamPosition>(StringComparer.Ordinal);
        foreach (var (topic, position) in Positions)
        {
            if (key.Matches(topic)) matching[topic] = position;
        }
        return matching;
    }
}
