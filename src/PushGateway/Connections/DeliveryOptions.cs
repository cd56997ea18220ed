using PushGateway.Protocol;

namespace PushGateway.Connections;

/// <summary>What a subscription asked for beyond plain delivery.</summary>
internal sealed record DeliveryOptions(double? MaxRate, Deadband? Deadband)
{
    public static readonly DeliveryOptions Plain = new(null, null);

    public bool IsPlain => MaxRate is null && Deadband is null;
}
