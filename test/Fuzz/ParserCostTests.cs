using System.Buffers;
using System.Diagnostics;
using System.Text;
using Edge.Camera;
using Edge.Onvif;
using Edge.Onvif.Discovery;
using Edge.Onvif.Xml;
using Edge.Streaming;

namespace Edge.Tests.Fuzz;

/// <summary>
/// Every parser an unauthenticated peer can reach costs time linear in its input: for each hostile
/// shape, an input eight times longer may cost at most 24 times as much (a quadratic parser costs 64
/// times as much; one element with 9,300 attributes once cost the event loop half a second).
/// </summary>
[TestClass]
[TestCategory("Fuzz")]
public sealed class ParserCostTests
{
    private const int Growth = 8, Allowed = 3 * Growth;

    private static string Repeat(string unit, int bytes)
        => new StringBuilder().Insert(0, unit, Math.Max(1, bytes / unit.Length)).ToString();

    private static byte[] Soap(string body) => Encoding.UTF8.GetBytes(
        $"<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>{body}</s:Body></s:Envelope>");

    // Hostile SOAP bodies of about the given size: each shape stresses one thing the reader keeps or checks.
    private static readonly (string Name, Func<int, string> Body)[] SoapShapes =
    [
        ("distinct attributes on one element",
            n => $"<GetSystemDateAndTime {string.Concat(Enumerable.Range(0, n / 10).Select(i => $"a{i}=\"\" "))}/>"),
        ("namespace declarations",
            n => $"<GetSystemDateAndTime {string.Concat(Enumerable.Range(0, n / 16).Select(i => $"xmlns:p{i}=\"u\" "))}/>"),
        ("elements with many attributes", n => Repeat($"<e {string.Concat(Enumerable.Range(0, 60).Select(i => $"a{i}='' "))}/>", n)),
        ("nested elements", n => Repeat(string.Concat(Enumerable.Repeat("<e>", 28)) + string.Concat(Enumerable.Repeat("</e>", 28)), n)),
        ("prefixed names", n => $"<GetSystemDateAndTime xmlns:p=\"u\">{Repeat("<p:e p:a=\"1\"/>", n)}</GetSystemDateAndTime>"),
        ("entities and character references", n => $"<GetSystemDateAndTime>{Repeat("&amp;&#x41;&lt;", n)}</GetSystemDateAndTime>"),
        ("comments", n => Repeat("<!-- x -->", n)),
        ("one long attribute value", n => $"<GetSystemDateAndTime a=\"{new string('x', n)}\"/>"),
        ("one long name", n => $"<{new string('n', n)}/>"),
    ];

    [TestMethod]
    public void SoapRequestsCostTimeLinearInTheirLength()
    {
        foreach (var (name, body) in SoapShapes)
            AssertLinear($"SOAP: {name}", n => Soap(body(n)), OnvifEndpoints.MaxBodyBytes / Growth - 200, input =>
            {
                try { SoapRequest.Parse(input); }
                catch (SoapFault) { } // refused is fine; refused slowly is not
            });
    }

    [TestMethod]
    public void DiscoveryDatagramsCostTimeLinearInTheirLength()
    {
        foreach (var (name, body) in SoapShapes)
            AssertLinear($"WS-Discovery: {name}", n => Soap(body(n)), DiscoveryMessage.MaxBytes / Growth - 200,
                input => DiscoveryMessage.TryParse(input, out _));
    }

    [TestMethod]
    public void RtspRequestsCostTimeLinearInTheirLength()
    {
        (string Name, Func<int, string> Request)[] shapes =
        [
            ("headers", n => $"OPTIONS rtsp://h/stream RTSP/1.0\r\n{Repeat("X-A: b\r\n", n)}\r\n"),
            ("one long header", n => $"OPTIONS rtsp://h/stream RTSP/1.0\r\nX-A: {new string('b', n)}\r\n\r\n"),
            ("one long line", n => $"OPTIONS rtsp://h/{new string('s', n)} RTSP/1.0\r\n\r\n"),
            ("transports",
                n => $"SETUP rtsp://h/stream RTSP/1.0\r\nCSeq: 1\r\nTransport: {Repeat("RTP/AVP;unicast;client_port=1-2,", n)}\r\n\r\n"),
        ];
        foreach (var (name, request) in shapes)
            AssertLinear($"RTSP: {name}", n => Encoding.ASCII.GetBytes(request(n)), RtspParser.MaxHeaderBytes / Growth - 100,
                input => RtspParser.TryRead(new ReadOnlySequence<byte>(input), out _, out _, out _));
    }

    [TestMethod]
    public void JpegFramesCostTimeLinearInTheirLength()
    {
        // A start of image, then as many empty APPn segments as fit, then scan data full of 0xFF bytes.
        byte[] Segments(int n)
        {
            var image = new List<byte> { 0xFF, 0xD8 };
            while (image.Count < n) image.AddRange([0xFF, 0xE1, 0x00, 0x02]);
            image.AddRange([0xFF, 0xD9]);
            return [.. image];
        }
        AssertLinear("JPEG: segments", Segments, 64 * 1024, input => JpegScanner.Check(input, out _));
    }

    [TestMethod]
    public void WebRtcOffersAndStunChecksCostTimeLinearInTheirLength()
    {
        const string Head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
        const string Video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=recvonly\r\n";
        (string Name, Func<int, string> Offer)[] shapes =
        [
            ("media sections", n => Head + Repeat(Video, n)),
            ("payload types", n => Head + "m=video 9 UDP/TLS/RTP/SAVPF " + Repeat("96 ", n) + "\r\n"),
            ("rtpmap and fmtp lines", n => Head + Video
                + Repeat("a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\n", n)),
            ("candidates", n => Head + Video + Repeat("a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host\r\n", n)),
            ("one long line", n => Head + "a=" + new string('x', n) + "\r\n"),
        ];
        foreach (var (name, offer) in shapes)
        {
            AssertLinear($"WHEP offer: {name}", n => Encoding.UTF8.GetBytes(offer(n)),
                Edge.Streaming.WebRtc.SdpOffer.MaxLength / Growth - 200, input =>
                {
                    try
                    {
                        var parsed = Edge.Streaming.WebRtc.SdpOffer.Parse(Encoding.UTF8.GetString(input));
                        foreach (var media in parsed.Media) Edge.Streaming.WebRtc.H264PayloadChoice.Choose(media, 66, 0xC0);
                    }
                    catch (FormatException) { }
                });
        }
        // A Binding request padded with unknown attributes up to a datagram's size.
        byte[] Check(int n)
        {
            var message = new List<byte> { 0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42 };
            message.AddRange(new byte[12]);
            while (message.Count + 8 <= n) message.AddRange([0x80, 0x99, 0, 4, 1, 2, 3, 4]);
            int length = message.Count - 20;
            (message[2], message[3]) = ((byte)(length >> 8), (byte)length);
            return [.. message];
        }
        AssertLinear("STUN: attributes", Check, 8 * 1024 / Growth, input =>
        {
            if (Edge.Streaming.WebRtc.Stun.ReadBinding(input) is { } binding) Edge.Streaming.WebRtc.Stun.HasIntegrity(input, binding, [1]);
        });
    }

    [TestMethod]
    public void DigestAuthorizationHeadersCostTimeLinearInTheirLength()
    {
        var digest = new Edge.Auth.DigestAuth(TimeProvider.System);
        (string Name, Func<int, string> Header)[] shapes =
        [
            ("fields", n => "Digest " + Repeat("a=b, ", n)),
            ("quoted fields", n => "Digest " + Repeat("realm=\"Edge\", ", n)),
            ("one long value", n => "Digest username=\"" + new string('u', n) + "\""),
            ("separators", n => "Digest " + Repeat(", ", n) + "x"),
        ];
        foreach (var (name, header) in shapes)
            AssertLinear($"Digest: {name}", n => Encoding.ASCII.GetBytes(header(n)), 32 * 1024 / Growth,
                input => digest.Verify(Encoding.ASCII.GetString(input), "GET", _ => null, out _));
    }

    // Times the parse of inputs of about `small` and Growth × `small` bytes: the longer may cost at most Allowed times as much.
    private static void AssertLinear(string what, Func<int, byte[]> make, int small, Action<byte[]> parse)
    {
        byte[] shorter = make(small), longer = make(small * Growth);
        double shortTime = Cost(shorter, parse), longTime = Cost(longer, parse);
        // A floor of 0.2 ms keeps timer noise on tiny inputs from failing a linear parser.
        Assert.IsLessThanOrEqualTo(Allowed * Math.Max(shortTime, 0.2), longTime,
            $"{what}: {longer.Length} bytes took {longTime:0.000} ms against {shorter.Length} bytes' {shortTime:0.000} ms");
    }

    // The fastest of several runs, in milliseconds: the least disturbed by whatever else the machine does.
    private static double Cost(byte[] input, Action<byte[]> parse)
    {
        parse(input);
        double best = double.MaxValue;
        for (int i = 0; i < 7; i++)
        {
            long start = Stopwatch.GetTimestamp();
            parse(input);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return best;
    }
}
