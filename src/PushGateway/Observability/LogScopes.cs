using System.Collections;

namespace PushGateway.Observability;

/// <summary>
/// Logging scopes with named values, so the JSON console (and any structured sink) shows them as
/// fields: Topic on what a subscribe logs. (Connection logs name their ConnectionId in the message itself.)
/// Only identifiers go here, never payloads or tokens.
/// </summary>
public static class LogScopes
{
    public static IDisposable? BeginTopicScope(this ILogger logger, string? topic) =>
        topic is null ? null : logger.BeginScope(new Scope("Topic", topic));

    /// <summary>One name and value; cheaper than a dictionary and printed as "Name:value" by the simple console.</summary>
    private sealed class Scope(string name, object value) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new(name, value) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{name}:{value}";
    }
}
