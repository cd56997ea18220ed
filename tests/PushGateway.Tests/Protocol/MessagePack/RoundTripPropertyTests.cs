using System.Diagnostics;
using PushGateway.Protocol.MessagePack;
using static PushGateway.Tests.Protocol.MessagePack.JsonMessagePackTranscoderTests;

namespace PushGateway.Tests.Protocol.MessagePack;

/// <summary>
/// Seeded random documents, bounded in count and time. A failure names its seed and case; rerun with that seed to
/// reproduce it.
/// </summary>
public class RoundTripPropertyTests
{
    private const int Seed = 20_251_121;
    private const int MaxCases = 3_000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact]
    public void Random_json_survives_msgpack_and_back_with_its_meaning()
    {
        ForEachCase(DocumentProfile.Json, (index, _, json) =>
        {
            var msgpack = ToMessagePack(json);
            var back = ToJson(msgpack);
            JsonAssert.Equivalent(json, back, $"seed {Seed}, case {index}");

            // A second trip changes nothing: the first one settled every choice (int or float, escaping).
            JsonAssert.Equivalent(back, ToJson(ToMessagePack(back)), $"seed {Seed}, case {index}, second trip");
        });
    }

    [Fact]
    public void Random_msgpack_becomes_exactly_the_json_the_mapping_prescribes()
    {
        ForEachCase(DocumentProfile.MessagePack, (index, msgpack, expected) =>
        {
            // The generator writes the expected JSON with the same Utf8JsonWriter settings, so even the text matches.
            Assert.True(expected == ToJson(msgpack), $"seed {Seed}, case {index}: {Convert.ToHexStringLower(msgpack)}\nexpected {expected}\nactual   {ToJson(msgpack)}");

            var reader = new MessagePackReader(msgpack);
            reader.Skip();
            Assert.True(reader.End, $"seed {Seed}, case {index}: Skip stopped at {reader.Position} of {msgpack.Length}");
        });
    }

    private static void ForEachCase(DocumentProfile profile, Action<int, byte[], string> check)
    {
        var documents = new RandomDocuments(Seed, profile);
        var clock = Stopwatch.StartNew();
        var cases = 0;
        while (cases < MaxCases && clock.Elapsed < Budget)
        {
            var (msgpack, json) = documents.Next();
            check(cases++, msgpack, json);
        }
        Assert.True(cases >= 25, $"only {cases} cases ran within {Budget.TotalSeconds}s");
    }
}
