using System.Collections.Concurrent;

namespace PushGateway.Connections;

/// <summary>The node's live connections, for draining and for figures.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<long, ClientConnection> connections = new();

    public int Count => connections.Count;

    public void Add(ClientConnection connection) => connections[connection.Id] = connection;

    public void Remove(ClientConnection connection) => connections.TryRemove(connection.Id, out _);

    public IReadOnlyCollection<ClientConnection> Snapshot() => connections.Values.ToArray();

    /// <summary>The live connections without copying them (a sweep over every connection each second should not allocate per connection).</summary>
    public IEnumerable<ClientConnection> Live
    {
        get
        {
            foreach (var (_, connection) in connections) yield return connection;
        }
    }
}
