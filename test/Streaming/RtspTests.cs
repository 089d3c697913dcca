using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Tests.Camera;
using Edge.Tests.Support;

namespace Edge.Tests.Streaming;

[TestClass]
public sealed class RtspTests
{
    [TestMethod]
    [DataRow("tcp")]
    [DataRow("udp")]
    public async Task FfmpegDecodesSixtyJpegFramesOverRtsp(string transport)
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        await AssertFfmpegDecodes(server, "/stream", transport, "mjpeg");
    }

    [TestMethod]
    public async Task FfmpegDecodesSixtyFramesOfAnH264CameraPassedThroughOverRtsp()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.PipeConfig("h264", "-c:v libx264 -tune zerolatency -g 25 -f h264"));
        await AssertFfmpegDecodes(server, "/h264", "tcp", "h264");
    }

    [TestMethod]
    public async Task TheProtocolAnswersOptionsDescribeSetupPlayAndTeardown()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        int port = await Port(server);
        using var client = await RtspClient.Connect(port);
        string url = $"rtsp://127.0.0.1:{port}/stream";

        var options = await client.Request("OPTIONS", url, authorization: null);
        Assert.AreEqual(200, options.Status);
        StringAssert.Contains(options.Headers["Public"], "DESCRIBE");

        var anonymous = await client.Request("DESCRIBE", url, authorization: null);
        Assert.AreEqual(401, anonymous.Status);
        Assert.AreEqual("Basic realm=\"Edge\"", anonymous.Headers["WWW-Authenticate"],
            "no Digest challenge while no user has a DigestHash");
        var wrong = await client.Request("DESCRIBE", url, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong")));
        Assert.AreEqual(401, wrong.Status);

        var describe = await client.Request("DESCRIBE", url, headers: ("Accept", "application/sdp"));
        Assert.AreEqual(200, describe.Status);
        Assert.AreEqual(url + "/", describe.Headers["Content-Base"]);
        StringAssert.Contains(describe.Body, "m=video 0 RTP/AVP 26");
        StringAssert.Contains(describe.Body, "a=control:track1");

        var setup = await client.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        Assert.AreEqual(200, setup.Status);
        StringAssert.StartsWith(setup.Headers["Transport"], "RTP/AVP/TCP;unicast;interleaved=0-1");
        string session = setup.Headers["Session"].Split(';')[0];
        StringAssert.Contains(setup.Headers["Session"], "timeout=");

        Assert.AreEqual(454, (await client.Request("PLAY", url, headers: ("Session", "nonsense"))).Status);
        var play = await client.Request("PLAY", url, headers: ("Session", session));
        Assert.AreEqual(200, play.Status);
        StringAssert.Contains(play.Headers["RTP-Info"], "seq=");
        var packets = await client.ReadPackets(20);
        Assert.IsTrue(packets.All(p => p[0] >> 6 == 2 && (p[1] & 0x7F) == 26), "RTP version 2, payload type 26");
        Assert.IsTrue(packets.Any(p => (p[1] & 0x80) != 0), "a frame's last packet carries the marker");
        await Eventually.True(async () =>
        {
            var state = (await server.Call("state.get", new { keys = new[] { "rtsp.sessions", "rtsp.latency_ms" } })).GetProperty("result");
            return state.TryGetProperty("rtsp.sessions", out var count) && count.GetInt32() == 1
                && state.TryGetProperty("rtsp.latency_ms", out var latency) && latency.GetProperty("p99Ms").GetDouble() > 0;
        }, "rtsp.sessions and rtsp.latency_ms in the state", 5000);

        var teardown = await client.Request("TEARDOWN", url, headers: ("Session", session));
        Assert.AreEqual(200, teardown.Status);
        Assert.AreEqual(200, (await client.Request("OPTIONS", url)).Status, "the connection stays usable");
    }

    [TestMethod]
    public async Task AClientThatStopsReadingDoesNotSlowAnother()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var stalled = await RtspClient.Connect(port, receiveBufferBytes: 4096);
        var setup = await stalled.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        await stalled.SendRaw(Encoding.ASCII.GetBytes($"PLAY {url} RTSP/1.0\r\nCSeq: 9\r\nAuthorization: {RtspClient.Credentials}\r\n" +
            $"Session: {setup.Headers["Session"].Split(';')[0]}\r\n\r\n"));

        using var good = await RtspClient.Connect(port);
        var goodSetup = await good.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        await good.Request("PLAY", url, headers: ("Session", goodSetup.Headers["Session"].Split(';')[0]));
        await good.ReadPackets(1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int frames = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(3)) frames += (await good.ReadPackets(1)).Count(p => (p[1] & 0x80) != 0);
        double fps = frames / watch.Elapsed.TotalSeconds;
        Assert.IsGreaterThanOrEqualTo(CameraFixtures.Fps * 0.9, fps, $"{fps:0.0} fps while another client stalled");
    }

    [TestMethod]
    public async Task DigestCredentialsWorkForFfmpegAndARawClientWhenTheUserHasADigestHash()
    {
        // The user's Basic password differs from the Digest one, so only Digest can let ffmpeg in.
        string basicHash = Edge.Auth.PasswordHash.Create("basic only", 1000);
        string digestHash = Edge.Auth.DigestAuth.Hash("cam", "digest pass");
        string config = $$$"""
            {"Camera":{"Width":{{{CameraFixtures.Width}}},"Height":{{{CameraFixtures.Height}}},"Fps":{{{CameraFixtures.Fps}}}},
             "Auth":{"Users":[{"Name":"cam","PasswordHash":"{{{basicHash}}}","DigestHash":"{{{digestHash}}}"}]}}
            """;
        await using var server = await EdgeServer.Start(config);
        int port = await PortWithoutLogin(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var client = await RtspClient.Connect(port);
        var challenge = await client.Request("DESCRIBE", url, authorization: null);
        Assert.AreEqual(401, challenge.Status);
        StringAssert.StartsWith(challenge.Headers["WWW-Authenticate"], "Digest realm=\"Edge\"");
        StringAssert.Contains(challenge.Headers["WWW-Authenticate"], "\nBasic realm=\"Edge\"");
        string nonce = Web.DigestAuthTests.NonceOf(challenge.Headers["WWW-Authenticate"]);
        Assert.AreEqual(200,
            (await client.Request("DESCRIBE", url,
                Web.DigestAuthTests.Header(nonce, "digest pass", qop: false, user: "cam", uri: url))).Status);
        Assert.AreEqual(401,
            (await client.Request("DESCRIBE", url, Web.DigestAuthTests.Header(nonce, "wrong", qop: false, user: "cam", uri: url))).Status);

        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i",
                $"rtsp://cam:{Uri.EscapeDataString("digest pass")}@127.0.0.1:{port}/stream", "-frames:v", "10", "-f", "null", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
    }

    [TestMethod]
    public async Task AUserWithoutADigestHashPlaysInFfmpegAndGStreamerAndDigestTriesDoNotLockItOut()
    {
        // Both users have a DigestHash at first, so the server hands out Digest nonces.
        string hash = Edge.Auth.PasswordHash.Create("nvr pass", 1000);
        string User(string name, bool digest)
            => $$$"""{"Name":"{{{name}}}","PasswordHash":"{{{hash}}}""" +
                $"\"{(digest ? $",\"DigestHash\":\"{Edge.Auth.DigestAuth.Hash(name, "nvr pass")}\"" : "")}}}";
        string Config(bool nvrDigest) => $$$"""
            {"Camera":{"Width":{{{CameraFixtures.Width}}},"Height":{{{CameraFixtures.Height}}},"Fps":{{{CameraFixtures.Fps}}}},
             "Auth":{"Users":[{{{User("cam", true)}}},{{{User("nvr", nvrDigest)}}}]}}
            """;
        await using var server = await EdgeServer.Start(Config(nvrDigest: true));
        int port = await PortWithoutLogin(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var client = await RtspClient.Connect(port);
        string nonce = Web.DigestAuthTests.NonceOf((await client.Request("DESCRIBE", url,
            authorization: null)).Headers["WWW-Authenticate"]);

        // Then nvr is remade with plain `edge passwd`: offering Digest would make ffmpeg and
        // GStreamer answer with it, which nvr cannot, so only Basic is offered.
        using var admin = new HttpClient { BaseAddress = server.BaseUri };
        admin.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("cam", "nvr pass");
        using (var put = await admin.PutAsync("/config",
            new StringContent(Config(nvrDigest: false), System.Text.Encoding.UTF8, "application/json")))
            Assert.AreEqual(System.Net.HttpStatusCode.OK, put.StatusCode, await put.Content.ReadAsStringAsync());
        Assert.AreEqual("Basic realm=\"Edge\"", (await client.Request("DESCRIBE", url, authorization: null)).Headers["WWW-Authenticate"]);

        // A client that answers Digest anyway is refused, but it typed no wrong password: twenty such
        // tries neither lock the address out nor log failed logins.
        for (int i = 0; i < 20; i++)
            Assert.AreEqual(401,
                (await client.Request("DESCRIBE", url,
                    Web.DigestAuthTests.Header(nonce, "nvr pass", qop: false, user: "nvr", uri: url))).Status);
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("Authentication failed")), string.Join("\n", server.Log.Lines));

        string login = $"rtsp://nvr:{Uri.EscapeDataString("nvr pass")}@127.0.0.1:{port}/stream";
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", login, "-frames:v", "10", "-f", "null", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
        var gst = await Tools.Run("gst-launch-1.0",
            ["-q", "rtspsrc", $"location={url}", "user-id=nvr", "user-pw=nvr pass", "protocols=tcp", "!", "rtpjpegdepay", "!", "fakesink",
                "num-buffers=10"], TimeSpan.FromSeconds(60));
        Assert.AreEqual(0, gst.ExitCode, gst.Output + gst.Error);
    }

    [TestMethod]
    public async Task ConnectionsThatDoNotLogInGetAShareOfTheSlotsPerAddressAndAShortTimeout()
    {
        // The attack: 64 connections that each send one OPTIONS held every slot for a minute.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":320,"Height":240},"Rtsp":{"RequestTimeoutSeconds":4},
            """));
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        var squatters = new List<RtspClient>();
        try
        {
            for (int i = 0; i < 64; i++)
            {
                var client = await RtspClient.Connect(port);
                squatters.Add(client);
                Assert.AreEqual(200, (await client.Request("OPTIONS", url, authorization: null)).Status, "each is answered");
            }
            // The newest 8 (MaxUnauthenticatedPerAddress) of the address's waiting connections stay
            // (the request time-out, 4 s, is long enough for 64 connections and this check on a busy machine).
            var closed = await Task.WhenAll(squatters.Select(c => c.ClosedByServer(500)));
            Assert.AreEqual(56, closed.Count(c => c), "the older ones made room");
            Assert.IsTrue(closed.Skip(56).All(c => !c), "the newest stay, for now");
            // A client that logs in, from the same address, gets a slot and plays.
            var decode = await Tools.Run("ffmpeg",
                ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i",
                    $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@127.0.0.1:{port}/stream", "-frames:v", "5", "-f",
                    "null", "-"]);
            Assert.AreEqual(0, decode.ExitCode, decode.Error);
            // Those that never log in are closed after RequestTimeoutSeconds of silence, not a minute.
            var started = DateTime.UtcNow;
            foreach (var client in squatters.Skip(57)) Assert.IsTrue(await client.ClosedByServer(10000), "closed");
            Assert.IsLessThan(TimeSpan.FromSeconds(8), DateTime.UtcNow - started);
            Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("replaced by a newer connection from the same address")),
                "the cause is logged");
            Assert.IsLessThanOrEqualTo(10, server.Log.Lines.Count(l => l.Contains("RTSP connection from")),
                "at most 10 refusals a minute are logged");
        }
        finally
        {
            foreach (var client in squatters) client.Dispose();
        }
    }

    [TestMethod]
    public async Task FailedLoginsOverHttpAndRtspCountTogetherAndTheSdpNamesTheAddressPlainly()
    {
        // RTSP on every address (a dual-mode socket): its IPv4 clients arrive as ::ffff:127.0.0.1, HTTP's as 127.0.0.1.
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--Rtsp:Address", "0.0.0.0");
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        anonymous.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, "wrong");
        for (int i = 0; i < Edge.Auth.LoginThrottle.FreeFailures; i++)
            Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api", new StringContent("{}"))).StatusCode);
        using var client = await RtspClient.Connect(port);
        string wrong = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{EdgeServer.User}:wrong"));
        Assert.AreEqual(401, (await client.Request("DESCRIBE", url, wrong)).Status, "the sixth failure, counted with HTTP's five");
        var locked = await client.Request("DESCRIBE", url);
        Assert.AreEqual(503, locked.Status, "locked out, even with the right password");
        Assert.IsTrue(locked.Headers.ContainsKey("Retry-After"));
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("::ffff:")),
            string.Join("\n", server.Log.Lines.Where(l => l.Contains("::ffff:"))));
    }

    [TestMethod]
    public async Task TheSdpOriginNamesTheServerAddressAsIpv4()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--Rtsp:Address", "0.0.0.0"); // dual-mode
        int port = await Port(server);
        using var client = await RtspClient.Connect(port);
        var describe = await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/stream", headers: ("Accept", "application/sdp"));
        StringAssert.Contains(describe.Body, " IN IP4 127.0.0.1\r\n");
    }

    [TestMethod]
    public async Task RtspListensWhereHttpDoesUnlessRtspAddressSaysOtherwise()
    {
        await using (var server = await EdgeServer.Start(CameraFixtures.TestPattern()))
            CollectionAssert.AreEqual(new[] { "127.0.0.1" }, Listening(await Port(server)), "--urls http://127.0.0.1:0");
        await using (var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--Rtsp:Address", "0.0.0.0"))
            CollectionAssert.AreEqual(new[] { "::" }, Listening(await Port(server)), "every address, IPv4 and IPv6");
    }

    // The local addresses of TCP listeners on PORT, from the kernel's tables.
    private static List<string> Listening(int port)
    {
        var found = new List<string>();
        foreach (var (file, v6) in new[] { ("/proc/net/tcp", false), ("/proc/net/tcp6", true) })
        {
            foreach (string line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var local = fields[1].Split(':');
                if (fields[3] != "0A" || Convert.ToInt32(local[1], 16) != port) continue;
                byte[] bytes = Convert.FromHexString(local[0]);
                // The kernel prints each 32-bit word in host (little-endian) order.
                for (int i = 0; i < bytes.Length; i += 4) Array.Reverse(bytes, i, 4);
                found.Add(new IPAddress(bytes).ToString());
            }
        }
        return found;
    }

    // The port from the log, for servers whose users are not the test user.
    private static async Task<int> PortWithoutLogin(EdgeServer server)
    {
        string? line = null;
        await Eventually.True(() => (line = server.Log.Lines.FirstOrDefault(l => l.Contains("RTSP listening on port"))) != null,
            "the RTSP server to listen", 5000);
        return int.Parse(System.Text.RegularExpressions.Regex.Match(line!, @"port (\d+)").Groups[1].Value);
    }

    [TestMethod]
    public async Task SessionsBeyondTheLimitGet453()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":320,"Height":240},"Rtsp":{"MaxSessions":1},
            """));
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream/track1";
        using var first = await RtspClient.Connect(port);
        using var second = await RtspClient.Connect(port);
        Assert.AreEqual(200, (await first.Request("SETUP", url, headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"))).Status);
        Assert.AreEqual(453, (await second.Request("SETUP", url, headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"))).Status);
        first.Dispose();
        await Eventually.True(async () =>
            (await second.Request("SETUP", url, headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"))).Status == 200,
            "the freed session slot was not given to the next client", 5000);
    }

    [TestMethod]
    public async Task GarbageAndAbsurdRequestsAreRefusedWithoutDisturbingAPlayingSession()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var player = await RtspClient.Connect(port);
        var setup = await player.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        Assert.AreEqual(200, (await player.Request("PLAY", url, headers: ("Session", setup.Headers["Session"].Split(';')[0]))).Status);
        await player.ReadPackets(10);

        byte[][] attacks =
        [
            Encoding.ASCII.GetBytes("GARBAGE\r\n\r\n"),
            Encoding.ASCII.GetBytes($"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 999999999\r\n\r\n"),
            Encoding.ASCII.GetBytes($"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -5\r\n\r\n"),
            [0xFF, 0xFE, 0x00, 0x01, .. Encoding.ASCII.GetBytes(" RTSP/1.0\r\n\r\n")],
            Encoding.ASCII.GetBytes(new string('A', 20000)),
        ];
        foreach (var attack in attacks)
        {
            using var bad = await RtspClient.Connect(port);
            await bad.SendRaw(attack);
            Assert.AreEqual(400, (await bad.ReadResponse()).Status);
            Assert.IsTrue(await bad.ClosedByServer(), "the connection is closed after a bad request");
        }
        using (var noCseq = await RtspClient.Connect(port))
        {
            await noCseq.SendRaw(Encoding.ASCII.GetBytes($"OPTIONS {url} RTSP/1.0\r\n\r\n"));
            Assert.AreEqual(400, (await noCseq.ReadResponse()).Status);
        }
        using (var interleaved = await RtspClient.Connect(port))
        {
            // Interleaved data is skipped (a client's RTCP), even a 64 KB packet of junk.
            await interleaved.SendRaw([(byte)'$', 1, 0xFF, 0xFF, .. new byte[65535]]);
            Assert.AreEqual(200, (await interleaved.Request("OPTIONS", url)).Status);
        }
        var packets = await player.ReadPackets(20);
        Assert.AreEqual(20, packets.Count, "the playing session kept receiving");
    }

    [TestMethod]
    public async Task TrickledSilentAndNotLoggedInConnectionsCloseAtTheRequestTimeoutLoggedInOnesAtTheSessionTimeoutSessionsStay()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":320,"Height":240},"Rtsp":{"RequestTimeoutSeconds":10,"SessionTimeoutSeconds":30},
            """), clock);
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var silent = await RtspClient.Connect(port);
        using var trickling = await RtspClient.Connect(port);
        using var anonymous = await RtspClient.Connect(port);
        using var loggedIn = await RtspClient.Connect(port);
        using var player = await RtspClient.Connect(port);
        await trickling.SendRaw(Encoding.ASCII.GetBytes($"OPTIONS {url} RTSP/1.0\r\nCSe"));
        Assert.AreEqual(401, (await anonymous.Request("DESCRIBE", url, authorization: null)).Status);
        Assert.AreEqual(200, (await loggedIn.Request("DESCRIBE", url)).Status);
        Assert.AreEqual(200,
            (await player.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"))).Status);

        // The server reads on its own threads: give it the bytes' arrival before time moves.
        await Task.Delay(200);
        clock.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(200);
        Assert.IsFalse(await trickling.ClosedByServer(200), "closed before the timeout");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.IsTrue(await silent.ClosedByServer(), "a connection that never sent a request");
        Assert.IsTrue(await trickling.ClosedByServer(), "a request that did not arrive whole");
        Assert.IsTrue(await anonymous.ClosedByServer(), "a connection that did not log in (a client that asks its user reconnects)");
        Assert.IsFalse(await loggedIn.ClosedByServer(200), "a logged-in connection may set up a session later");
        Assert.AreEqual(200, (await player.Request("OPTIONS", url)).Status, "a connection with a session stays open");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("did not arrive whole within 10 s")), "the cause is logged");

        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.IsTrue(await loggedIn.ClosedByServer(), "a connection without a session, silent for the session timeout after its answer");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("silent for 30 s without a session")), "the cause is logged");
    }

    [TestMethod]
    public async Task AConnectionWhoseRequestIsStillBeingHandledOutlastsTheRequestTimeout()
    {
        // An H.264 camera that sends nothing: DESCRIBE waits (5 s) for parameters that never come.
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"h264","Width":320,"Height":240,"Command":"exec sleep 600"},
            "Rtsp":{"RequestTimeoutSeconds":2,"SessionTimeoutSeconds":30},
            """), clock);
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/h264";
        using var client = await RtspClient.Connect(port);
        int armed = clock.ArmedTimers;
        var describe = client.Request("DESCRIBE", url);
        await Eventually.True(() => clock.ArmedTimers > armed, "DESCRIBE waits for the camera (its timer is armed)", 5000);

        clock.Advance(TimeSpan.FromSeconds(3));
        await Task.Delay(300);
        Assert.IsFalse(describe.IsCompleted, "DESCRIBE is still waiting for the camera");
        clock.Advance(TimeSpan.FromSeconds(2.5));
        var answer = await describe;

        Assert.AreEqual(503, answer.Status, "no parameters from the camera within the DESCRIBE wait");
        Assert.AreEqual(200, (await client.Request("OPTIONS", url)).Status, "the connection was kept open past the 2 s request timeout");
        Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("no request within")), "nothing was refused");
    }

    [TestMethod]
    public async Task ConnectionsBeyondMaxConnectionsAreClosedAtOnceAndTheSlotComesBack()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":320,"Height":240},"Rtsp":{"MaxSessions":1,"MaxConnections":2},
            """));
        int port = await Port(server);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        using var first = await RtspClient.Connect(port);
        Assert.AreEqual(200, (await first.Request("OPTIONS", url)).Status);
        using var second = await RtspClient.Connect(port);
        Assert.AreEqual(200, (await second.Request("OPTIONS", url)).Status);
        using var third = await RtspClient.Connect(port);
        Assert.IsTrue(await third.ClosedByServer(), "the third connection is closed");
        first.Dispose();
        await Eventually.True(async () =>
        {
            using var again = await RtspClient.Connect(port);
            try { return (await again.Request("OPTIONS", url)).Status == 200; }
            catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or OperationCanceledException)
            {
                return false;
            }
        }, "a connection once the first left", 5000);
        Assert.AreEqual(200, (await second.Request("OPTIONS", url)).Status, "the open connection is unaffected");
    }

    [TestMethod]
    public async Task UnknownPathsAreNotFoundAndACameraWithoutAnH264EncoderHasNoH264Stream()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Encoder", "none");
        int port = await Port(server);
        using var client = await RtspClient.Connect(port);
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/nothing")).Status);
        Assert.AreEqual(404, (await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{port}/h264")).Status);
        Assert.AreEqual(461,
            (await client.Request("SETUP", $"rtsp://127.0.0.1:{port}/stream/track1", headers: ("Transport", "RTP/AVP;multicast"))).Status);
    }

    [TestMethod]
    public async Task ShutdownEndsPlayingSessionsAndClosesTheirConnections()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        int port = await Port(server);
        using var client = await RtspClient.Connect(port);
        string url = $"rtsp://127.0.0.1:{port}/stream";
        var setup = await client.Request("SETUP", url + "/track1", headers: ("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"));
        await client.Request("PLAY", url, headers: ("Session", setup.Headers["Session"].Split(';')[0]));
        await client.ReadPackets(5);
        var stop = server.Stop();
        Assert.IsTrue(await client.ClosedByServer(), "the connection was not closed on shutdown");
        await stop;
    }

    internal static async Task<int> Port(EdgeServer server)
    {
        int port = 0;
        await Eventually.True(async () =>
        {
            var reply = await server.Call("state.get", new { keys = new[] { "rtsp.port" } });
            if (!reply.GetProperty("result").TryGetProperty("rtsp.port", out var value)) return false;
            port = value.GetInt32();
            return true;
        }, "the RTSP server to listen", 5000);
        return port;
    }

    internal static async Task AssertFfmpegDecodes(EdgeServer server, string path, string transport, string codec)
    {
        int port = await Port(server);
        string url = $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@127.0.0.1:{port}{path}";
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", transport, "-i", url, "-frames:v", "60", "-f", "framemd5", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
        Assert.AreEqual("", decode.Error.Trim(), "ffmpeg reported errors");
        Assert.AreEqual(60, decode.Output.Split('\n').Count(line => line.Length > 0 && !line.StartsWith('#')));
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-rtsp_transport", transport, "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
                "-of", "csv=p=0", url]);
        Assert.AreEqual($"{codec},{CameraFixtures.Width},{CameraFixtures.Height}", probe.Output.Trim(), probe.Error);
    }
}
