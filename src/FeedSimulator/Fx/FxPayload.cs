using FeedSimulator.Serialization;

namespace FeedSimulator.Fx;

/// <summary>The FX tick wire format: <c>{"pair","bid","ask","mid","ts","seq"}</c>, see docs/feeds.md.</summary>
internal static class FxPayload
{
    public static byte[] Write(PayloadWriter writer, in FxQuote quote)
    {
        var json = writer.Begin();
        json.WriteStartObject();
        json.WriteString(PayloadNames.Pair, quote.Pair.Symbol);
        json.WriteNumber(PayloadNames.Bid, quote.Bid);
        json.WriteNumber(PayloadNames.Ask, quote.Ask);
        json.WriteNumber(PayloadNames.Mid, quote.Mid);
        writer.WriteTimestamp(PayloadNames.Ts, quote.Timestamp);
        json.WriteNumber(PayloadNames.Seq, quote.Seq);
        json.WriteEndObject();
        return writer.ToArray();
    }
}
