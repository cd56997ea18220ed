namespace PushGateway.Reliability.Load;

/// <summary>One topic the publisher feeds: how often, and how much filler each payload carries besides n and t.</summary>
internal sealed record TopicSpec(string Topic, double RatePerSecond, int PadBytes)
{
    public string Padding { get; } = PadBytes > 0 ? ",\"p\":\"" + new string('x', PadBytes) + "\"" : "";
}
