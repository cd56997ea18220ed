using System.Collections;

namespace PushGateway.Connections;

/// <summary>
/// The log scope of one connection ("ConnectionId"). A dedicated type instead of a dictionary, because
/// every connection holds its scope for its whole life and idle connections should cost little.
/// </summary>
internal sealed class ConnectionLogScope(long connectionId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("ConnectionId", connectionId) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"ConnectionId:{connectionId}";
}
