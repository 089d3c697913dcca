using System.Net;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>
/// A session's media path against a viewer made of real parts (<see cref="WhepPeer"/>: ICE, OpenSSL's
/// DTLS client, SRTP): what its RTCP asks for is done, a replayed request is not, and a viewer that
/// stops making progress is ended while another keeps playing.
/// </summary>
[TestClass]
public sealed class WebRtcSessionTests
{
    // A 60-s GOP: every key frame after the first is one somebody asked for.
    private static Task<EdgeServer> Start(string extra = "") => EdgeServer.Start(EdgeServer.ConfigWithUsers($$"""
        "Camera":{"Source":"testpattern","Width":320,"Height":240,"Fps":15},"H264":{"KeyframeSeconds":60},{{extra}}
        """));

    [TestMethod]
    public async Task NackedPacketsComeAgainAsTheyWereAndAPliBringsAKeyFrameButTheSamePliReplayedDoesNot()
    {
        await using var server = await Start("\"WebRtc\":{\"StallTimeoutSeconds\":60},"); // this viewer sends no reports
        await using var peer = await WhepPeer.Connect(server);
        var first = await peer.WaitFor(p => p.IsKeyFrame, "the stream starting on a key frame", 10_000);
        await peer.WaitFor(p => (ushort)(p.Sequence - first.Sequence) is >= 20 and < 0x8000, "20 packets more", 10_000);

        ushort lost = (ushort)(first.Sequence + 3);
        peer.Nack(lost, 0b10); // and lost + 2
        foreach (ushort sequence in new[] { lost, (ushort)(lost + 2) })
        {
            var again = await peer.WaitFor(p => p.Repeat && p.Sequence == sequence, $"packet {sequence} sent again", 3000);
            CollectionAssert.AreEqual(peer.Raw(sequence), again.Data, "the same SRTP packet, byte for byte");
        }
        Assert.AreEqual(2, peer.Packets.Count(p => p.Repeat), "only what was asked for");

        Assert.AreEqual(1, KeyFrames(peer), "no key frame but the first before anyone asks");
        var asked = DateTime.UtcNow;
        byte[] pli = peer.PictureLoss();
        var made = await peer.WaitFor(p => p.IsKeyFrame && p.Arrived > asked, "a key frame after the PLI", 3000);
        Assert.IsLessThan(TimeSpan.FromSeconds(1), made.Arrived - asked, "the key frame's delay");

        await Task.Delay(1500); // past the one-a-second spacing of requests
        peer.SendRaw(pli);
        await Task.Delay(1500);
        Assert.AreEqual(2, KeyFrames(peer), "a replayed SRTCP packet is refused: no key frame for it");
        asked = DateTime.UtcNow;
        peer.PictureLoss();
        await peer.WaitFor(p => p.IsKeyFrame && p.Arrived > asked, "a key frame for a new PLI", 3000);
    }

