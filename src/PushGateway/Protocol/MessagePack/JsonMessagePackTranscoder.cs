namespace PushGateway.Protocol.MessagePack;

/// <summary>
/// Converts between UTF-8 JSON and MessagePack: the gateway's whole use of MessagePack goes through here.
/// </summary>
/// <remarks>
/// This is the seam a MessagePack package could replace: callers see only JSON in, MessagePack out and back,
/// never the reader or writer, so swapping the implementation touches these two files and nothing else.
/// The mapping, and what does not survive a round trip, is described in docs/dependencies.md.
/// </remarks>
public static partial class JsonMessagePackTranscoder
{
    /// <summary>
    /// The deepest JSON accepted, equal to <see cref="MessagePackReader.DefaultMaxDepth"/> so that whatever the gateway
    /// emits, a reader with default limits (ours or a client's) accepts.
    /// </summary>
    public const int MaxJsonDepth = MessagePackReader.DefaultMaxDepth;

    // System.Text.Json refuses longer tokens with an ArgumentException; these bounds turn that into a format error.
    private const int MaxJsonStringBytes = 166_666_666;
    private const int MaxJsonBase64SourceBytes = 125_000_000;
}
