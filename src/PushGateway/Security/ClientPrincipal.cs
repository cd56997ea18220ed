using PushGateway.Topics;

namespace PushGateway.Security;

/// <summary>
/// Who a connection is and what it may do, decided at the handshake and replaced on token refresh.
/// <see cref="Anonymous"/> is the open node's default: it may subscribe to everything and publish nothing.
/// </summary>
public class ClientPrincipal
{
    public static readonly ClientPrincipal Anonymous = new(null, TopicPermissions.All, TopicPermissions.None, null);

    private readonly DateTimeOffset? expiresAt;

    public ClientPrincipal(string? subject, TopicPermissions subscribe, TopicPermissions publish, DateTimeOffset? expiresAt)
    {
        Subject = subject;
        Subscribe = subscribe;
        Publish = publish;
        this.expiresAt = expiresAt;
    }

    /// <summary>The token's `sub`; null for a client without a token.</summary>
    public string? Subject { get; }

    public bool IsAuthenticated => Subject is not null;

    public TopicPermissions Subscribe { get; }

    public TopicPermissions Publish { get; }

    /// <summary>When the credentials stop being valid (the token's `exp` plus the clock skew); null: never.</summary>
    public virtual DateTimeOffset? ExpiresAt => expiresAt;

    /// <summary>Allowed only when an allowed pattern covers every topic <paramref name="pattern"/> can match.</summary>
    public virtual bool CanSubscribe(TopicPattern pattern) => Subscribe.Covers(pattern);

    public virtual bool CanPublish(string topic) => Publish.Covers(topic);
}
