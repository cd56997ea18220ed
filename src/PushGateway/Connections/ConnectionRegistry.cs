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
}
