namespace PushGateway.Protocol.MessagePack;

/// <summary>The header of an extension value: its application type code and the length of the data that follows.</summary>
public readonly record struct ExtensionHeader(sbyte TypeCode, int Length);
