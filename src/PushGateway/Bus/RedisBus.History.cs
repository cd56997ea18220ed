using PushGateway.Topics;
using StackExchange.Redis;

namespace PushGateway.Bus;

/// <summary>The history half of the Redis bus: reads of the streams the publish function keeps.</summary>
public sealed partial class RedisBus : IMessageHistory
{
    private static readonly Lazy<string> FunctionLibrary = new(() =>
    {
        using var stream = typeof(RedisBus).Assembly.GetManifestResourceStream("pushgw.lua")
            ?? throw new InvalidOperationException("the pushgw.lua resource is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The Lua library behind the sequenced publish path, for tools that load it themselves.</summary>
    public static string FunctionLibrarySource => FunctionLibrary.Value;

    public Task<HistoryRead> ReadAfterAsync(string topic, long afterSeq, int limit, CancellationToken cancellationToken) =>
        ReadAsync(topic, afterSeq, limit);

    public Task<HistoryRead> LatestAsync(string topic, CancellationToken cancellationToken) => ReadAsync(topic, -1, 1);

    public async Task<IReadOnlyList<string>> TopicsAsync(TopicPattern pattern, CancellationToken cancellationToken)
    {
        var members = await Database.SetMembersAsync(options.ChannelPrefix + "{pushgw}:topics").ConfigureAwait(false);
        return members.Select(m => (string)m!).Where(t => t is not null && pattern.Matches(t)).Order(StringComparer.Ordinal).ToList();
    }

    private IDatabase Database =>
        (multiplexer ?? throw new InvalidOperationException("RedisBus.ConnectAsync was not called")).GetDatabase();

    private async Task<HistoryRead> ReadAsync(string topic, long afterSeq, int limit)
    {
        var result = (RedisResult[])(await CallFunctionAsync("FCALL_RO", "pushgw_history", 1, topic, options.ChannelPrefix, afterSeq, limit)
            .ConfigureAwait(false))!;
        if (result[0].IsNull) return HistoryRead.None;
        var flat = (RedisResult[])result[2]!;
        var entries = new List<HistoryEntry>(flat.Length / 3);
        for (var i = 0; i + 2 < flat.Length; i += 3)
            entries.Add(new HistoryEntry((long)flat[i], (long)flat[i + 1], (byte[])flat[i + 2]!));
        return new HistoryRead((string)result[0]!, (long)result[1], entries);
    }

    /// <summary>Calls a function of the library, loading the library first if this Redis has not got it (a fresh or restarted server).</summary>
    private async Task<RedisResult> CallFunctionAsync(string command, params object[] args)
    {
        try
        {
            return await Database.ExecuteAsync(command, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("Function not found", StringComparison.OrdinalIgnoreCase))
        {
            await LoadFunctionsAsync().ConfigureAwait(false);
            return await Database.ExecuteAsync(command, args).ConfigureAwait(false);
        }
    }

    private async Task LoadFunctionsAsync()
    {
        try
        {
            await Database.ExecuteAsync("FUNCTION", "LOAD", "REPLACE", FunctionLibrary.Value).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFunctionLoadFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading the pushgw function library into Redis failed")]
    private static partial void LogFunctionLoadFailed(ILogger logger, Exception exception);
}
