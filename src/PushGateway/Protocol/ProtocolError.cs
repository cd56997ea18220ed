namespace PushGateway.Protocol;

/// <summary>A command that cannot be carried out: answered with an error frame, the connection stays open.</summary>
public sealed record ProtocolError(string Code, string Message, byte[]? RawId = null);
