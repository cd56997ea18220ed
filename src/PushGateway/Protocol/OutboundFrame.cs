namespace PushGateway.Protocol;

/// <summary>
/// Something queued for a connection: a published message shared by every recipient, or a reply
/// to one client. Encodings are produced at most once per format and then shared.
/// </summary>
public abstract class OutboundFrame
{
    public abstract ReadOnlyMemory<byte> Encode(WireFormat format);
}
