namespace PushGateway.Protocol;

/// <summary>One parsed client command. Fields a command does not use are null.</summary>
public sealed class ClientCommand
{
    public required string Type { get; init; }

    /// <summary>The client's id as its exact JSON token (a number or a quoted string), echoed in the reply.</summary>
    public byte[]? RawId { get; init; }

    public string? Topic { get; init; }

    /// <summary>subscribe: deliver the latest value of the topic (or of each matching topic) first.</summary>
    public bool Snapshot { get; init; }

    /// <summary>subscribe to a topic: resume after this position.</summary>
    public StreamPosition? Since { get; init; }

    /// <summary>subscribe to a pattern: resume each listed topic after its position.</summary>
    public IReadOnlyDictionary<string, StreamPosition>? Positions { get; init; }

    /// <summary>subscribe: at most this many messages per second per topic, always ending on the latest.</summary>
    public double? MaxRate { get; init; }

    /// <summary>subscribe: deliver only when this numeric field moved by at least the delta.</summary>
    public Deadband? Deadband { get; init; }

    /// <summary>refresh: a new access token.</summary>
    public string? Token { get; init; }

    /// <summary>publish: the payload as its exact JSON text.</summary>
    public byte[]? RawData { get; init; }
}

/// <summary>A place in a topic's history: the sequence number within an epoch (the history's lifetime).</summary>
public sealed record StreamPosition(long Seq, string Epoch);

/// <summary>A per-subscription filter: only moves of at least <paramref name="Delta"/> in <paramref name="Field"/> are delivered.</summary>
public sealed record Deadband(string Field, double Delta);
