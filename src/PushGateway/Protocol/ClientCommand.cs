namespace PushGateway.Protocol;

/// <summary>One parsed client command. Fields a command does not use are null.</summary>
public sealed class ClientCommand
{
    public required string Type { get; init; }

    /// <summary>The client's id as its exact JSON token (a number or a quoted string), echoed in the reply.</summary>
    public byte[]? RawId { get; init; }

    public string? Topic { get; init; }
}
