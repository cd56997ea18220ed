using System.Buffers;
using System.Diagnostics;
using System.Text;
using PushGateway.Api;
using PushGateway.Protocol;
using PushGateway.Protocol.MessagePack;
using PushGateway.Security;
using PushGateway.Tests.Security;

namespace PushGateway.Tests.BadInput;

/// <summary>
/// Seeded mutation fuzzing of everything that parses client bytes. Each target runs for a bounded
/// time (FUZZ_SECONDS, default 2 for the command parser and 1 for the others) from FUZZ_SEED
/// (default fixed), so CI is repeatable; a long run: `FUZZ_SECONDS=600 dotnet test tests/PushGateway.Tests --filter FullyQualifiedName~CommandFuzz`.
/// A failure names the seed, the iteration and the input in hex.
/// </summary>
public sealed class CommandFuzzTests
{
    private static readonly string[] ValidCommands =
    [
        """{"type":"subscribe","id":1,"topic":"fx.EURUSD"}""",
        """{"type":"subscribe","id":"s-1","topic":"smog.krakow.*","snapshot":true,"maxRate":2.5}""",
        """{"type":"subscribe","id":2,"topic":"fx.EURUSD","since":{"seq":42,"epoch":"a1b2c3"},"deadband":{"field":"bid","delta":0.001}}""",
        """{"type":"subscribe","id":3,"topic":"fx.>","positions":{"fx.EURUSD":{"seq":1,"epoch":"e"},"fx.GBPUSD":{"seq":9,"epoch":"e"}}}""",
        """{"type":"unsubscribe","id":4,"topic":"fx.EURUSD"}""",
        """{"type":"ping","id":5}""",
        """{"type":"ping"}""",
        """{"type":"publish","id":6,"topic":"chat.room1","data":{"text":"hi \u00e9","n":[1,2.5e3,null,true]}}""",
        """{"type":"refresh","id":7,"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln"}""",
    ];

    private static readonly byte[] Interesting = "{}[]\",:\\ 0-1e9.\u0000"u8.ToArray().Concat(new byte[] { 0xFF, 0xC0, 0xED, 0x80, 0x7F }).ToArray();

    private static readonly HashSet<string> ParserCodes = [ErrorCodes.InvalidJson, ErrorCodes.InvalidCommand, ErrorCodes.MissingType];

    [Fact]
    public void CommandParser_returns_a_command_or_a_documented_error_for_any_bytes()
    {
        var seeds = ValidCommands.Select(Encoding.UTF8.GetBytes).ToArray();
        Fuzz("CommandParser", defaultSeconds: 2, seeds, input =>
        {
            if (CommandParser.TryParse(input, out var command, out var error))
            {
                Assert.NotNull(command);
                Assert.Null(error);
                Assert.NotNull(command.Type);
                Assert.True(command.RawId is null || command.RawId.Length <= CommandParser.MaxIdLength + 2);
            }
            else
            {
                Assert.Null(command);
                Assert.NotNull(error);
                Assert.Contains(error.Code, ParserCodes);
                Assert.True(error.RawId is null || error.RawId.Length <= CommandParser.MaxIdLength + 2);
            }
        });
    }

    [Fact]
    public void The_publish_api_parser_returns_messages_or_a_4xx_for_any_bytes()
    {
        var seeds = new[]
        {
            """{"topic":"api.a","data":{"x":[1,2,3]}}""",
            """{"messages":[{"topic":"api.a","data":1},{"topic":"api.b","data":"two"}]}""",
        }.Select(Encoding.UTF8.GetBytes).ToArray();
        Fuzz("PublishRequest", defaultSeconds: 1, seeds, input =>
        {
            var parsed = PublishRequest.Parse(input, maxMessages: 10, maxDataBytes: 1024);
            if (parsed.Messages is null) Assert.True(parsed.Status is 400 or 413 && parsed.Error is not null, $"{parsed.Status} {parsed.Error}");
            else Assert.All(parsed.Messages, m => Assert.True(PushGateway.Topics.TopicName.IsValidTopic(m.Topic) && m.Data.Length <= 1024));
        });
    }

