using System.Globalization;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// A WebRTC offer (JSEP, RFC 8829) as a send-only camera reads it: its media sections with their ICE
/// credentials, DTLS fingerprint and role, directions and codecs. Anything it does not use is skipped;
/// what it needs and cannot make sense of is a <see cref="FormatException"/> naming the line. Linear in
/// the offer, which is at most <see cref="MaxLength"/> characters.
/// </summary>
internal sealed class SdpOffer
{
    public const int MaxLength = 64 * 1024;
    public const int MaxMedia = 16;

    public List<SdpMedia> Media { get; } = [];

    public static SdpOffer Parse(string text)
    {
        if (text.Length > MaxLength) throw new FormatException($"the offer is longer than {MaxLength} characters");
        var offer = new SdpOffer();
        var session = new SdpMedia("", 0, "", []);
        SdpMedia current = session;
        int number = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            number++;
            var line = text.AsSpan(range).TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.Length < 2 || line[1] != '=') throw new FormatException($"line {number} is not <type>=<value>");
            var value = line[2..];
            switch (line[0])
            {
                case 'v' when number == 1 && !value.SequenceEqual("0"):
                    throw new FormatException("only SDP version 0 is known");
                case 'm':
                    if (offer.Media.Count == MaxMedia) throw new FormatException($"more than {MaxMedia} media sections");
                    current = ReadMedia(value, number);
                    offer.Media.Add(current);
                    break;
                case 'a':
                    ReadAttribute(current, value);
                    break;
            }
        }
        if (number == 0 || !text.StartsWith("v=0", StringComparison.Ordinal)) throw new FormatException("an SDP offer starts with v=0");
        // Session-level ICE and DTLS attributes apply to every section that has none of its own (Firefox puts them there).
        foreach (var media in offer.Media)
        {
            media.IceUfrag ??= session.IceUfrag;
            media.IcePwd ??= session.IcePwd;
            media.Fingerprint ??= session.Fingerprint;
            media.Setup ??= session.Setup;
        }
        return offer;
    }

    private static SdpMedia ReadMedia(ReadOnlySpan<char> value, int number)
    {
        // m=<media> <port> <proto> <fmt> ...
        Span<Range> parts = stackalloc Range[4];
        if (value.Split(parts, ' ', StringSplitOptions.RemoveEmptyEntries) < 4
            || !int.TryParse(value[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new FormatException($"line {number}: m= needs a media, a port, a protocol and formats");
        var formats = new List<int>();
        foreach (var format in value[parts[3]].Split(' '))
        {
            if (int.TryParse(value[parts[3]][format], NumberStyles.None, CultureInfo.InvariantCulture, out int pt) && pt < 128)
                formats.Add(pt);
        }
        return new SdpMedia(value[parts[0]].ToString(), port, value[parts[2]].ToString(), formats);
    }

    private static void ReadAttribute(SdpMedia media, ReadOnlySpan<char> value)
    {
        int colon = value.IndexOf(':');
        var name = colon < 0 ? value : value[..colon];
        var rest = colon < 0 ? [] : value[(colon + 1)..];
        switch (name)
        {
            case "mid": media.Mid = Bounded(rest); break;
            case "ice-ufrag": media.IceUfrag = Bounded(rest); break;
            case "ice-pwd": media.IcePwd = Bounded(rest); break;
            case "setup": media.Setup = Bounded(rest); break;
            case "fingerprint": media.Fingerprint ??= Bounded(rest); break;
            case "sendrecv" or "sendonly" or "recvonly" or "inactive": media.Direction = name.ToString(); break;
            case "rtcp-mux": media.RtcpMux = true; break;
            case "rtcp-rsize": media.RtcpRsize = true; break;
            case "rtpmap" or "fmtp" or "rtcp-fb":
                int space = rest.IndexOf(' ');
                if (space < 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
                    || !media.PayloadTypes.Contains(pt)) break;
                var parameter = Bounded(rest[(space + 1)..]);
                if (name.SequenceEqual("rtpmap")) media.Codecs[pt] = parameter;
                else if (name.SequenceEqual("fmtp")) media.Formats[pt] = parameter;
                else media.Feedback.Add((pt, parameter));
                break;
        }
    }

    // Values longer than any real one are cut, so a hostile offer holds no more than its own size.
    private static string Bounded(ReadOnlySpan<char> value) => value[..Math.Min(value.Length, 256)].Trim().ToString();
}

/// <summary>One media section of an offer (or, with no kind, its session level).</summary>
internal sealed class SdpMedia(string kind, int port, string protocol, List<int> payloadTypes)
{
    public string Kind { get; } = kind;

    public int Port { get; } = port;

    public string Protocol { get; } = protocol;

    /// <summary>The m= line's formats, in the offer's order of preference.</summary>
    public List<int> PayloadTypes { get; } = payloadTypes;

    public string? Mid { get; set; }

    public string? IceUfrag { get; set; }

    public string? IcePwd { get; set; }

    /// <summary><c>sha-256 AB:CD:…</c></summary>
    public string? Fingerprint { get; set; }

    /// <summary><c>actpass</c>, <c>active</c> or <c>passive</c>.</summary>
    public string? Setup { get; set; }

    public string Direction { get; set; } = "sendrecv";

    public bool RtcpMux { get; set; }

    public bool RtcpRsize { get; set; }

    /// <summary>rtpmap: payload type → <c>H264/90000</c>.</summary>
    public Dictionary<int, string> Codecs { get; } = [];

    /// <summary>fmtp: payload type → its parameters.</summary>
    public Dictionary<int, string> Formats { get; } = [];

    /// <summary>rtcp-fb: payload type (or none) and the feedback, e.g. <c>nack pli</c>.</summary>
    public List<(int PayloadType, string Feedback)> Feedback { get; } = [];
}
