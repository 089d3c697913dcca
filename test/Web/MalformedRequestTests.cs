using System.Net.Sockets;
using System.Text;
using Edge.Tests.Support;

namespace Edge.Tests.Web;

/// <summary>Requests whose framing is broken (a bad chunk size) on every route, without and with a login.</summary>
[TestClass]
public sealed class MalformedRequestTests
{
    // Each route with the content type it reads, and whether it reads the body once the caller is known.
    private static readonly (string Route, string Type, bool ReadsBody)[] Routes =
    [
        ("POST /api", "application/json", true), ("POST /login", "application/x-www-form-urlencoded", false),
        ("PUT /config", "application/json", true),
        ("PUT /files/x.bin", "application/octet-stream", true), ("POST /files", "multipart/form-data; boundary=b", true),
        ("POST /onvif/device_service", "application/soap+xml", true), ("POST /onvif/media_service", "application/soap+xml", true),
        ("POST /onvif/events_service", "application/soap+xml", true), ("POST /onvif/subscription?id=x", "application/soap+xml", true),
        ("POST /whep", "application/sdp", true), ("PATCH /whep/x", "application/trickle-ice-sdpfrag", false),
        ("DELETE /whep/x", "text/plain", false), ("DELETE /recordings/x.mp4", "text/plain", false),
        ("GET /healthz", "text/plain", false), ("GET /snapshot.jpg", "text/plain", false), ("GET /", "text/plain", false),
        ("GET /live.mp4", "text/plain", false), ("GET /live", "text/plain", false), ("GET /hls/index.m3u8", "text/plain", false),
        ("GET /recordings/x.mp4", "text/plain", false), ("DELETE /files/x.bin", "text/plain", false), ("GET /api/ws", "text/plain", false),
    ];

    // A chunk size that is not hex, and one that overflows 64 bits (Kestrel reports the two differently).
    private static readonly string[] BadChunkSizes = ["zz", "10000000000000000000"];

    // One request on its own connection; the status line Edge answered (or what ended the connection).
    private static async Task<string> Send(EdgeServer server, string methodAndPath, bool login, string chunkSize,
        string type = "application/json")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.BaseUri.Host, server.BaseUri.Port);
        var stream = client.GetStream();
        string authorization = login ? $"Authorization: {EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password)}\r\n" : "";
        string request = $"{methodAndPath} HTTP/1.1\r\nHost: {server.BaseUri.Authority}\r\n{authorization}Content-Type: {type}\r\n" +
            $"Transfer-Encoding: chunked\r\n\r\n{chunkSize}\r\n{{}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read = await stream.ReadAsync(buffer, timeout.Token);
        string answer = Encoding.ASCII.GetString(buffer, 0, read);
        return answer.Length == 0 ? "(closed)" : answer[..answer.IndexOf('\r')];
    }

    [TestMethod]
    public async Task ABadChunkSizeIsA400OnEveryRouteThatReadsTheBodyAndNever5xx()
    {
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("", devicePassword: true));
        var wrong = new List<string>();
        foreach (var (route, type, readsBody) in Routes)
            foreach (bool login in new[] { false, true })
                foreach (string size in BadChunkSizes)
                {
                    string status = await Send(server, route, login, size, type);
                    // ONVIF reads the body before it knows the caller (the login is inside the SOAP).
                    bool mustBe400 = readsBody && (login || route.Contains("onvif"));
                    if (status.StartsWith("HTTP/1.1 5") || status == "(closed)" || (mustBe400 && !status.StartsWith("HTTP/1.1 400")))
                        wrong.Add($"{route} ({(login ? "logged in" : "no login")}, chunk size {size}): {status}");
                }
        Assert.IsEmpty(wrong, string.Join("\n", wrong));
        Assert.AreEqual("ok\n", await server.Http.GetStringAsync("/healthz"), "still serving");
    }

    [TestMethod]
    public async Task AHundredOfThemFromOneAddressWriteAtMostOneLogLineAndNoStackTrace()
    {
        // Without HTTPS no certificate line is written while the test counts.
        await using var server = await EdgeServer.Start(EdgeServer.ConfigWithUsers("\"Https\":{\"Enabled\":false},"));
        int before = server.Log.Lines.Count;
        for (int i = 0; i < 100; i++)
            Assert.StartsWith("HTTP/1.1 400",
                await Send(server, (i % 3) switch { 0 => "POST /api", 1 => "PUT /config", _ => "POST /onvif/device_service" }, login: true,
                    BadChunkSizes[i % 2]));
        // Start-up lines (the network read, the H.264 encoder found) come from the pool whenever they do: the
        // requests' faults are warnings (and a 500 an error), so only those are counted.
        var lines = server.Log.Lines.Skip(before).Where(l => !l.StartsWith("Information: ", StringComparison.Ordinal)).ToList();
        Assert.IsLessThanOrEqualTo(1, lines.Count, string.Join("\n", lines));
        Assert.IsFalse(lines.Any(l => l.Contains(" at ")), "no stack trace");
    }
}
