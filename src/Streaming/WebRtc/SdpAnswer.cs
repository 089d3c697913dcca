using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Streaming.WebRtc;

/// <summary>
/// What Edge answers a WHEP offer (JSEP initial answer): ICE-lite on the session level, the one video
/// section it sends (<c>sendonly</c>, rtcp-mux, the H.264 payload type chosen from the offer with its
/// parameters echoed, NACK, PLI and FIR) with its host candidates, and every other section rejected
/// (port 0, out of the bundle).
/// </summary>
internal static class SdpAnswer
{
    /// <summary>Candidate priority of a host candidate (RFC 8445 §5.1.2.1: type 126, local preference, component 1).</summary>
    private static uint Priority(int localPreference) => (126u << 24) | ((uint)localPreference << 8) | 255;

    public static string Write(SdpOffer offer, SdpMedia video, int payloadType, IceCredentials ice, string fingerprint,
        IReadOnlyList<IPEndPoint> candidates, uint ssrc, long sessionId)
    {
        var sdp = new StringBuilder(1024);
        Line(sdp, "v=0");
        Line(sdp, $"o=- {sessionId} 1 IN IP4 0.0.0.0");
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        Line(sdp, $"a=group:BUNDLE {video.Mid}");
        Line(sdp, "a=ice-lite");
        Line(sdp, "a=msid-semantic: WMS edge");
        foreach (var media in offer.Media)
        {
            if (media != video)
            {
                // Rejected, kept in the offer's order (Firefox wants a c= line here too).
                Line(sdp, $"m={media.Kind} 0 {media.Protocol} {(media.PayloadTypes.Count > 0 ? media.PayloadTypes[0] : 0)}");
                Line(sdp, "c=IN IP4 0.0.0.0");
                if (media.Mid != null) Line(sdp, $"a=mid:{media.Mid}");
                Line(sdp, "a=inactive");
                continue;
            }
            Line(sdp, $"m=video 9 UDP/TLS/RTP/SAVPF {payloadType}");
            Line(sdp, "c=IN IP4 0.0.0.0");
            Line(sdp, $"a=mid:{video.Mid}");
            Line(sdp, $"a=ice-ufrag:{ice.Ufrag}");
            Line(sdp, $"a=ice-pwd:{ice.Pwd}");
            Line(sdp, $"a=fingerprint:{fingerprint}");
            // Passive: Edge is the DTLS server, and the browser starts the handshake once it has this answer.
            Line(sdp, "a=setup:passive");
            Line(sdp, "a=sendonly");
            Line(sdp, "a=rtcp-mux");
            if (video.RtcpRsize) Line(sdp, "a=rtcp-rsize");
            Line(sdp, $"a=rtpmap:{payloadType} H264/90000");
            if (video.Formats.TryGetValue(payloadType, out string? format)) Line(sdp, $"a=fmtp:{payloadType} {format}");
            Line(sdp, $"a=rtcp-fb:{payloadType} nack");
            Line(sdp, $"a=rtcp-fb:{payloadType} nack pli");
            Line(sdp, $"a=rtcp-fb:{payloadType} ccm fir");
            Line(sdp, "a=msid:edge edge-video");
            Line(sdp, $"a=ssrc:{ssrc} cname:edge");
            Line(sdp, $"a=ssrc:{ssrc} msid:edge edge-video");
            for (int i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[i];
                // IPv4 first: a little more preferred than IPv6, each address after the one before.
                int preference = 65535 - i - (candidate.AddressFamily == AddressFamily.InterNetworkV6 ? 1024 : 0);
                Line(sdp, string.Create(CultureInfo.InvariantCulture,
                    $"a=candidate:{i + 1} 1 udp {Priority(preference)} {candidate.Address} {candidate.Port} typ host"));
            }
            Line(sdp, "a=end-of-candidates");
        }
        return sdp.ToString();
    }

    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
