using System.Text;
using System.Threading.Channels;
using PushGateway.Bus;

namespace PushGateway.Tests.Bus;

/// <summary>Records what a bus hands to its node, in order.</summary>
public sealed class RecordingListener : IBusListener
{
    private readonly Channel<BusMessage> messages = Channel.CreateUnbounded<BusMessage>();

    public void OnMessage(in BusMessage message) => messages.Writer.TryWrite(message with { Payload = message.Payload.ToArray() });

    public void OnConnectionChanged(bool connected)
    {
    }

    public async Task<(string Topic, string Key, string Payload)> NextAsync()
    {
        var message = await NextFullAsync();
        return (message.Topic, message.Key, Encoding.UTF8.GetString(message.Payload.Span));
    }

    public async Task<BusMessage> NextFullAsync() => await messages.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public int Pending => messages.Reader.Count;
}
