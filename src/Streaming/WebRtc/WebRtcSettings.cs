namespace Edge.Streaming.WebRtc;

/// <summary>The <c>WebRtc</c> section: live view over WebRTC, signalled by WHEP (<c>POST /whep</c>).</summary>
public sealed class WebRtcSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>The one UDP port every session's STUN, DTLS and SRTP share (0 picks a free one, for tests).</summary>
    public int Port { get; set; } = 8189;

    /// <summary>Sessions at once; a WHEP offer beyond it is answered 503.</summary>
    public int MaxSessions { get; set; } = 10;

    /// <summary>A session whose browser sends no ICE check (Chrome: every 2.5 s) for this long is ended (RFC 7675: 30).</summary>
    public int ConsentTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// A session is ended when its DTLS handshake has not finished, or its receiver reports have shown no
    /// new packet while Edge sent some, for this long (browsers report about once a second).
    /// </summary>
    public int StallTimeoutSeconds { get; set; } = 10;

    public string? Validate()
    {
        if (Port is < 0 or > 65535) return $"Port must be between 0 and 65535 (got {Port})";
        if (MaxSessions is < 1 or > 100) return $"MaxSessions must be between 1 and 100 (got {MaxSessions})";
        if (ConsentTimeoutSeconds is < 5 or > 300) return $"ConsentTimeoutSeconds must be between 5 and 300 (got {ConsentTimeoutSeconds})";
        if (StallTimeoutSeconds is < 2 or > 300) return $"StallTimeoutSeconds must be between 2 and 300 (got {StallTimeoutSeconds})";
        return null;
    }
}
