namespace PushGateway.Bus;

/// <summary>The node side of the bus: the bus calls it back for every message and state change.</summary>
public interface IBusListener
{
    /// <summary>Must not block: the Redis client runs handlers one at a time, so this only hands off.</summary>
    void OnMessage(in BusMessage message);

    /// <summary>The bus lost or regained its connection; while lost, published messages may be missed.</summary>
    void OnConnectionChanged(bool connected);
}
