using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LoadGen.Clients;
using LoadGen.Measurement;
using LoadGen.Protocols;
using LoadGen.Publishing;
using LoadGen.WebSockets;

namespace LoadGen;

/// <summary>Pure-logic checks of the parts a wrong benchmark figure would come from; run by <c>bench/run.sh smoke</c>.</summary>
public static class SelfTest
{
    private static int _passed, _failed;

    public static int Run()
    {
        Check("histogram is exact below 1024 us", () =>
        {
            var h = new LatencyHistogram();
            for (var v = 1; v <= 1000; v++) h.Record(v);
            return h.ValueAt(50) == 500 && h.ValueAt(99) == 990 && h.ValueAt(100) == 1000 && h.Max == 1000;
        });
        Check("histogram buckets round-trip with relative error under 0.2%", () =>
        {
            for (long v = 1; v <= LatencyHistogram.MaxValueMicros; v = v * 3 / 2 + 1)
            {
                var hi = LatencyHistogram.HighestEquivalent(LatencyHistogram.IndexOf(v));
                if (hi < v || (hi - v) > v * 0.002 + 1) return false;
                if (LatencyHistogram.IndexOf(hi) != LatencyHistogram.IndexOf(v)) return false;
            }
            return true;
        });
        Check("histograms merge through their serialised buckets", () =>
        {
            var a = new LatencyHistogram();
            var b = new LatencyHistogram();
            for (var i = 0; i < 900; i++) a.Record(100);
            for (var i = 0; i < 100; i++) b.Record(50_000);
            var m = LatencyHistogram.FromData(a.ToData());
            m.Add(LatencyHistogram.FromData(b.ToData()));
            return m.Count == 1000 && m.ValueAt(90) == 100 && Math.Abs(m.ValueAt(99) - 50_000) <= 100 && m.Max == 50_000;
        });
        Check("schedule: expected counts add up to the messages published", () =>
        {
            var s = new Schedule(7, [("warmup", 100, 1.5, false), ("measure", 333, 2, true)]);
            long sum = 0;
            for (var t = 0; t < 7; t++) sum += s.ExpectedFor(t, 1);
            var ok = sum == s.Phases[1].Count && s.Phases[1].Count == 666;
            for (var i = 0L; i < s.TotalMessages; i++)
                ok &= s.PhaseOf((int)(i % 7), i / 7) == (i < 150 ? 0 : 1);
            ok &= s.LastSeqFor(3, 0) == 143 / 7 && s.LastSeqFor(6, 1) == 811 / 7 && s.LastSeqFor(4, 1) == 809 / 7;
            return ok && s.PhaseOf(0, s.TotalMessages) == -1;
        });
        Check("tracker counts duplicates and reordering exactly", () =>
        {
            var t = new SubscriptionTracker(0, "x");
            var ok = t.Record(0, out _) && t.Record(5, out _) && !t.Record(5, out _);
            ok &= t.Record(3, out var ooo) && ooo;
            return ok && t.Record(200, out var o2) && !o2;
        });
        Check("json codec splits coalesced frames on newlines", () =>
        {
            var sink = new Sink();
            var frame = """
                {"type":"message","topic":"a.b","data":{"seq":1,"t":1795000000000123,"pad":"x"}}
                {"type":"ack","id":3}
                {"data":{"pad":"","seq":2,"t":5},"type":"message","topic":"a.c","extra":[1,{"q":2}]}
                """.Replace("\r", "");
            new PushGwJsonCodec().Decode(Encoding.UTF8.GetBytes(frame), sink);
            return sink.Log == "msg a.b 1 1795000000000123|ack 3|msg a.c 2 5|";
        });
        Check("msgpack codec reads maps back to back and writes subscribes", () =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            var w = new MessagePackWriter(buffer);
            for (var i = 0; i < 2; i++)
            {
                w.MapHeader(3);
                w.String("type"); w.String("message");
                w.String("topic"); w.String("fx.EURUSD");
                w.String("data"); w.MapHeader(3);
                w.String("seq"); w.Int(70_000 + i);
                w.String("t"); w.Int(1_795_000_000_000_000);
                w.String("pad"); w.String(new string('x', 40));
            }
            var sink = new Sink();
            var codec = new PushGwMessagePackCodec();
            codec.Decode(buffer.WrittenSpan, sink);
            codec.Decode(codec.EncodeSubscribe(9, "a", 4), sink);
            return sink.Log == "msg fx.EURUSD 70000 1795000000000000|msg fx.EURUSD 70001 1795000000000000|subscribe 9|";
        });
        Check("payloads are padded to --payload-bytes", () =>
            PayloadBuilder.Json(null, 123, 1_795_000_000_000_000, 100).Length == 100
            && PayloadBuilder.Json("bench.t7", 1, 2, 100).Length == 100
            && PayloadBuilder.Json(null, 1, 2, 5).EndsWith("\"pad\":\"\"}", StringComparison.Ordinal));
        Check("socket.io emitter packet has the emitter's shape", () =>
        {
            var bytes = SocketIoEmitterPublisher.Encode("bench.t3", 42, 1_795_000_000_000_000, 100);
            var r = new MessagePackReader(bytes);
            var ok = r.TryReadArrayHeader(out var n) && n == 3 && r.TryReadStringBytes(out var uid) && uid.SequenceEqual("emitter"u8);
            ok &= r.TryReadMapHeader(out var fields) && fields == 3;
            ok &= r.TryReadStringBytes(out var k) && k.SequenceEqual("type"u8) && r.TryReadInt64(out var type) && type == 2;
            ok &= r.TryReadStringBytes(out k) && k.SequenceEqual("data"u8) && r.TryReadArrayHeader(out var d) && d == 2;
            r.Skip(); r.Skip();
            ok &= r.TryReadStringBytes(out k) && k.SequenceEqual("nsp"u8) && r.TryReadStringBytes(out var nsp) && nsp.SequenceEqual("/"u8);
            r.Skip();
            return ok && r.End;
        });
        Check("precise sleep never wakes before its deadline, and returns at once for a past one", () =>
        {
            PreciseSleep.TightenThisThread();
            for (var i = 0; i < 20; i++)
            {
                var deadline = WallClock.NowMicros + 300;
                PreciseSleep.Until(deadline);
                if (WallClock.NowMicros < deadline) return false;
            }
            var before = WallClock.NowMicros;
            PreciseSleep.Until(before - 1_000_000);
            return WallClock.NowMicros - before < 1_000_000;
        });
        Check("idle thread-pool workers do not spin (the runtimeconfig carries the spin limit 0)", () =>
            AppContext.GetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit") is { } limit
            && Convert.ToInt32(limit, System.Globalization.CultureInfo.InvariantCulture) == 0);
        Check("gateway /stats deltas: percentiles at bucket bounds, GC figures subtracted", () =>
        {
            double[] bounds = [0.5, 1, 2];
            var before = new GatewayStats.Snapshot(bounds, [10, 0, 0, 0], [5, 2, 1], 0.010);
            // 1,000 frames in the window: 980 within 0.5 ms, 15 within 1 ms, 4 within 2, 1 above.
            var after = new GatewayStats.Snapshot(bounds, [990, 15, 4, 1], [9, 3, 1], 0.0125);
            var d = GatewayStats.Snapshot.Between(before, after)!;
            var nodes = before.Plus(after);
            return d.Frames == 1000 && d.P50AtMostMs == 0.5 && d.P99AtMostMs == 1 && d.P999AtMostMs == 2
                && Math.Abs(d.WithinOneMsPercent - 99.5) < 1e-9 && Math.Abs(d.WithinTwoMsPercent - 99.9) < 1e-9
                && d.Collections.SequenceEqual([4L, 1L, 0L]) && Math.Abs(d.GcPauseMs - 2.5) < 1e-9
                && GatewayStats.Snapshot.Between(after, after) is null && GatewayStats.Snapshot.Between(null, after) is null
                && nodes.Counts.SequenceEqual([1000L, 15L, 4L, 1L]) && nodes.Collections.SequenceEqual([14L, 5L, 2L]);
        });
        Check("gateway /stats of a run with a frame beyond the last bound has an open p99.9", () =>
        {
            var d = GatewayStats.Snapshot.Between(new([1], [0, 0], [0, 0, 0], 0), new([1], [1, 9], [0, 0, 0], 0))!;
            return d.P50AtMostMs is null && d.WithinOneMsPercent == 10 && d.Describe().Contains("p50 <= inf", StringComparison.Ordinal);
        });
        Check("receiver: frames split across reads, a frame sent with the handshake, a ping answered, a close ends it", ReceiverCheck);
        Check("publisher: pipelined PUBLISH in RESP, replies cut across reads counted (receivers, none, errors)", PublisherCheck);
        Console.WriteLine($"selftest: {_passed} passed, {_failed} failed");
        return _failed == 0 ? 0 : 1;
    }

    private static void Check(string name, Func<bool> test)
    {
        bool ok;
        try { ok = test(); }
        catch (Exception e) { Console.WriteLine($"  {name}: {e.GetType().Name} {e.Message}"); ok = false; }
        if (ok) _passed++; else _failed++;
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name}");
    }

    /// <summary>A scripted server: the 101 response with a first frame behind it, then frames cut at awkward places.</summary>
    private static bool ReceiverCheck()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(() =>
        {
            using var peer = listener.AcceptSocket();
            var request = new byte[4096];
            var length = 0;
            while (request.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0) length += peer.Receive(request.AsSpan(length));
            var head = Encoding.ASCII.GetString(request, 0, length);
            var key = head.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.Ordinal))[18..].Trim();
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            var stream = new List<byte>(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
            stream.AddRange(Frame(0x1, "first"u8));
            peer.Send(stream.ToArray());
            var rest = new List<byte>();
            rest.AddRange(Frame(0x1, "second"u8));
            rest.AddRange(Frame(0x2, new byte[300])); // 16-bit length
            rest.AddRange(Frame(0x9, "hi"u8));
            rest.AddRange(Frame(0x1, "third"u8));
            var bytes = rest.ToArray();
            // One byte, then a header cut in two, then the rest: the receiver must keep partial frames.
            foreach (var (from, to) in new[] { (0, 1), (1, 9), (9, 10), (10, bytes.Length) })
            {
                peer.Send(bytes.AsSpan(from, to - from));
                Thread.Sleep(20);
            }
            var pong = new byte[64];
            var got = peer.Receive(pong);
            peer.Send(Frame(0x8, [0x03, 0xE8]));
            var closeReply = new byte[64];
            peer.ReceiveTimeout = 5000;
            var closeLength = peer.Receive(closeReply);
            return got >= 8 && (pong[0] & 0x0F) == 0xA && closeLength >= 8 && (closeReply[0] & 0x0F) == 0x8;
        });
        using var ws = RawWebSocket.Connect(new Uri($"ws://127.0.0.1:{port}/"), "/", null, null, 256, TimeSpan.FromSeconds(5));
        var handler = new Recorder();
        var ended = ws.StartReceiving(handler, EpollReceiver.Next());
        if (!ended.Wait(TimeSpan.FromSeconds(10)) || ended.Result is not null) return false;
        return server.Wait(TimeSpan.FromSeconds(10)) && server.Result
            && handler.Log == "t:first|t:second|b:300|t:third|" && ws.CloseStatus == 1000;
    }

    /// <summary>A scripted Redis: reads three PUBLISH commands, answers them in pieces, the last reply cut mid-line.</summary>
    private static bool PublisherCheck()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        const string expected = "*3\r\n$7\r\nPUBLISH\r\n$3\r\na.1\r\n$2\r\n{}\r\n"
            + "*3\r\n$7\r\nPUBLISH\r\n$3\r\na.2\r\n$12\r\n{\"seq\":\"\u00e9\"}\r\n"
            + "*3\r\n$7\r\nPUBLISH\r\n$3\r\na.3\r\n$0\r\n\r\n";
        var server = Task.Run(() =>
        {
            using var peer = listener.AcceptSocket();
            peer.ReceiveTimeout = 5000;
            var want = Encoding.UTF8.GetByteCount(expected);
            var got = new byte[4096];
            var length = 0;
            while (length < want) length += peer.Receive(got.AsSpan(length));
            foreach (var piece in new[] { ":12\r\n:", "0\r\n-ERR wrong", " type\r", "\n" })
            {
                peer.Send(Encoding.ASCII.GetBytes(piece));
                Thread.Sleep(20);
            }
            return Encoding.UTF8.GetString(got, 0, length);
        });
        using var redis = RespPublishConnection.Connect($"127.0.0.1:{port}");
        redis.Append("a.1"u8.ToArray(), "{}"u8.ToArray());
        redis.Append("a.2"u8.ToArray(), Encoding.UTF8.GetBytes("{\"seq\":\"\u00e9\"}"));
        redis.Append("a.3"u8.ToArray(), []);
        var pendingBeforeFlush = redis.Pending;
        redis.Flush();
        var answered = redis.WaitForReplies(0, TimeSpan.FromSeconds(10));
        return server.Wait(TimeSpan.FromSeconds(10)) && server.Result == expected && pendingBeforeFlush == 3 && answered
            && redis.Pending == 0 && redis.Replies == 3 && redis.NoReceivers == 1 && redis.Errors == 1;
    }

    private static byte[] Frame(int opcode, ReadOnlySpan<byte> payload)
    {
        var header = payload.Length < 126 ? new byte[] { (byte)(0x80 | opcode), (byte)payload.Length }
            : [(byte)(0x80 | opcode), 126, (byte)(payload.Length >> 8), (byte)payload.Length];
        return [.. header, .. payload];
    }

    private sealed class Recorder : IWebSocketHandler
    {
        public string Log { get; private set; } = "";
        public void OnMessage(RawWebSocket socket, bool text, ReadOnlySpan<byte> payload) =>
            Log += text ? $"t:{Encoding.UTF8.GetString(payload)}|" : $"b:{payload.Length}|";
    }

    private sealed class Sink : IFrameSink
    {
        public string Log { get; private set; } = "";
        public void OnDelivery(ReadOnlySpan<byte> topic, long seq, long scheduledMicros) =>
            Log += $"msg {Encoding.UTF8.GetString(topic)} {seq} {scheduledMicros}|";
        public void OnReply(ReadOnlySpan<byte> type, long id, ReadOnlySpan<byte> code) =>
            Log += $"{Encoding.UTF8.GetString(type)} {id}|";
    }
}
