using System.Net;
using System.Net.Sockets;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming;

/// <summary>
/// ffmpeg as a real RTP receiver: it reads the stream an SDP file describes on a UDP port of 127.0.0.1
/// while the test sends it packets, frame after frame, until it has what it was asked for.
/// </summary>
internal static class FfmpegRtpReceiver
{
    /// <summary>
    /// Runs ffmpeg with <paramref name="output"/> options on a video stream of <paramref name="payloadType"/>,
    /// sending the packets of <paramref name="nextFrame"/> every 40 ms until it exits. ffmpeg starts listening
    /// at some point of the stream: the first frame it sees may be incomplete.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> Receive(int payloadType, string encoding,
        string? formatParameters, IEnumerable<string> output, Func<List<byte[]>> nextFrame)
    {
        int port = FreePortPair();
        string sdp = Path.Combine(Path.GetTempPath(), $"edge-rtp-{Guid.NewGuid():N}.sdp");
        try
        {
            await File.WriteAllTextAsync(sdp, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Edge test\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
                $"m=video {port} RTP/AVP {payloadType}\r\na=rtpmap:{payloadType} {encoding}/90000\r\n" +
                (formatParameters == null ? "" : $"a=fmtp:{payloadType} {formatParameters}\r\n"));
            var running = Tools.Run("ffmpeg",
                ["-nostdin", "-v", "error", "-protocol_whitelist", "file,udp,rtp", "-f", "sdp", "-i", sdp, .. output],
                TimeSpan.FromSeconds(30));
            using var sender = new UdpClient(AddressFamily.InterNetwork);
            var target = new IPEndPoint(IPAddress.Loopback, port);
            while (!running.IsCompleted)
            {
                foreach (var packet in nextFrame()) sender.Send(packet, target);
                await Task.WhenAny(running, Task.Delay(40));
            }
            return await running;
        }
        finally
        {
            File.Delete(sdp);
        }
    }

    /// <summary>The MD5s of the pictures in ffmpeg's <c>-f framemd5</c> output.</summary>
    public static List<string> FrameMd5s(string framemd5) =>
        [.. framemd5.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(',')[^1].Trim())];

    // A port for RTP with the next one free for RTCP, as ffmpeg opens both.
    private static int FreePortPair()
    {
        while (true)
        {
            using var rtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)rtp.Client.LocalEndPoint!).Port;
            if (port == IPEndPoint.MaxPort) continue;
            try
            {
                using var rtcp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
                // taken: try another
            }
        }
    }
}
