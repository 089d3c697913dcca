using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Edge.Hosting;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// The native AOT binary as users run it (<see cref="PublishedBinary"/>).
/// </summary>
[TestClass]
public sealed class PublishedBinaryTests
{
    private static ScratchFolder _dir = null!;

    [ClassInitialize]
    public static async Task Publish(TestContext _)
    {
        await PublishedBinary.Ensure();
        _dir = new ScratchFolder("edge-binary-");
    }

    [ClassCleanup]
    public static void Cleanup() => _dir.Dispose();

    private static string Config(string json) => _dir.NewConfig(json);

    private static string DataDir() => _dir.NewPath("data");

    [TestMethod]
    public async Task TheBinaryServesHealthAndWebSocketPingAndExitsZeroOnSigtermClosingClientsWith1001()
    {
        await using var edge = await EdgeProcess.Start("--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        Assert.AreEqual("ok\n", await http.GetStringAsync("/healthz"));
        using var api = await edge.ConnectAsTestUser();
        Assert.AreEqual("pong", (await api.Call("ping")).GetProperty("result").GetString());

        var stopwatch = Stopwatch.StartNew();
        await edge.Signal("TERM");
        Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, await api.ReceiveClose());
        await api.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(5)));
        Assert.IsLessThan(5000, stopwatch.ElapsedMilliseconds);
    }

    [TestMethod]
    [TestCategory(EdgeProcess.NativeOnly)] // qemu-user does not pass PR_SET_THP_DISABLE on; the arm64 VM test checks it
    public async Task TheProcessRunsWithTransparentHugePagesOff()
    {
        await using var edge = await EdgeProcess.Start("--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        // PR_SET_THP_DISABLE, as /proc shows it (Linux 5.0 and later): 0 means never huge pages.
        string status = File.ReadAllText($"/proc/{edge.Pid}/status");
        StringAssert.Contains(status, "THP_enabled:\t0\n", status);
    }

    [TestMethod]
    public async Task SigintAlsoStopsItWithExitCodeZero()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Interrupt, "SIGINT");
        await using var edge = await EdgeProcess.Start("--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        await edge.Signal("INT");
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(5)));
    }

    [TestMethod]
    public async Task LogLinesCarrySyslogPrioritiesWhenOutputIsAPipe()
    {
        await using var edge = await EdgeProcess.Start("--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        Assert.IsTrue(edge.Stdout.Any(l => l.StartsWith("<6>") && l.Contains("listening on")), string.Join("\n", edge.Stdout));
        Assert.IsTrue(edge.Stdout.All(l => l.StartsWith('<')), "every line has a priority");
    }

    [TestMethod]
    public async Task AFreshInstallLogsItsGeneratedAdminPasswordAndThatPasswordWorks()
    {
        await using var edge = await EdgeProcess.Start("--config", Config("{}"), "--data-dir", DataDir());
        string line = edge.Stderr.Single(l => l.Contains("created user 'admin'"));
        StringAssert.StartsWith(line, "<4>");
        string password = line.Split("password '")[1].Split('\'')[0];
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("admin", password);
        var reply = await http.PostAsync("/api", new StringContent("""{"id":1,"method":"ping"}""", Encoding.UTF8, "application/json"));
        Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode);
    }

    [TestMethod]
    public async Task VersionHelpAndCheckConfigAnswerAndExit()
    {
        var version = await EdgeProcess.Run(null, "--version");
        Assert.AreEqual(0, version.Code);
        StringAssert.StartsWith(version.Stdout, $"edge {Program.Version}");
        var help = await EdgeProcess.Run(null, "--help");
        Assert.AreEqual(0, help.Code);
        StringAssert.Contains(help.Stdout, "Usage: edge");
        var valid = await EdgeProcess.Run(null, "--config", Config(EdgeServer.DefaultConfig), "--check-config");
        Assert.AreEqual(0, valid.Code, valid.Stderr);
        var invalid = await EdgeProcess.Run(null, "--config", Config("""{"WebSocket":{"MaxClients":"many"}}"""), "--check-config");
        Assert.AreEqual(2, invalid.Code);
        StringAssert.Contains(invalid.Stderr, "WebSocket:MaxClients");
        var startInvalid = await EdgeProcess.Run(null, "--config", Config("""{"Auth":{"Users":[{"Name":"a","PasswordHash":"x"}]}}"""),
            "--data-dir", DataDir());
        Assert.AreEqual(2, startInvalid.Code, "starting with an invalid configuration exits 2 too");
        StringAssert.Contains(startInvalid.Stderr, "Auth:Users:0:PasswordHash");
    }

    [TestMethod]
    public async Task APortInUseExitsWithCode1AndSaysWhy()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var run = await EdgeProcess.Run(null, "--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir(), "--urls",
            $"http://127.0.0.1:{port}", "--Https:Port", "0");
        Assert.AreEqual(1, run.Code);
        StringAssert.Contains(run.Stderr, "edge: cannot run:");
        StringAssert.Contains(run.Stderr, port.ToString());
    }

    [TestMethod]
    public async Task PasswdPrintsAHashThatTheServerAccepts()
    {
        var passwd = await EdgeProcess.Run("s3cret pass\n", "passwd");
        Assert.AreEqual(0, passwd.Code, passwd.Stderr);
        string hash = passwd.Stdout.Trim();
        StringAssert.StartsWith(hash, "$pbkdf2-sha256$i=");
        Assert.AreEqual(2, (await EdgeProcess.Run("", "passwd")).Code, "an empty password is refused");
        var digest = await EdgeProcess.Run("s3cret pass\n", "passwd", "--digest", "ops");
        Assert.AreEqual(0, digest.Code, digest.Stderr);
        Assert.AreEqual(Edge.Auth.DigestAuth.Hash("ops", "s3cret pass"), digest.Stdout.Trim());
        Assert.AreEqual(2, (await EdgeProcess.Run("x\n", "passwd", "--digest")).Code, "--digest needs a name");

        string config = $$$"""{"Auth":{"Users":[{"Name":"ops","PasswordHash":"{{{hash}}}"}]}}""";
        await using var edge = await EdgeProcess.Start("--config", Config(config), "--data-dir", DataDir());
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("ops", "s3cret pass");
        var reply = await http.PostAsync("/api", new StringContent("""{"id":1,"method":"ping"}""", Encoding.UTF8, "application/json"));
        Assert.AreEqual(HttpStatusCode.OK, reply.StatusCode);
    }

    [TestMethod]
    public async Task PasswdUserPrintsAnEntryThatWorksForTheApiRtspDigestAndOnvifWithItsRole()
    {
        // The README's way to make users: paste what `edge passwd --user` prints, nothing else.
        var viewer = await EdgeProcess.Run("nvr pass\n", "passwd", "--user", "nvr", "--role", "viewer");
        Assert.AreEqual(0, viewer.Code, viewer.Stderr);
        var admin = await EdgeProcess.Run("boss pass\n", "passwd", "--user", "boss");
        Assert.AreEqual(0, admin.Code, admin.Stderr);
        using (var entry = System.Text.Json.JsonDocument.Parse(viewer.Stdout))
        {
            Assert.AreEqual("viewer", entry.RootElement.GetProperty("Role").GetString());
            Assert.AreEqual(Edge.Auth.DigestAuth.Hash("nvr", "nvr pass"), entry.RootElement.GetProperty("DigestHash").GetString());
        }
        Assert.AreEqual(2, (await EdgeProcess.Run("x\n", "passwd", "--user", "nvr", "--role", "root")).Code, "an unknown role is refused");

        string config = $$$"""{"Camera":{"Source":"testpattern","Width":320,"Height":240,"Fps":10},"Auth":""" +
            $$$"""{"Users":[{{{viewer.Stdout.Trim()}}},{{{admin.Stdout.Trim()}}}]}}""";
        await using var edge = await EdgeProcess.Start("--config", Config(config), "--data-dir", DataDir());
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth("nvr", "nvr pass");
        async Task<string> Call(string body)
            => await (await http.PostAsync("/api", new StringContent(body, Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        StringAssert.Contains(await Call("""{"id":1,"method":"ping"}"""), "\"result\"");
        StringAssert.Contains(await Call("""{"id":1,"method":"camera.set","params":{"fps":5}}"""), "camera.set needs the operator role.");
        string state = await Call("""{"id":1,"method":"state.get","params":{"keys":["rtsp.port"]}}""");
        int port = int.Parse(Regex.Match(state, "\"rtsp.port\":(\\d+)").Groups[1].Value);

        // Every user has a DigestHash, so Digest is offered, and ffmpeg answers with it.
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", $"rtsp://nvr:nvr%20pass@127.0.0.1:{port}/stream", "-frames:v", "5",
                "-f", "null", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);

        // ONVIF WS-Security PasswordDigest, as Home Assistant and NVRs send it.
        string soap = Edge.Tests.Onvif.Soap.Envelope(Edge.Tests.Onvif.Soap.Operation("GetProfiles", Edge.Tests.Onvif.Soap.Media),
            Edge.Tests.Onvif.Soap.DigestToken("nvr", "nvr pass", DateTimeOffset.UtcNow));
        using var anonymous = new HttpClient { BaseAddress = edge.BaseUri };
        var content = new StringContent(soap, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/soap+xml; charset=utf-8");
        using var onvif = await anonymous.PostAsync("/onvif/media_service", content);
        Assert.AreEqual(HttpStatusCode.OK, onvif.StatusCode, await onvif.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task SighupReloadsTheConfigurationFile()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Hangup, "SIGHUP");
        string config = Config(EdgeServer.DefaultConfig);
        await using var edge = await EdgeProcess.Start("--config", config, "--data-dir", DataDir());
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:x")));
        var ping = () => http.PostAsync("/api", new StringContent("""{"id":1,"method":"ping"}""", Encoding.UTF8, "application/json"));
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await ping()).StatusCode);
        File.WriteAllText(config, """{"Auth":{"Enabled":false}}""");
        await edge.Signal("HUP");
        await Eventually.True(() => edge.Stdout.Any(l => l.Contains("Configuration reloaded")), "reload logged");
        Assert.AreEqual(HttpStatusCode.OK, (await ping()).StatusCode, "auth is now off");
        await edge.Signal("TERM");
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(5)));
    }

    [TestMethod]
    [TestCategory(EdgeProcess.NativeOnly)] // qemu-user handles every signal itself: /proc/self/status lists none ignored
    public async Task UnderNohupSighupIsIgnoredAndTheStartSaysHowToReloadInstead()
    {
        await using var edge = await EdgeProcess.StartUnder("nohup", "--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        await Eventually.True(() => edge.Stderr.Concat(edge.Stdout).Any(l => l.Contains("SIGHUP is ignored") && l.Contains("PUT /config")),
            "the warning at start");
        await edge.Signal("HUP");
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        Assert.AreEqual("ok\n", await http.GetStringAsync("/healthz"), "still serving");
        Assert.IsFalse(edge.Stdout.Any(l => l.Contains("Configuration reloaded")), "nohup asked for hangups to be ignored");
        await edge.Signal("TERM");
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(5)));
    }

    [TestMethod]
    public async Task TheBinaryEncodesWithItsOwnLibjpegTurboAndServesMjpegAndSnapshotsThatFfmpegDecodes()
    {
        // libturbojpeg is linked in: a board needs nothing but its C library (readelf reads either architecture).
        var dynamic = await Tools.Run("readelf", ["-d", EdgeProcess.BinaryPath]);
        var needed = dynamic.Output.Split('\n').Where(l => l.Contains("(NEEDED)")).Select(l => l[(l.IndexOf('[') + 1)..l.IndexOf(']')])
            .Order(StringComparer.Ordinal).ToArray();
        Assert.AreEqual("libc.so.6 libm.so.6", string.Join(' ', needed.Skip(1)), dynamic.Output);
        StringAssert.Matches(needed[0], new Regex(@"^ld-linux-(x86-64|aarch64)\.so\.[12]$"));

        // The default camera is the test pattern (Edge encodes it), here at a test-friendly size.
        string config = EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":640,"Height":360,"Fps":25},
            """);
        await using var edge = await EdgeProcess.Start("--config", Config(config), "--data-dir", DataDir());
        string url = $"http://{EdgeServer.User}:{Uri.EscapeDataString(EdgeServer.Password)}@{edge.BaseUri.Authority}";
        var decode = await Tools.Run("ffmpeg",
            ["-nostdin", "-v", "error", "-f", "mpjpeg", "-i", url + "/stream.mjpg", "-frames:v", "60", "-f", "null", "-"]);
        Assert.AreEqual(0, decode.ExitCode, decode.Error);
        Assert.AreEqual("", decode.Error.Trim());
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", url + "/snapshot.jpg"]);
        Assert.AreEqual("mjpeg,640,360", probe.Output.Trim(), probe.Error);
    }

    [TestMethod]
    public async Task TheUiIsServedPrecompressedWithAnETagAndRevalidates()
    {
        await using var edge = await EdgeProcess.Start("--config", Config(EdgeServer.DefaultConfig), "--data-dir", DataDir());
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        using var page = await http.GetAsync("/");
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.AreEqual("text/html", page.Content.Headers.ContentType!.MediaType);
        var etag = page.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.AreEqual(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
        // The build's brotli and gzip files are in the binary: the whole first load as a browser gets it.
        var (_, assets, bytes) = await Web.StaticUiTests.FirstLoad(http);
        Assert.IsTrue(assets.Count >= 8 && bytes <= 100 * 1024, $"{assets.Count} files, {bytes} bytes");
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync("/../Edge.csproj")).StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync("/%2e%2e/%2e%2e/etc/passwd")).StatusCode);
    }
}
