namespace PushGateway.Protocol.MessagePack;

/// <summary>The kinds of value a MessagePack document can hold, whatever their width on the wire.</summary>
public enum MessagePackType
{
    Nil,
    Boolean,
    Integer,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,
}
