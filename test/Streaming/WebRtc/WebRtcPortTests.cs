using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Edge.Streaming.WebRtc;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>
/// The WHEP endpoint's refusals and WebRTC's UDP port under hostile datagrams, in a real server: what
/// is refused says why, garbage is dropped quietly, and a session's own checks are still answered.
/// </summary>
[TestClass]
public sealed class WebRtcPortTests
{
    // A minimal offer as a browser would make it: one receiving video section with H.264 in mode 1.
    private const string Offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 106\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:peer\r\na=ice-pwd:0123456789012345678901\r\n"
        + "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n"
        + "a=setup:actpass\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:106 H264/90000\r\n"
        + "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

    private static Task<EdgeServer> Start() => EdgeServer.Start(EdgeServer.ConfigWithUsers("""
        "Camera":{"Source":"testpattern","Width":320,"Height":240,"Fps":10},
        """));

    [TestMethod]
    public async Task OffersThatCannotBeServedAreRefusedWithTheReasonAndAGoodOneIsAnsweredAndDeleted()
    {
        await using var server = await Start();
        foreach (var (body, type, status, said) in new[]
        {
            (Offer, "text/plain", 415, "application/sdp"),
            ("hello", "application/sdp", 400, "not SDP"),
            (Offer.Replace("packetization-mode=1", "packetization-mode=0"), "application/sdp", 422, "packetization-mode=1"),
            (Offer.Replace("a=setup:actpass", "a=setup:passive"), "application/sdp", 422, "setup"),
            (Offer.Replace("a=recvonly", "a=sendonly"), "application/sdp", 422, "no video section that receives"),
            (Offer.Replace("a=ice-pwd:0123456789012345678901\r\n", ""), "application/sdp", 400, "ice-pwd"),
            ("v=0\r\n" + new string('a', 70_000), "application/sdp", 413, "at most"),
        })
        {
            using var refused = await server.Http.PostAsync("/whep", new StringContent(body, Encoding.UTF8, type));
            string text = await refused.Content.ReadAsStringAsync();
            Assert.AreEqual(status, (int)refused.StatusCode, text);
            StringAssert.Contains(text, said);
        }
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using (var unauthorized = await anonymous.PostAsync("/whep", new StringContent(Offer, Encoding.UTF8, "application/sdp")))
            Assert.AreEqual(HttpStatusCode.Unauthorized, unauthorized.StatusCode);

        using var answered = await server.Http.PostAsync("/whep", new StringContent(Offer, Encoding.UTF8, "application/sdp"));
        Assert.AreEqual(HttpStatusCode.Created, answered.StatusCode, await answered.Content.ReadAsStringAsync());
        Assert.AreEqual("application/sdp", answered.Content.Headers.ContentType?.MediaType);
        string location = answered.Headers.Location!.ToString();
        StringAssert.StartsWith(location, "/whep/");
        Assert.AreEqual(1, (await server.State("webrtc.sessions"))!.Value.GetInt32());
        using (var patched = await server.Http.PatchAsync(location, new StringContent("a=candidate:1 1 udp 1 192.0.2.9 9 typ host",
            Encoding.UTF8, "application/trickle-ice-sdpfrag")))
            Assert.AreEqual(HttpStatusCode.NoContent, patched.StatusCode);
        using (var deleted = await server.Http.DeleteAsync(location)) Assert.AreEqual(HttpStatusCode.OK, deleted.StatusCode);
        using (var again = await server.Http.DeleteAsync(location)) Assert.AreEqual(HttpStatusCode.NotFound, again.StatusCode);
        Assert.AreEqual(0, (await server.State("webrtc.sessions"))!.Value.GetInt32());
    }

    [TestMethod]
    public async Task ACameraWithoutH264IsRefused503WithTheReason()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"testpattern","Width":320,"Height":240,"Fps":10},"H264":{"Encoder":"none"},
            """));
        await WaitForPort(server);
        using var refused = await server.Http.PostAsync("/whep", new StringContent(Offer, Encoding.UTF8, "application/sdp"));
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(), "No live H.264");
        Assert.IsTrue((await server.State("webrtc.sessions"))?.GetInt32() is null or 0, "no session was made");
    }

    [TestMethod]
    public async Task GarbageForgedChecksAndUnprovenDtlsAreDroppedQuietlyAndASessionsOwnCheckIsStillAnswered()
    {
        await using var server = await Start();
        int port = (await WaitForPort(server));
        using var answered = await server.Http.PostAsync("/whep", new StringContent(Offer, Encoding.UTF8, "application/sdp"));
        string answer = await answered.Content.ReadAsStringAsync();
        string ufrag = Line(answer, "a=ice-ufrag:"), pwd = Line(answer, "a=ice-pwd:");
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var edge = new IPEndPoint(IPAddress.Loopback, port);
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 1500)];
            random.NextBytes(junk);
            udp.Send(junk, edge);
        }
        udp.Send(Request($"{ufrag}:peer", "wrong-password-wrong-pw"), edge); // forged integrity
        udp.Send(Request("nosuchufrag:peer", pwd), edge); // no session
        udp.Send(Request($"{ufrag}:notthepeer", pwd), edge); // another browser's fragment
        udp.Send([22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], edge); // DTLS from an address no check proved
        var slowest = TimeSpan.Zero;
        for (int i = 0; i < 10; i++)
        {
            var took = System.Diagnostics.Stopwatch.StartNew();
            await server.Call("ping");
            slowest = took.Elapsed > slowest ? took.Elapsed : slowest;
        }
        Assert.IsLessThan(TimeSpan.FromMilliseconds(500), slowest, "the API while the port took garbage");
        Assert.AreEqual(0, udp.Available, "nothing was answered");

        udp.Send(Request($"{ufrag}:peer", pwd), edge);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var response = (await udp.ReceiveAsync(timeout.Token)).Buffer;
        Assert.AreEqual(0x0101, BinaryPrimitives.ReadUInt16BigEndian(response), "a Binding success");
        Assert.IsTrue(Stun.IsStun(response));
        var lines = server.Log.Lines.Where(l => l.Contains("ICE check", StringComparison.Ordinal)).ToList();
        Assert.IsLessThanOrEqualTo(2, lines.Count, "one line per address and cause: " + string.Join("\n", lines));
    }

    private static async Task<int> WaitForPort(EdgeServer server)
    {
        int port = 0;
        await Eventually.True(async () => (await server.State("webrtc.port"))?.GetInt32() is int p && (port = p) > 0, "the WebRTC port");
        return port;
    }

    private static string Line(string sdp, string prefix)
        => sdp.Split("\r\n").Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..];

    private static byte[] Request(string username, string password) => WhepPeer.BindingRequest(username, password);
}