    [TestMethod]
    public async Task ViewersThatStopReportingOrNeverHandshakeAreEndedWhileAnotherKeepsPlaying()
    {
        await using var server = await Start("\"WebRtc\":{\"StallTimeoutSeconds\":3},");
        await using var playing = await WhepPeer.Connect(server);
        await using var quiet = await WhepPeer.Connect(server);
        await using var silent = await WhepPeer.Offer(server);
        await quiet.WaitFor(p => p.Payload != null, "the quiet viewer's first packet", 10_000);
        Assert.AreEqual(3, (await server.State("webrtc.sessions"))!.Value.GetInt32());

        // All three keep ICE consent; only one reports what it receives, and one never does DTLS.
        using var stop = new CancellationTokenSource();
        var keepAlive = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                playing.Report();
                foreach (var peer in new[] { playing, quiet, silent }) peer.Check();
                await Task.Delay(500);
            }
        });
        try
        {
            await Eventually.True(async () => (await server.State("webrtc.sessions"))?.GetInt32() == 1, "two sessions ended", 15_000);
            string log = string.Join("\n", server.Log.Lines.Where(l => l.Contains("WebRTC", StringComparison.Ordinal)));
            foreach (var ended in new[] { quiet, silent })
                StringAssert.Contains(log, $"WebRTC session {ended.Id} ended: the viewer reported no progress for 3 s");
            int before = playing.Packets.Count;
            await Task.Delay(1500);
            Assert.IsGreaterThan(before + 10, playing.Packets.Count, "the reporting viewer still receives");
            using var deleted = await server.Http.DeleteAsync(playing.Location);
            Assert.AreEqual(HttpStatusCode.OK, deleted.StatusCode, "its session is still there");
        }
        finally
        {
            await stop.CancelAsync();
            await keepAlive;
        }
    }

    [TestMethod]
    public async Task AiortcAHeadlessClientDecodesTheCamerasH264ThroughWhepAndDeletesTheSession()
    {
        if (!File.Exists("/usr/lib/python3/dist-packages/aiortc/__init__.py"))
            Assert.Fail("aiortc is missing: run test/run.sh, which installs python3-aiortc.");
        await using var server = await Start();
        // aiortc leaves loopback out of its candidates: it reaches Edge from the machine's own interface address,
        // which Edge offers beside the one the offer came to.
        string script = Path.Combine(Repository.Root, "test", "Streaming", "WebRtc", "whep-aiortc.py");
        var run = await Tools.Run("/usr/bin/python3", [script, server.BaseUri.ToString(), EdgeServer.User, EdgeServer.Password, "45"],
            TimeSpan.FromSeconds(90));
        Assert.AreEqual(0, run.ExitCode, run.Output + run.Error);
        StringAssert.StartsWith(run.Output.Trim(), "ok 45 320x240 H264 200", run.Output + run.Error);
        await Eventually.True(async () => (await server.State("webrtc.sessions"))?.GetInt32() == 0, "the session ended");
    }

    [TestMethod]
    public async Task Go2RtcsWebSocketSignallingPlaysTheCameraAndTheSessionOutlivesTheSocketAsInGo2rtc()
    {
        await using var server = await Start();
        await using (var peer = await WhepPeer.Connect(server, go2rtc: true))
        {
            await peer.WaitFor(p => p.IsKeyFrame, "a key frame over go2rtc's signalling", 10_000);
            var socket = peer.Signalling!;
            // go2rtc's player asks for several modes at once: what Edge does not serve is ignored, a second offer refused.
            StringAssert.StartsWith(await WhepPeer.Go2RtcExchange(socket, ["mse", "webrtc/candidate", "webrtc/offer"], "v=0", "error"),
                "webrtc/offer: this socket's session is still playing");
            Assert.AreEqual(1, (await server.State("webrtc.sessions"))!.Value.GetInt32());
            // The player closes the socket once WebRTC plays: the video goes on.
            await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            int before = peer.Packets.Count;
            await Task.Delay(1000);
            Assert.IsGreaterThan(before + 5, peer.Packets.Count, "packets after the socket closed");
            Assert.AreEqual(1, (await server.State("webrtc.sessions"))!.Value.GetInt32());
        }

        // Refused: not a WebSocket, no login, a cross-site page; a bad offer is an error naming the mode and why.
        using (var plain = await server.Http.GetAsync("/api/ws?src=camera"))
            Assert.AreEqual(HttpStatusCode.BadRequest, plain.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        using (var refused = await anonymous.GetAsync("/api/ws"))
            Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var crossSite = new System.Net.WebSockets.ClientWebSocket();
        crossSite.Options.SetRequestHeader("Authorization", EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password).ToString());
        crossSite.Options.SetRequestHeader("Origin", "http://evil.example");
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(
            () => crossSite.ConnectAsync(new Uri($"ws://{server.BaseUri.Authority}/api/ws"), CancellationToken.None));
        using var bad = await WhepPeer.Go2RtcSocket(server);
        StringAssert.StartsWith(await WhepPeer.Go2RtcExchange(bad, ["webrtc/offer"], "hello", "error"),
            "webrtc/offer: The offer is not SDP");
        StringAssert.Contains(await WhepPeer.Go2RtcExchange(bad, ["webrtc/offer"], "v=0\r\n", "error"), "no video section");
    }

    // Key frames seen: one per RTP timestamp among packets carrying IDR slices.
    private static int KeyFrames(WhepPeer peer) => peer.Packets.Where(p => p.IsKeyFrame).Select(p => p.Timestamp).Distinct().Count();
}
