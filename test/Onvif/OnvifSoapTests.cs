using System.Net;
using Edge.Tests.Camera;
using Edge.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Edge.Tests.Onvif;

/// <summary>Edge's ONVIF device and media services, spoken to in raw SOAP.</summary>
[TestClass]
public sealed class OnvifSoapTests
{
    private static Task<EdgeServer> Start() => EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera, devicePassword: true));

    private static string Now(string operation, string ns = Soap.Device, string content = "")
        => Soap.Envelope(Soap.Operation(operation, ns, content),
            Soap.DigestToken(EdgeServer.User, EdgeServer.Password, DateTimeOffset.UtcNow));

    [TestMethod]
    public async Task GetSystemDateAndTimeNeedsNoCredentials()
    {
        await using var server = await Start();
        var (status, body, response) = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetSystemDateAndTime")));
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        Assert.AreEqual("application/soap+xml", response.Content.Headers.ContentType?.MediaType);
        StringAssert.Contains(body, "<tt:UTCDateTime>");
        StringAssert.Contains(body, $"<tt:Year>{DateTime.UtcNow.Year}</tt:Year>");
    }

    [TestMethod]
    public async Task GetDeviceInformationWithoutCredentialsIsNotAuthorizedWithoutAChallenge()
    {
        await using var server = await Start();
        var (status, body, response) = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetDeviceInformation")));
        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        StringAssert.Contains(body, "ter:NotAuthorized");
        Assert.IsFalse(response.Headers.Contains("WWW-Authenticate"), "a challenge would switch ONVIF clients to HTTP Digest");
    }

    [TestMethod]
    public async Task APasswordDigestWorksOnceAndItsNonceCannotBeReplayed()
    {
        await using var server = await Start();
        string request = Now("GetDeviceInformation");
        var (status, body, _) = await Soap.Post(server, request);
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        StringAssert.Contains(body, "<tds:Manufacturer>Edge</tds:Manufacturer>");
        StringAssert.Contains(body, $"<tds:FirmwareVersion>{Program.Version}</tds:FirmwareVersion>");

        var replay = await Soap.Post(server, request);
        Assert.AreEqual(HttpStatusCode.BadRequest, replay.Status);
        StringAssert.Contains(replay.Body, "ter:NotAuthorized");
        Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("Authentication failed for user admin")),
            "the replay is logged as a failed login");
    }

    [TestMethod]
    public async Task ACreatedTimeTenMinutesOffOrAWrongPasswordIsRefused()
    {
        await using var server = await Start();
        foreach (var minutes in new[] { -10, 10 })
        {
            string late = Soap.Envelope(Soap.Operation("GetDeviceInformation"),
                Soap.DigestToken(EdgeServer.User, EdgeServer.Password, DateTimeOffset.UtcNow.AddMinutes(minutes)));
            var (status, body, _) = await Soap.Post(server, late);
            Assert.AreEqual(HttpStatusCode.BadRequest, status);
            StringAssert.Contains(body, "ter:NotAuthorized");
        }
        string wrong = Soap.Envelope(Soap.Operation("GetDeviceInformation"),
            Soap.DigestToken(EdgeServer.User, "wrong", DateTimeOffset.UtcNow));
        Assert.AreEqual(HttpStatusCode.BadRequest, (await Soap.Post(server, wrong)).Status);
    }

    [TestMethod]
    public async Task PasswordTextAndHttpBasicAreAcceptedToo()
    {
        await using var server = await Start();
        var text = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetUsers"), Soap.TextToken(EdgeServer.User, EdgeServer.Password)));
        Assert.AreEqual(HttpStatusCode.OK, text.Status, text.Body);
        StringAssert.Contains(text.Body, "<tt:Username>admin</tt:Username>");
        var basic = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media)), "/onvif/media_service", server.Http);
        Assert.AreEqual(HttpStatusCode.OK, basic.Status, basic.Body);
        StringAssert.Contains(basic.Body, "token=\"profile_jpeg\"");
    }

    [TestMethod]
    public async Task AUserWithoutADevicePasswordLogsInWithPasswordTextAndItsDigestTriesAreNotFailedLogins()
    {
        // The user has only the hash plain `edge passwd` prints.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers(Soap.TestPatternCamera));
        var text = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media), Soap.TextToken(EdgeServer.User, EdgeServer.Password)),
            "/onvif/media_service");
        Assert.AreEqual(HttpStatusCode.OK, text.Status, text.Body);
        var wrongText = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media), Soap.TextToken(EdgeServer.User, "wrong")), "/onvif/media_service");
        StringAssert.Contains(wrongText.Body, "ter:NotAuthorized");
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("Authentication failed")), "a wrong PasswordText is a failed login");

        // PasswordDigest cannot be checked without the password: refused, saying why, never counted.
        for (int i = 0; i < 10; i++)
        {
            var digest = await Soap.Post(server, Now("GetDeviceInformation"));
            Assert.AreEqual(HttpStatusCode.BadRequest, digest.Status, digest.Body);
            StringAssert.Contains(digest.Body, "has no DevicePassword");
        }
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("Authentication failed")), string.Join("\n", server.Log.Lines));
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("without a DevicePassword")), "said once");
        var after = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media), Soap.TextToken(EdgeServer.User, EdgeServer.Password)),
            "/onvif/media_service");
        Assert.AreEqual(HttpStatusCode.OK, after.Status, "not locked out: " + after.Body);
    }

    [TestMethod]
    public async Task OneAddressGetsItsRequestsPerSecondAndAnotherAddressIsStillServed()
    {
        var clock = new ManualClock();
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Onvif\":{\"RequestsPerSecondPerAddress\":10},"),
            clock);
        string request = Soap.Envelope(Soap.Operation("GetSystemDateAndTime"));
        int Count(IEnumerable<HttpStatusCode> statuses, HttpStatusCode status) => statuses.Count(s => s == status);
        var first = new List<HttpStatusCode>();
        for (int i = 0; i < 50; i++) first.Add((await Soap.Post(server, request)).Status);
        // Time stands still: the burst (twice the rate) and no more.
        Assert.AreEqual(20, Count(first, HttpStatusCode.OK), string.Join(",", first));
        Assert.AreEqual(30, Count(first, HttpStatusCode.TooManyRequests));
        var refused = await Soap.Post(server, request);
        Assert.AreEqual("1", refused.Response.Headers.RetryAfter?.ToString());
        StringAssert.Contains(refused.Body, "Too many requests from this address");

        // Another address (the loopback network is all ours) is served meanwhile.
        var fromOtherAddress = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var other = new HttpClient(fromOtherAddress) { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.OK, (await Soap.Post(server, request, client: other)).Status);

        clock.Advance(TimeSpan.FromSeconds(1));
        var second = new List<HttpStatusCode>();
        for (int i = 0; i < 15; i++) second.Add((await Soap.Post(server, request)).Status);
        Assert.AreEqual(10, Count(second, HttpStatusCode.OK), "a second later, a second's worth");
        Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("RequestsPerSecondPerAddress")), "logged once");
    }

    [TestMethod]
    public async Task ADtdOrBillionLaughsIsRefusedAndTheServerKeepsServing()
    {
        await using var server = await Start();
        string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
            <s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl"><x>&lol9;</x></GetHostname></s:Body></s:Envelope>
            """;
        string external = """<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]>""" +
            """<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>""" +
            """<GetHostname xmlns="http://www.onvif.org/ver10/device/wsdl">&e;</GetHostname></s:Body></s:Envelope>""";
        foreach (var xml in new[] { laughs, external })
        {
            var (status, body, _) = await Soap.Post(server, xml);
            Assert.AreEqual(HttpStatusCode.BadRequest, status);
            StringAssert.Contains(body, "<s:Value>s:Sender</s:Value>");
            Assert.IsFalse(body.Contains("root:"), "an external entity was read");
        }
        Assert.AreEqual(HttpStatusCode.OK, (await Soap.Post(server, Soap.Envelope(Soap.Operation("GetSystemDateAndTime")))).Status);
    }

    [TestMethod]
    public async Task ATenMegabyteBodyGets413()
    {
        await using var server = await Start();
        string huge = Soap.Envelope(Soap.Operation("GetHostname", content: $"<x>{new string('x', 10 << 20)}</x>"));
        var (status, _, _) = await Soap.Post(server, huge);
        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.AreEqual(HttpStatusCode.OK, (await Soap.Post(server, Soap.Envelope(Soap.Operation("GetSystemDateAndTime")))).Status);
    }

    [TestMethod]
    public async Task MalformedXmlAWrongEnvelopeNamespaceAndDeepNestingAreSenderFaults()
    {
        await using var server = await Start();
        string deep = string.Concat(Enumerable.Repeat("<a>", 100)) + string.Concat(Enumerable.Repeat("</a>", 100));
        foreach (var xml in new[]
        {
            "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><GetHostname",
            Soap.Envelope(Soap.Operation("GetSystemDateAndTime"), envelopeNamespace: "http://schemas.xmlsoap.org/soap/envelope/"),
            Soap.Envelope(Soap.Operation("GetSystemDateAndTime", content: deep)),
            Soap.Envelope(""),
        })
        {
            var (status, body, _) = await Soap.Post(server, xml);
            Assert.AreEqual(HttpStatusCode.BadRequest, status, xml);
            StringAssert.Contains(body, "<s:Value>s:Sender</s:Value>");
        }
    }

    [TestMethod]
    public async Task AnUnknownOperationIsActionNotSupported()
    {
        await using var server = await Start();
        var (status, body, _) = await Soap.Post(server, Now("SetSystemFactoryDefault"));
        Assert.AreEqual(HttpStatusCode.BadRequest, status);
        StringAssert.Contains(body, "ter:ActionNotSupported");
        var other = await Soap.Post(server, Now("GetStatus", "http://www.onvif.org/ver20/ptz/wsdl"));
        StringAssert.Contains(other.Body, "ter:ActionNotSupported");
    }

    [TestMethod]
    public async Task ServicesAndMediaAnswersNameTheAddressTheClientUsed()
    {
        await using var server = await Start();
        int rtspPort = await Edge.Tests.Streaming.RtspTests.Port(server);
        string authority = server.BaseUri.Authority;
        var services = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetServices", content: "<IncludeCapability>true</IncludeCapability>")));
        StringAssert.Contains(services.Body, $"<tds:XAddr>http://{authority}/onvif/media_service</tds:XAddr>");
        StringAssert.Contains(services.Body, "SnapshotUri=\"true\"");

        var uri = await Soap.Post(server,
            Now("GetStreamUri", Soap.Media,
                """<StreamSetup><Stream xmlns="http://www.onvif.org/ver10/schema">RTP-Unicast</Stream>""" +
                """<Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>RTSP</Protocol></Transport></StreamSetup>""" +
                """<ProfileToken>profile_jpeg</ProfileToken>"""));
        Assert.AreEqual(HttpStatusCode.OK, uri.Status, uri.Body);
        StringAssert.Contains(uri.Body, $"<tt:Uri>rtsp://127.0.0.1:{rtspPort}/stream</tt:Uri>");
        var http = await Soap.Post(server,
            Now("GetStreamUri", Soap.Media,
                """<StreamSetup><Transport xmlns="http://www.onvif.org/ver10/schema"><Protocol>HTTP</Protocol></Transport>""" +
                """</StreamSetup><ProfileToken>profile_jpeg</ProfileToken>"""));
        StringAssert.Contains(http.Body, $"<tt:Uri>http://{authority}/stream.mjpg</tt:Uri>");
        var noProfile = await Soap.Post(server, Now("GetProfile", Soap.Media, "<ProfileToken>nope</ProfileToken>"));
        Assert.AreEqual(HttpStatusCode.BadRequest, noProfile.Status);
        StringAssert.Contains(noProfile.Body, "ter:NoProfile");

        var options = await Soap.Post(server,
            Now("GetVideoEncoderConfigurationOptions", Soap.Media, "<ProfileToken>profile_jpeg</ProfileToken>"));
        Assert.AreEqual(HttpStatusCode.OK, options.Status, options.Body);
        StringAssert.Contains(options.Body, "<tt:QualityRange>");
        StringAssert.Contains(options.Body, "<tt:Width>320</tt:Width>");
        var protocols = await Soap.Post(server, Now("GetNetworkProtocols"));
        StringAssert.Contains(protocols.Body, $"<tt:Port>{rtspPort}</tt:Port>");
        var interfaces = await Soap.Post(server, Now("GetNetworkInterfaces"));
        Assert.AreEqual(HttpStatusCode.OK, interfaces.Status, interfaces.Body);
    }

    [TestMethod]
    public async Task ProfileTokensAndTheSerialNumberStayTheSameAcrossRestarts()
    {
        string dataDir = Path.Combine(Directory.CreateTempSubdirectory("edge-onvif-").FullName, "data");
        var seen = new List<(string Profiles, string Serial)>();
        for (int i = 0; i < 2; i++)
        {
            await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("", devicePassword: true), null, "--data-dir",
                dataDir);
            var profiles = await Soap.Post(server, Now("GetProfiles", Soap.Media), "/onvif/media_service");
            var info = await Soap.Post(server, Now("GetDeviceInformation"));
            string tokens = string.Join(",", profiles.Body.Split("token=\"").Skip(1).Select(t => t[..t.IndexOf('"')]));
            seen.Add((tokens, info.Body.Split("<tds:SerialNumber>")[1].Split('<')[0]));
        }
        Directory.Delete(Path.GetDirectoryName(dataDir)!, recursive: true);
        Assert.AreEqual(seen[0], seen[1]);
        StringAssert.Contains(seen[0].Profiles, "profile_jpeg");
        Assert.AreEqual(16, seen[0].Serial.Length);
    }

    [TestMethod]
    public async Task AFreshInstallAnswersWsSecurityWithTheGeneratedAdminPassword()
    {
        await using var server = await EdgeServer.Start("{}");
        string password = server.Log.Lines.Single(l => l.Contains("created user 'admin'")).Split("password '")[1].Split('\'')[0];
        string request = Soap.Envelope(Soap.Operation("GetDeviceInformation"), Soap.DigestToken("admin", password, DateTimeOffset.UtcNow));
        var (status, body, _) = await Soap.Post(server, request);
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        StringAssert.Contains(File.ReadAllText(Path.Combine(server.DataDir, Edge.Auth.FirstStartAdmin.FileName)), password);
    }

    [TestMethod]
    public async Task AnH264CameraHasItsH264ProfileFirstWithTheSizeAndRateItReallySendsThenJpegDecodedFromIt()
    {
        // The settings ask for 1280×720 at 30 fps; the camera (a pipe) sends 640×480 at 25.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("""
            "Camera":{"Source":"pipe","Format":"h264","Width":1280,"Height":720,"Fps":30,
              "Command":"exec ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=640x480:rate=25 -pix_fmt yuv420p -c:v libx264 -tune zerolatency -g 25 -f h264 -flush_packets 1 -"},
            """));
        int rtspPort = await Edge.Tests.Streaming.RtspTests.Port(server);
        // Four seconds of watching let Edge see the size (SPS) and measure the rate past ffmpeg's starting burst.
        var watch = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i",
                $"rtsp://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@127.0.0.1:{rtspPort}/h264", "-frames:v", "100", "-f",
                "null", "-"]);
        Assert.AreEqual(0, watch.ExitCode, watch.Error);

        var profiles = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetProfiles", Soap.Media)), "/onvif/media_service",
            server.Http);
        var tokens = System.Text.RegularExpressions.Regex.Matches(profiles.Body, "<trt:Profiles token=\"([a-z0-9_]+)\"")
            .Select(m => m.Groups[1].Value).ToList();
        CollectionAssert.AreEqual(new[] { "profile_h264", "profile_jpeg" }, tokens, profiles.Body);
        StringAssert.Contains(profiles.Body, "<tt:Encoding>H264</tt:Encoding>");
        StringAssert.Contains(profiles.Body, "<tt:Resolution><tt:Width>640</tt:Width><tt:Height>480</tt:Height></tt:Resolution>");
        StringAssert.Contains(profiles.Body, "<tt:FrameRateLimit>25</tt:FrameRateLimit>");
        var sources = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetVideoSources", Soap.Media)), "/onvif/media_service",
            server.Http);
        StringAssert.Contains(sources.Body, "<tt:Framerate>25</tt:Framerate>");
        // JPEG is decoded from the camera's H.264 (OpenH264): its profile streams from /stream.
        var jpeg = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetStreamUri", Soap.Media, "<ProfileToken>profile_jpeg</ProfileToken>")), "/onvif/media_service",
            server.Http);
        StringAssert.Contains(jpeg.Body, $"<tt:Uri>rtsp://127.0.0.1:{rtspPort}/stream</tt:Uri>");
        var uri = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetStreamUri", Soap.Media, "<ProfileToken>profile_h264</ProfileToken>")), "/onvif/media_service",
            server.Http);
        StringAssert.Contains(uri.Body, $"<tt:Uri>rtsp://127.0.0.1:{rtspPort}/h264</tt:Uri>");
        using (var client = await RtspClient.Connect(rtspPort))
        {
            var describe = await client.Request("DESCRIBE", $"rtsp://127.0.0.1:{rtspPort}/h264");
            StringAssert.Contains(describe.Body, "a=framerate:25\r\n");
        }
        // Snapshots too, of the size the camera sends.
        var snapshot = await Soap.Post(server,
            Soap.Envelope(Soap.Operation("GetSnapshotUri", Soap.Media, "<ProfileToken>profile_h264</ProfileToken>")),
            "/onvif/media_service", server.Http);
        StringAssert.Contains(snapshot.Body, "/snapshot.jpg</tt:Uri>");
        using var picture = await server.Http.GetAsync("/snapshot.jpg");
        Assert.AreEqual(HttpStatusCode.OK, picture.StatusCode);
        string file = Path.Combine(server.DataDir, "snapshot.jpg");
        await File.WriteAllBytesAsync(file, await picture.Content.ReadAsByteArrayAsync());
        var size = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", file]);
        Assert.AreEqual("640,480", size.Output.Trim(), size.Error);
        var capabilities = await Soap.Post(server, Soap.Envelope(Soap.Operation("GetServiceCapabilities", Soap.Media)),
            "/onvif/media_service", server.Http);
        StringAssert.Contains(capabilities.Body, "SnapshotUri=\"true\"");
    }

    [TestMethod]
    public void AnEmptyDevicePasswordIsAConfigurationError()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:Users:0:Name"] = "nvr",
            ["Auth:Users:0:PasswordHash"] = Edge.Auth.PasswordHash.Create("secret", 1000),
            ["Auth:Users:0:DevicePassword"] = "",
        }).Build();
        var error = Assert.ThrowsExactly<Edge.Hosting.ConfigException>(() => Edge.Hosting.SettingsLoader.Load(configuration));
        StringAssert.Contains(error.Message, "Auth:Users:0:DevicePassword");
    }

    [TestMethod]
    public async Task SystemRebootAnswersAndThenAsksTheHostToStop()
    {
        await using var server = await Start();
        var (status, body, _) = await Soap.Post(server, Now("SystemReboot"));
        Assert.AreEqual(HttpStatusCode.OK, status, body);
        StringAssert.Contains(body, "init system");
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("ONVIF SystemReboot: stopping")), "the stop after the answer");
    }
}
