namespace PushGateway.Protocol.MessagePack;

/// <summary>
/// The input is not well-formed MessagePack, or exceeds a limit. It is the only exception the reader
/// throws on hostile input, so one catch clause separates a bad client frame from a bug.
/// </summary>
public sealed class MessagePackFormatException : FormatException
{
    public MessagePackFormatException(string message, int offset)
        : base($"{message} (at byte {offset})")
    {
        Offset = offset;
    }

    /// <summary>The byte offset in the input where the offending value starts.</summary>
    public int Offset { get; }
}
