using System.Text;
using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

public sealed class SequencedEnvelopeTests
{
    [Fact]
    public void An_envelope_round_trips()
    {
        var raw = SequencedEnvelope.Create(42, "e1x", 1_700_000_000_123, """{"bid":1.1}"""u8);

        Assert.True(SequencedEnvelope.TryParse(raw, out var seq, out var epoch, out var at, out var payload));

        Assert.Equal(42, seq);
        Assert.Equal("e1x", epoch);
        Assert.Equal(1_700_000_000_123, at);
        Assert.Equal("""{"bid":1.1}""", Encoding.UTF8.GetString(payload.Span));
    }

    [Theory]
    [InlineData("\u001e0:e1:5\n{}")]
    [InlineData("\u001e-3:e1:5\n{}")]
    [InlineData("\u001e7:bad\"epoch:5\n{}")]
    [InlineData("\u001e7:e1:notanumber\n{}")]
    [InlineData("\u001e7:e1\n{}")]
    [InlineData("\u001e7:e1:5")]
    [InlineData("""{"plain":true}""")]
    public void Anything_else_is_a_plain_message_delivered_whole(string published)
    {
        var raw = Encoding.UTF8.GetBytes(published);

        Assert.False(SequencedEnvelope.TryParse(raw, out var seq, out var epoch, out var at, out var payload));

        Assert.Equal(0, seq);
        Assert.Equal("", epoch);
        Assert.Equal(0, at);
        Assert.Equal(published, Encoding.UTF8.GetString(payload.Span));
    }
}
