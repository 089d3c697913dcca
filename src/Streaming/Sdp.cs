using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Runtime;

namespace Edge.Streaming;

/// <summary>The session description DESCRIBE returns (RFC 4566): one video stream, JPEG (payload type 26) or H.264 (96).</summary>
public static class Sdp
{
    public const int JpegPayloadType = 26;
    public const int H264PayloadType = 96;

    /// <param name="h264Parameters">The fmtp parameters of an H.264 stream, or null for JPEG.</param>
    public static string Describe(IPAddress serverAddress, long sessionId, int fps, string? h264Parameters)
    {
        serverAddress = PeerAddress.Normalize(serverAddress);
        var sdp = new StringBuilder();
        sdp.Append("v=0\r\n");
        sdp.Append($"o=- {sessionId} 1 IN " +
            $"{(serverAddress.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4")} {serverAddress}\r\n");
        sdp.Append("s=Edge\r\n");
        sdp.Append("c=IN IP4 0.0.0.0\r\n");
        sdp.Append("t=0 0\r\n");
        sdp.Append("a=control:*\r\n");
        sdp.Append("a=range:npt=0-\r\n");
        if (h264Parameters == null)
        {
            sdp.Append($"m=video 0 RTP/AVP {JpegPayloadType}\r\n");
            sdp.Append($"a=rtpmap:{JpegPayloadType} JPEG/90000\r\n");
        }
        else
        {
            sdp.Append($"m=video 0 RTP/AVP {H264PayloadType}\r\n");
            sdp.Append($"a=rtpmap:{H264PayloadType} H264/90000\r\n");
            sdp.Append($"a=fmtp:{H264PayloadType} {h264Parameters}\r\n");
        }
        sdp.Append($"a=framerate:{fps}\r\n");
        sdp.Append("a=control:track1\r\n");
        return sdp.ToString();
    }
}