    [Fact]
    public void The_messagepack_decoder_throws_only_its_format_exception()
    {
        var seeds = ValidCommands.Select(c =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            JsonMessagePackTranscoder.JsonToMessagePack(Encoding.UTF8.GetBytes(c), buffer);
            return buffer.WrittenSpan.ToArray();
        }).ToArray();
        Fuzz("MessagePack", defaultSeconds: 1, seeds, input =>
        {
            try
            {
                JsonMessagePackTranscoder.MessagePackToJson(input, new ArrayBufferWriter<byte>());
            }
            catch (MessagePackFormatException)
            {
            }
            try
            {
                var reader = new MessagePackReader(input);
                while (!reader.End) reader.Skip();
            }
            catch (MessagePackFormatException)
            {
            }
        });
    }

    [Fact]
    public void The_token_authenticator_never_throws_and_never_accepts_a_forgery()
    {
        using var keys = new TestKeys();
        var authenticator = SecurityTestOptions.Authenticator(keys.Settings());
        var seeds = new[] { keys.Token(subscribe: ["fx.>"]), keys.Token("RS256", "rsa"), keys.Token("ES256", "ec") }.Select(Encoding.ASCII.GetBytes).ToArray();
        Fuzz("TokenAuthenticator", defaultSeconds: 1, seeds, input =>
        {
            var result = authenticator.AuthenticateAsync(Encoding.UTF8.GetString(input)).GetAwaiter().GetResult();
            // A mutation may leave a token's meaning intact (base64 has slack bits); then it is still alice's token.
            if (result.Principal is not null) Assert.Equal("alice", result.Principal.Subject);
            else Assert.NotEqual(TokenFailure.None, result.Failure);
        });
    }

    private static void Fuzz(string target, double defaultSeconds, byte[][] seeds, Action<byte[]> check)
    {
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("FUZZ_SECONDS"), out var s) ? s : defaultSeconds;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var fixedSeed) ? fixedSeed : 20_261_121;
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        long iterations = 0;
        foreach (var input in seeds) Run(input);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var input = seeds[random.Next(seeds.Length)];
            var rounds = 1 + random.Next(4);
            for (var i = 0; i < rounds; i++) input = Mutate(random, input, seeds);
            Run(input);
        }
        Assert.True(iterations > 100, $"{target}: only {iterations} iterations");

        void Run(byte[] input)
        {
            iterations++;
            try
            {
                check(input);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"{target} (FUZZ_SEED={seed}, iteration {iterations}) failed on {Convert.ToHexString(input)} ({Encoding.UTF8.GetString(input)}): {ex}");
            }
        }
    }

    private static byte[] Mutate(Random random, byte[] input, byte[][] seeds)
    {
        var bytes = new List<byte>(input);
        switch (random.Next(7))
        {
            case 0 when bytes.Count > 0:
                var at = random.Next(bytes.Count);
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes.Insert(random.Next(bytes.Count + 1), Interesting[random.Next(Interesting.Length)]);
                break;
            case 2 when bytes.Count > 0:
                var start = random.Next(bytes.Count);
                bytes.RemoveRange(start, random.Next(Math.Min(16, bytes.Count - start) + 1));
                break;
            case 3:
                var cut = random.Next(bytes.Count + 1);
                bytes.RemoveRange(cut, bytes.Count - cut);
                break;
            case 4:
                var other = seeds[random.Next(seeds.Length)];
                var head = random.Next(bytes.Count + 1);
                var tail = random.Next(other.Length + 1);
                bytes = [.. bytes.Take(head), .. other.Skip(tail)];
                break;
            case 5 when bytes.Count > 0:
                var from = random.Next(bytes.Count);
                var length = random.Next(Math.Min(32, bytes.Count - from) + 1);
                bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(from, length));
                break;
            default:
                if (bytes.Count > 0) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                break;
        }
        return bytes.ToArray();
    }
}
