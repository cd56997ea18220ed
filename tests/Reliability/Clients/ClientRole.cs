namespace PushGateway.Reliability.Clients;

/// <summary>How a client behaves: the healthy majority the invariants are about, or one of the misbehaving peers of the slow-client scenario.</summary>
internal enum ClientRole
{
    /// <summary>Reads everything at once; on any close or failure reconnects (to another node) and resumes with since.</summary>
    Healthy,

    /// <summary>Reads about one message's worth of bytes per second; does not reconnect.</summary>
    SlowReader,

    /// <summary>Never reads until told to drain at the end; does not reconnect.</summary>
    Stalled,
}
