using System.Net;
using System.Net.WebSockets;
using System.Text;
using PushGateway.Protocol;
using PushGateway.Tests.Infrastructure;
using PushGateway.Tests.Security;

namespace PushGateway.Tests.BadInput;

/// <summary>
/// The bad-input corpus: each input gets the error frame or close code docs/protocol.md documents,
/// and after each one a healthy client that was connected all along still receives a published message.
/// </summary>
public sealed class BadInputCorpusTests(BadInputNodeFixture fixture) : IClassFixture<BadInputNodeFixture>
{
    private const int ProtocolError = 1002;
    private const int InvalidPayload = 1007;
    private const int MessageTooBig = 1009;

    private sealed record Case(Func<BadInputNodeFixture, Task> Run, bool Strict = false);

    private static readonly Dictionary<string, Case> Cases = BuildCorpus();

    public static TheoryData<string> Names() => new(Cases.Keys);

    [Fact]
    public void The_corpus_holds_at_least_fifty_inputs() => Assert.True(Cases.Count >= 50, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Bad_input_is_answered_as_documented_and_the_node_keeps_serving(string name)
    {
        var @case = Cases[name];
        var node = @case.Strict ? fixture.StrictNode : fixture.Node;
        var topic = "healthy." + Guid.NewGuid().ToString("N")[..8];
        await using var healthy = await node.ConnectAsync();
        await healthy.SubscribeAsync(topic);

        await @case.Run(fixture);

        await node.PublishAsync(topic, "{\"after\":1}");
        var message = await healthy.ReceiveMessageAsync();
        Assert.Equal(topic, message.GetProperty("topic").GetString());
    }

    private static Dictionary<string, Case> BuildCorpus()
    {
        var cases = new Dictionary<string, Case>();
        void Error(string name, string frame, string code) => cases.Add(name, new Case(f => ExpectErrorAsync(f.Node, Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, code)));
        void Reply(string name, string frame, string type) => cases.Add(name, new Case(f => ExpectReplyAsync(f.Node, frame, type)));
        void Raw(string name, Func<RawWebSocket, Task> send, params int?[] closes) => cases.Add(name, new Case(f => ExpectRawCloseAsync(f.Node, send, closes)));

        // Not JSON.
        Error("malformed JSON", "{oops", ErrorCodes.InvalidJson);
        Error("truncated object", """{"type":"subscribe","id":1,"topic":"a""", ErrorCodes.InvalidJson);
        Error("trailing garbage", """{"type":"ping"} xyz""", ErrorCodes.InvalidJson);
        Error("two objects in one frame", """{"type":"ping"}{"type":"ping"}""", ErrorCodes.InvalidJson);
        Error("empty frame", "", ErrorCodes.InvalidJson);
        Error("whitespace only", "  \n\t ", ErrorCodes.InvalidJson);
        Error("byte order mark", "\uFEFF{\"type\":\"ping\"}", ErrorCodes.InvalidJson);
        Error("comment", """{"type":"ping" /* hi */}""", ErrorCodes.InvalidJson);
        Error("single quotes", "{'type':'ping'}", ErrorCodes.InvalidJson);
        Error("NaN literal", """{"type":"ping","id":NaN}""", ErrorCodes.InvalidJson);
        Error("unterminated string", """{"type":"ping","x":"abc}""", ErrorCodes.InvalidJson);
        Error("raw control character in a string", "{\"type\":\"ping\",\"x\":\"a\u0001b\"}", ErrorCodes.InvalidJson);
        Error("deep nesting (2000 levels)", """{"type":"ping","x":""" + new string('[', 2000) + new string(']', 2000) + "}", ErrorCodes.InvalidJson);
        Error("deep nesting in publish data", """{"type":"publish","topic":"a.b","data":""" + new string('{', 500).Replace("{", "{\"a\":") + "1" + new string('}', 500) + "}", ErrorCodes.InvalidJson);

        // JSON, but not a command.
        Error("array", "[]", ErrorCodes.InvalidCommand);
        Error("string", "\"ping\"", ErrorCodes.InvalidCommand);
        Error("number", "42", ErrorCodes.InvalidCommand);
        Error("null", "null", ErrorCodes.InvalidCommand);
        Error("missing type", """{"id":1,"topic":"a.b"}""", ErrorCodes.MissingType);
        Error("empty object", "{}", ErrorCodes.MissingType);
        Error("unknown type", """{"type":"jump","id":1}""", ErrorCodes.UnknownType);
        Error("empty type", """{"type":"","id":1}""", ErrorCodes.UnknownType);
        Error("3000-character type", $$"""{"type":"{{new string('t', 3000)}}","id":1}""", ErrorCodes.UnknownType);
        Error("type with a NUL", "{\"type\":\"ping\\u0000\",\"id\":1}", ErrorCodes.UnknownType);
        Error("duplicate type, last wins", """{"type":"ping","type":"jump"}""", ErrorCodes.UnknownType);
        Error("type is a number", """{"type":1}""", ErrorCodes.InvalidCommand);
        Error("type is null", """{"type":null}""", ErrorCodes.InvalidCommand);
        Error("type is an array", """{"type":["ping"]}""", ErrorCodes.InvalidCommand);
        Error("id is an object", """{"type":"ping","id":{}}""", ErrorCodes.InvalidCommand);
        Error("id is true", """{"type":"ping","id":true}""", ErrorCodes.InvalidCommand);
        Error("100-digit id", $$"""{"type":"ping","id":{{new string('9', 100)}}}""", ErrorCodes.InvalidCommand);
        Error("65-byte string id", $$"""{"type":"ping","id":"{{new string('i', 65)}}"}""", ErrorCodes.InvalidCommand);
        Reply("huge exponent id is echoed, not evaluated", """{"type":"ping","id":1e999999}""", "pong");
        Reply("lone surrogate escape in id", """{"type":"ping","id":"\ud800"}""", "pong");
        Reply("300 unknown fields", "{\"type\":\"ping\"," + string.Join(',', Enumerable.Range(0, 300).Select(i => $"\"f{i}\":{i}")) + "}", "pong");
        Reply("3 KiB string in an unknown field", $$"""{"type":"ping","x":"{{new string('x', 3000)}}"}""", "pong");

        // Missing and mistyped fields.
        Error("subscribe without topic", """{"type":"subscribe","id":1}""", ErrorCodes.MissingTopic);
        Error("unsubscribe without topic", """{"type":"unsubscribe","id":1}""", ErrorCodes.MissingTopic);
        Error("publish without topic", """{"type":"publish","id":1,"data":1}""", ErrorCodes.MissingTopic);
        Error("topic is a number", """{"type":"subscribe","id":1,"topic":7}""", ErrorCodes.InvalidCommand);
        Error("topic is null", """{"type":"subscribe","id":1,"topic":null}""", ErrorCodes.InvalidCommand);
        Error("topic is an array", """{"type":"subscribe","id":1,"topic":["a.b"]}""", ErrorCodes.InvalidCommand);
        Error("snapshot is a string", """{"type":"subscribe","id":1,"topic":"a.b","snapshot":"yes"}""", ErrorCodes.InvalidCommand);
        Error("maxRate negative", """{"type":"subscribe","id":1,"topic":"a.b","maxRate":-1}""", ErrorCodes.InvalidCommand);
        Error("maxRate huge", """{"type":"subscribe","id":1,"topic":"a.b","maxRate":1e999}""", ErrorCodes.InvalidCommand);
        Error("deadband without field", """{"type":"subscribe","id":1,"topic":"a.b","deadband":{"delta":1}}""", ErrorCodes.InvalidCommand);
        Error("token is a number", """{"type":"refresh","id":1,"token":5}""", ErrorCodes.InvalidCommand);
        Error("refresh on an open node's anonymous connection", """{"type":"refresh","id":1,"token":"a.b.c"}""", ErrorCodes.InvalidCommand);
        Error("publish without data", """{"type":"publish","id":1,"topic":"a.b"}""", ErrorCodes.InvalidCommand);
        Error("publish by an anonymous client", """{"type":"publish","id":1,"topic":"a.b","data":1}""", ErrorCodes.Forbidden);
        Error("publish to a pattern", """{"type":"publish","id":1,"topic":"a.*","data":1}""", ErrorCodes.InvalidTopic);

        // Topics with glob, control and other forbidden characters.
        foreach (var (label, topic) in new[]
        {
            ("Redis glob class", "fx.[ab]"), ("Redis glob ?", "fx.?"), ("partial-segment *", "fx.EUR*"), ("double star", "fx.**"),
            ("> not last", "fx.>.x"), ("double >", ">>"), ("backslash", "fx\\\\*"), ("NUL", "fx.\\u0000"), ("newline", "fx.\\n"),
            ("DEL", "fx.\\u007f"), ("space", "fx. a"), ("non-ASCII", "fx.€"), ("right-to-left override", "fx.\\u202e"),
            ("empty", ""), ("leading dot", ".fx"), ("trailing dot", "fx."), ("201 characters", new string('a', 201)), ("3000 characters", new string('a', 3000)),
        })
        {
            Error($"topic: {label}", $$"""{"type":"subscribe","id":1,"topic":"{{topic}}"}""", ErrorCodes.InvalidTopic);
        }

        // State: already/not subscribed, many subscribes, churn.
        Error("unsubscribe from what was never subscribed", """{"type":"unsubscribe","id":1,"topic":"never.there"}""", ErrorCodes.NotSubscribed);
        cases.Add("subscribe twice", new Case(f => SubscribeTwiceAsync(f.Node)));
        cases.Add("10,000 subscribes", new Case(f => TenThousandSubscribesAsync(f.Node)));
        cases.Add("subscribe/unsubscribe churn", new Case(f => ChurnAsync(f.Node)));

        // Forged resume positions: an error or a gap, never a crash.
        cases.Add("since with seq long.MaxValue", new Case(f => ExpectAnswerAsync(f.Node, """{"type":"subscribe","id":"forged","topic":"resume.a","since":{"seq":9223372036854775807,"epoch":"forged"}}""")));
        cases.Add("since with a 2 KiB epoch", new Case(f => ExpectAnswerAsync(f.Node, $$$"""{"type":"subscribe","id":"forged","topic":"resume.b","since":{"seq":1,"epoch":"{{{new string('e', 2000)}}}"}}""")));
        cases.Add("positions for 50 forged topics", new Case(f => ExpectAnswerAsync(f.Node,
            "{\"type\":\"subscribe\",\"id\":\"forged\",\"topic\":\"resume.*\",\"positions\":{" + string.Join(',', Enumerable.Range(0, 50).Select(i => $"\"resume.t{i}\":{{\"seq\":{long.MaxValue - i},\"epoch\":\"x\"}}")) + "}}")));
        Error("since with a negative seq", """{"type":"subscribe","id":1,"topic":"resume.c","since":{"seq":-1,"epoch":"x"}}""", ErrorCodes.InvalidCommand);
        Error("since with seq 1e30", """{"type":"subscribe","id":1,"topic":"resume.c","since":{"seq":1e30,"epoch":"x"}}""", ErrorCodes.InvalidCommand);
        Error("since is a string", """{"type":"subscribe","id":1,"topic":"resume.c","since":"yesterday"}""", ErrorCodes.InvalidCommand);
        Error("since on a pattern", """{"type":"subscribe","id":1,"topic":"resume.*","since":{"seq":1,"epoch":"x"}}""", ErrorCodes.InvalidCommand);

        // Frames: wrong kind, bad UTF-8, too big, fragments that never end.
        cases.Add("binary frame on pushgw.json", new Case(f => ExpectErrorAsync(f.Node, Encoding.UTF8.GetBytes("""{"type":"ping"}"""), WebSocketMessageType.Binary, ErrorCodes.UnsupportedFrame)));
        // The WebSocket layer checks text frames as UTF-8 and closes with 1007; the close frame may be lost
        // to the reset that follows when the client's bytes are still unread, hence "or none".
        Raw("invalid UTF-8 (0xFF)", s => s.SendFrameAsync(0x1, [0x7B, 0xFF, 0x7D]), InvalidPayload, null);
        Raw("overlong UTF-8 encoding", s => s.SendFrameAsync(0x1, [.. "{\"type\":\"ping\",\"x\":\""u8, 0xC0, 0xAF, .. "\"}"u8]), InvalidPayload, null);
        Raw("UTF-8 encoded surrogate", s => s.SendFrameAsync(0x1, [.. "\"x"u8, 0xED, 0xA0, 0x80, .. "\""u8]), InvalidPayload, null);
        Raw("invalid UTF-8 split across fragments", async s =>
        {
            await s.SendFrameAsync(0x1, [0x22, 0xE2], fin: false);
            await s.SendFrameAsync(0x0, [0x28, 0xA1, 0x22]);
        }, InvalidPayload, null);
        cases.Add("one frame over the size limit", new Case(f => ExpectCloseAsync(f.Node, Encoding.UTF8.GetBytes($$"""{"type":"ping","x":"{{new string('x', BadInputNodeFixture.MaxMessageBytes)}}"}"""), MessageTooBig)));
        cases.Add("endless fragments", new Case(f => EndlessFragmentsAsync(f.Node)));
        cases.Add("a command split in fragments still works", new Case(f => FragmentedCommandAsync(f.Node)));
        Raw("declared length of 2^62, bytes trickling", s => s.SendFrameAsync(0x1, new byte[BadInputNodeFixture.MaxMessageBytes + 1], declaredLength: 1L << 62), MessageTooBig);
        Raw("declared length with the sign bit set", s => s.SendFrameAsync(0x1, new byte[10], declaredLength: long.MinValue), ProtocolError, null);
        Raw("unmasked client frame", s => s.SendFrameAsync(0x1, "{\"type\":\"ping\"}"u8, mask: false), ProtocolError, null);
        Raw("reserved bits set", s => s.SendFrameAsync(0x1, "{\"type\":\"ping\"}"u8, rsv: 0b111), ProtocolError, null);
        Raw("unknown opcode", s => s.SendFrameAsync(0x3, "{}"u8), ProtocolError, null);
        Raw("continuation without a start", s => s.SendFrameAsync(0x0, "{}"u8), ProtocolError, null);
        Raw("fragmented ping", s => s.SendFrameAsync(0x9, "x"u8, fin: false), ProtocolError, null);
        Raw("200-byte ping", s => s.SendFrameAsync(0x9, new byte[200]), ProtocolError, null);
        Raw("new message inside a fragmented one", async s =>
        {
            await s.SendFrameAsync(0x1, "{\"type\""u8, fin: false);
            await s.SendFrameAsync(0x1, ":\"ping\"}"u8);
        }, ProtocolError, null);
        Raw("close with a 1-byte payload", s => s.SendFrameAsync(0x8, [0x03]), ProtocolError, null);
        Raw("close with code 999", s => s.SendFrameAsync(0x8, [0x03, 0xE7]), ProtocolError, null);
        cases.Add("header cut short, then hang-up", new Case(f => HangUpMidFrameAsync(f.Node)));

        // MessagePack (pushgw.msgpack): truncated and hostile documents.
        void Pack(string name, Func<byte[]> frame, string code) => cases.Add(name, new Case(f => ExpectMessagePackErrorAsync(f.Node, frame(), code)));
        Pack("msgpack: truncated map", () => MessagePackProbe.Encode("""{"type":"ping","id":1}""")[..^3], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: reserved byte 0xc1", () => [0xC1], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: array claiming 2^32-1 items", () => [0xDD, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: str claiming 4 GiB", () => [0x81, 0xA4, .. "type"u8, 0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 0x61], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: map claiming 2^32-1 pairs", () => [0xDF, 0xFF, 0xFF, 0xFF, 0xFF], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: 3000 nested arrays", () => [.. Enumerable.Repeat((byte)0x91, 3000), 0xC0], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: invalid UTF-8 in a str", () => [0x81, 0xA4, .. "type"u8, 0xA2, 0xC3, 0x28], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: bytes after the map", () => [.. MessagePackProbe.Encode("""{"type":"ping"}"""), 0xC0], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: empty frame", () => [], ErrorCodes.InvalidMessagePack);
        Pack("msgpack: an array, not a map", () => MessagePackProbe.Encode("""["ping"]"""), ErrorCodes.InvalidCommand);
        Pack("msgpack: nil", () => [0xC0], ErrorCodes.InvalidCommand);
        Pack("msgpack: type is a binary", () => [0x81, 0xA4, .. "type"u8, 0xC4, 0x04, .. "ping"u8], ErrorCodes.UnknownType);
        Pack("msgpack: topic is an ext", () => [0x82, 0xA4, .. "type"u8, 0xA9, .. "subscribe"u8, 0xA5, .. "topic"u8, 0xD4, 0x01, 0x00], ErrorCodes.InvalidCommand);
        cases.Add("msgpack: text frame on pushgw.msgpack", new Case(f => ExpectMessagePackErrorAsync(f.Node, Encoding.UTF8.GetBytes("""{"type":"ping"}"""), ErrorCodes.UnsupportedFrame, WebSocketMessageType.Text)));

        // Floods and bad credentials.
        cases.Add("command flood", new Case(f => FloodAsync(f.StrictNode), Strict: true));
        cases.Add("malformed-JSON flood", new Case(f => FloodAsync(f.StrictNode, "{oops"), Strict: true));
        cases.Add("token on a node that accepts none", new Case(f => ExpectHandshakeAsync(f.Node, "?access_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", HttpStatusCode.Unauthorized)));
        cases.Add("two access_token parameters", new Case(f => ExpectHandshakeAsync(f.Node, "?access_token=a&access_token=b", HttpStatusCode.Unauthorized)));
        cases.Add("unknown subprotocol", new Case(f => ExpectHandshakeAsync(f.Node, "", HttpStatusCode.BadRequest, "pushgw.xml")));
        return cases;
    }

    private static async Task ExpectErrorAsync(GatewayNode node, byte[] frame, WebSocketMessageType type, string code)
    {
        await using var client = await node.ConnectAsync();
        await client.SendBytesAsync(frame, type);
        var reply = await client.ReceiveAsync();
        Assert.True(reply.GetProperty("type").GetString() == "error", reply.ToString());
        Assert.Equal(code, reply.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("message").GetString()));
        await client.RoundTripAsync();
    }

    private static async Task ExpectMessagePackErrorAsync(GatewayNode node, byte[] frame, string code, WebSocketMessageType type = WebSocketMessageType.Binary)
    {
        await using var client = await MessagePackProbe.ConnectAsync(node);
        await client.SendAsync(frame, type);
        var reply = await client.ReceiveAsync();
        Assert.True(reply.GetProperty("type").GetString() == "error", reply.ToString());
        Assert.Equal(code, reply.GetProperty("code").GetString());
        await client.SendAsync(MessagePackProbe.Encode("""{"type":"ping","id":"after"}"""));
        Assert.Equal("pong", (await client.ReceiveAsync()).GetProperty("type").GetString());
    }

    private static async Task ExpectReplyAsync(GatewayNode node, string frame, string type)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(frame);
        var reply = await client.ReceiveAsync();
        Assert.True(reply.GetProperty("type").GetString() == type, reply.ToString());
    }

    /// <summary>Forged input whose exact answer depends on history: any documented answer, and the connection stays usable.</summary>
    private static async Task ExpectAnswerAsync(GatewayNode node, string frame)
    {
        await using var client = await node.ConnectAsync();
        await client.SendAsync(frame);
        await client.RoundTripAsync();
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    private static async Task ExpectCloseAsync(GatewayNode node, byte[] frame, int code)
    {
        await using var client = await node.ConnectAsync();
        await client.SendBytesAsync(frame);
        Assert.Equal((WebSocketCloseStatus)code, await client.Closed.Within());
    }

    private static async Task ExpectRawCloseAsync(GatewayNode node, Func<RawWebSocket, Task> send, int?[] allowed)
    {
        await using var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress);
        await send(socket);
        var close = await socket.ReadUntilClosedAsync();
        Assert.True(allowed.Contains(close), $"closed with {close?.ToString() ?? "no close frame"}, expected one of {string.Join(", ", allowed.Select(a => a?.ToString() ?? "none"))}");
    }

    private static async Task ExpectHandshakeAsync(GatewayNode node, string query, HttpStatusCode status, string? subProtocol = null)
    {
        Assert.Equal(status, await Handshake.StatusAsync(new Uri(node.WebSocketAddress + query), o =>
        {
            if (subProtocol is not null) o.AddSubProtocol(subProtocol);
        }));
    }

    private static async Task SubscribeTwiceAsync(GatewayNode node)
    {
        await using var client = await node.ConnectAsync();
        await client.SubscribeAsync("twice.a");
        Assert.Equal(ErrorCodes.AlreadySubscribed, (await client.CommandAsync("subscribe", "twice.a")).GetProperty("code").GetString());
    }

    private static async Task TenThousandSubscribesAsync(GatewayNode node)
    {
        await using var client = await node.ConnectAsync();
        var prefix = "many." + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 10_000; i++)
        {
            await client.SendAsync($"{{\"type\":\"subscribe\",\"id\":\"s{i}\",\"topic\":\"{prefix}.t{i}\"}}");
        }
        await client.RoundTripAsync();
        var acks = 0;
        var refused = 0;
        while (!client.NothingPending)
        {
            var reply = await client.ReceiveAsync();
            if (reply.GetProperty("type").GetString() == "ack") acks++;
            else if (reply.GetProperty("code").GetString() == ErrorCodes.TooManySubscriptions) refused++;
        }
        Assert.Equal(BadInputNodeFixture.MaxSubscriptions, acks);
        Assert.Equal(10_000 - BadInputNodeFixture.MaxSubscriptions, refused);
    }

    private static async Task HangUpMidFrameAsync(GatewayNode node)
    {
        var registry = node.Get<PushGateway.Connections.ConnectionRegistry>();
        var before = registry.Count;
        await using (var socket = await RawWebSocket.ConnectAsync(node.WebSocketAddress))
        {
            await Bounded.Eventually(() => Task.FromResult(registry.Count == before + 1), "the raw connection is registered");
            await socket.WriteAsync([0x81, 0xFE, 0x10]);
        }
        // The server notices the hang-up mid-frame and releases the connection.
        await Bounded.Eventually(() => Task.FromResult(registry.Count == before), "the hung-up connection is released");
    }

    private static async Task ChurnAsync(GatewayNode node)
    {
        await using var client = await node.ConnectAsync();
        var topic = "churn." + Guid.NewGuid().ToString("N")[..6];
        for (var i = 0; i < 1000; i++)
        {
            await client.SendAsync($"{{\"type\":\"subscribe\",\"id\":\"s{i}\",\"topic\":\"{topic}\"}}");
            await client.SendAsync($"{{\"type\":\"unsubscribe\",\"id\":\"u{i}\",\"topic\":\"{topic}\"}}");
        }
        await client.RoundTripAsync();
        var acks = 0;
        while (!client.NothingPending)
        {
            if ((await client.ReceiveAsync()).GetProperty("type").GetString() == "ack") acks++;
        }
        Assert.Equal(2000, acks);
        await client.SubscribeAsync(topic);
        await node.PublishAsync(topic, "1");
        await client.ReceiveMessageAsync();
    }

    private static async Task EndlessFragmentsAsync(GatewayNode node)
    {
        await using var client = await node.ConnectAsync();
        var fragment = new byte[512];
        Array.Fill(fragment, (byte)' ');
        for (var i = 0; i < 1000 && client.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await client.Socket.SendAsync(fragment, WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None).Within();
            }
            catch (WebSocketException)
            {
                break;
            }
        }
        Assert.Equal((WebSocketCloseStatus)MessageTooBig, await client.Closed.Within());
    }

    private static async Task FragmentedCommandAsync(GatewayNode node)
    {
        await using var client = await node.ConnectAsync();
        foreach (var (part, last) in new[] { ("{\"type\":", false), ("\"ping\",\"id\"", false), (":7}", true) })
        {
            await client.Socket.SendAsync(Encoding.UTF8.GetBytes(part), WebSocketMessageType.Text, last, CancellationToken.None).Within();
        }
        var pong = await client.ReceiveAsync();
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(7, pong.GetProperty("id").GetInt32());
    }

    private static async Task FloodAsync(GatewayNode node, string frame = """{"type":"ping"}""")
    {
        await using var client = await node.ConnectAsync();
        for (var i = 0; i < 500 && client.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await client.SendAsync(frame);
            }
            catch (WebSocketException)
            {
                break;
            }
        }
        Assert.Equal((WebSocketCloseStatus)4004, await client.Closed.Within());
        Assert.Equal("rate_limited", client.CloseDescription);
    }
}
