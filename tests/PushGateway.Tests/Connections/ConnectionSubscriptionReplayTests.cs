using PushGateway.Connections;
using PushGateway.Protocol;
using PushGateway.Topics;

namespace PushGateway.Tests.Connections;

/// <summary>
/// History and the live stream reach a node over different connections, so the live copy of a message
/// that a resume already replayed can arrive after the recovery ended: it must not be delivered twice.
/// </summary>
public sealed class ConnectionSubscriptionReplayTests
{
    private sealed class RecordingTarget : IDeliveryTarget
    {
        public List<OutboundFrame> Frames { get; } = [];

        public void Enqueue(OutboundFrame frame) => Frames.Add(frame);

        public void Enqueue(PublishedMessage message, ConnectionSubscription subscription) => Frames.Add(message);

        public void CountConflated()
        {
        }
    }

    private static PublishedMessage Message(long seq, string epoch = "e1") =>
        PublishedMessage.Create("fx.A", null, "{}"u8, 0, seq, epoch);

    [Fact]
    public void A_late_live_copy_of_a_replayed_message_is_dropped_and_newer_ones_pass()
    {
        var target = new RecordingTarget();
        var subscription = new ConnectionSubscription(target, TopicPattern.Parse("fx.A"), DeliveryOptions.Plain, TimeProvider.System);
        subscription.BeginRecovery();
        subscription.EndRecovery([Message(4), Message(5)], new Dictionary<string, long> { ["fx.A"] = 5 });

        subscription.Deliver(Message(5));
        subscription.Deliver(Message(6));

        Assert.Equal([4L, 5, 6], target.Frames.Cast<PublishedMessage>().Select(m => m.Seq));
    }

    [Fact]
    public void A_new_epoch_is_never_mistaken_for_a_replayed_message()
    {
        var target = new RecordingTarget();
        var subscription = new ConnectionSubscription(target, TopicPattern.Parse("fx.A"), DeliveryOptions.Plain, TimeProvider.System);
        subscription.BeginRecovery();
        subscription.EndRecovery([Message(5)], new Dictionary<string, long> { ["fx.A"] = 5 });

        subscription.Deliver(Message(1, "e2"));

        Assert.Equal([(5L, "e1"), (1L, "e2")], target.Frames.Cast<PublishedMessage>().Select(m => (m.Seq, m.Epoch!)));
    }
}
