namespace Edge.Streaming;

/// <summary>The <c>Rtsp</c> section.</summary>
public sealed class RtspSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>TCP port of the RTSP server (0 picks a free one, for tests).</summary>
    public int Port { get; set; } = 8554;

    /// <summary>The address to listen on (<c>0.0.0.0</c> or <c>::</c>: every one); empty follows the HTTP <c>urls</c>' hosts.</summary>
    public string Address { get; set; } = "";

    /// <summary>Connections from one address that may wait for a login at once; a newer one closes the oldest.</summary>
    public int MaxUnauthenticatedPerAddress { get; set; } = 8;

    /// <summary>Playing sessions at once; SETUP beyond it is answered 453.</summary>
    public int MaxSessions { get; set; } = 20;

    /// <summary>A session that sends no request (or, over UDP, no RTCP) for this long is ended.</summary>
    public int SessionTimeoutSeconds { get; set; } = 60;

    /// <summary>TCP connections at once, with or without a session; past this new ones are closed at once.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>
    /// A request must arrive whole within this once its first byte has (slowloris), and a connection
    /// without a session may stay silent no longer.
    /// </summary>
    public int RequestTimeoutSeconds { get; set; } = 10;

    /// <summary>Largest RTP packet (header included) sent over UDP or TCP.</summary>
    public int MaxPacketBytes { get; set; } = 1400;

    public string? Validate()
    {
        if (Port is < 0 or > 65535) return $"Port must be between 0 and 65535 (got {Port})";
        if (MaxSessions is < 1 or > 1000) return $"MaxSessions must be between 1 and 1000 (got {MaxSessions})";
        if (MaxConnections < MaxSessions || MaxConnections > 10_000)
            return $"MaxConnections must be between MaxSessions ({MaxSessions}) and 10000 (got {MaxConnections})";
        if (Address.Length > 0 && !System.Net.IPAddress.TryParse(Address, out _))
            return $"Address must be an IP address, or empty to follow the HTTP urls (got '{Address}')";
        if (MaxUnauthenticatedPerAddress is < 1 or > 10_000)
            return $"MaxUnauthenticatedPerAddress must be between 1 and 10000 (got {MaxUnauthenticatedPerAddress})";
        if (RequestTimeoutSeconds is < 1 or > 600) return $"RequestTimeoutSeconds must be between 1 and 600 (got {RequestTimeoutSeconds})";
        if (SessionTimeoutSeconds is < 5 or > 3600)
            return $"SessionTimeoutSeconds must be between 5 and 3600 (got {SessionTimeoutSeconds})";
        if (MaxPacketBytes is < 400 or > 65000) return $"MaxPacketBytes must be between 400 and 65000 (got {MaxPacketBytes})";
        return null;
    }
}
