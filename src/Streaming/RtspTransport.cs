namespace Edge.Streaming;

/// <summary>What a SETUP's Transport header asks for: interleaved TCP channels or UDP client ports.</summary>
public sealed record RtspTransport(bool Tcp, int RtpChannel, int RtcpChannel, int ClientRtpPort, int ClientRtcpPort)
{
    /// <summary>
    /// Picks the first transport Edge can serve from a Transport header (a comma-separated list of
    /// choices); null if none.
    /// </summary>
    public static RtspTransport? Parse(string? header)
    {
        if (header == null) return null;
        foreach (var choice in header.Split(','))
        {
            var fields = choice.Trim().Split(';');
            string profile = fields[0].Trim().ToUpperInvariant();
            bool tcp = profile == "RTP/AVP/TCP";
            if (!tcp && profile is not ("RTP/AVP" or "RTP/AVP/UDP")) continue;
            if (fields.Any(f => f.Trim().Equals("multicast", StringComparison.OrdinalIgnoreCase))) continue;
            (int, int)? pair = null;
            foreach (var field in fields.Skip(1))
            {
                var (name, value) = Split(field);
                if (tcp && name == "interleaved") pair = Pair(value);
                else if (!tcp && name == "client_port") pair = Pair(value);
            }
            if (tcp)
            {
                var (rtp, rtcp) = pair ?? (0, 1);
                if (rtp is < 0 or > 255 || rtcp is < 0 or > 255) continue;
                return new RtspTransport(true, rtp, rtcp, 0, 0);
            }
            if (pair is not var (port, control) || port is < 1 or > 65535 || control is < 1 or > 65535) continue;
            return new RtspTransport(false, 0, 0, port, control);
        }
        return null;
    }

    private static (string Name, string Value) Split(string field)
    {
        int equals = field.IndexOf('=');
        return equals < 0
            ? (field.Trim().ToLowerInvariant(), "")
            : (field[..equals].Trim().ToLowerInvariant(), field[(equals + 1)..].Trim());
    }

    private static (int, int)? Pair(string value)
    {
        var ends = value.Split('-');
        if (!int.TryParse(ends[0], out int first)) return null;
        if (ends.Length == 1) return (first, first + 1);
        return ends.Length == 2 && int.TryParse(ends[1], out int second) ? (first, second) : null;
    }
}
