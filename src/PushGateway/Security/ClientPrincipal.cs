using PushGateway.Topics;

namespace PushGateway.Security;

/// <summary>
/// Who a connection is and what it may do, decided at the handshake and replaced on token refresh.
/// The default lets everything through, for a node with no authentication configured.
/// </summary>
public class ClientPrincipal
{
    public static readonly ClientPrincipal Anonymous = new();

    /// <summary>When the credentials stop being valid; null: never.</summary>
    public virtual DateTimeOffset? ExpiresAt => null;

    public virtual bool CanSubscribe(TopicPattern pattern) => true;

    public virtual bool CanPublish(string topic) => true;
}
