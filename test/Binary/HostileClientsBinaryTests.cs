using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// Hostile clients over the wire against the published binary: each is refused the way the protocol
/// says (a status, a close), and a well-behaved client is served throughout.
/// </summary>
[TestClass]
public sealed class HostileClientsBinaryTests
{
    private string _data = null!;

    [ClassInitialize]
    public static Task Publish(TestContext _) => PublishedBinary.Ensure();

    [TestInitialize]
    public void MakeDataDir() => _data = Directory.CreateTempSubdirectory("edge-hostile-").FullName;

    [TestCleanup]
    public void DeleteDataDir() => Directory.Delete(_data, recursive: true);

    private Task<EdgeProcess> Start(params string[] args) => EdgeProcess.Start(["--data-dir", _data, "--Auth:Enabled", "false", .. args]);

    private static async Task AssertServes(EdgeProcess edge, string when)
    {
        using var http = new HttpClient { BaseAddress = edge.BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        Assert.AreEqual("ok\n", await http.GetStringAsync("/healthz"), when);
    }

    private static async Task<string> RawExchange(Uri server, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadLineAsync(timeout.Token) ?? "";
    }

    [TestMethod]
    public async Task OversizedHeadersGet431AndAnOversizedRequestLine414()
    {
        await using var edge = await Start();
        string header = $"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: {new string('a', 64 * 1024)}\r\n\r\n";
        StringAssert.StartsWith(await RawExchange(edge.BaseUri, Encoding.ASCII.GetBytes(header)), "HTTP/1.1 431");
        string line = $"GET /{new string('a', 64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n";
        StringAssert.StartsWith(await RawExchange(edge.BaseUri, Encoding.ASCII.GetBytes(line)), "HTTP/1.1 414");
        await AssertServes(edge, "after oversized requests");
    }

    [TestMethod]
    public async Task GarbageOnTheHttpsPortIsDroppedAndHttpsStillHandshakes()
    {
        await using var edge = await Start();
        var https = edge.HttpsUri;
        var random = new Random(20261202);
        for (int i = 0; i < 20; i++)
        {
            byte[] garbage = new byte[random.Next(1, 8192)];
            random.NextBytes(garbage);
            if (i % 2 == 0) garbage[0] = 0x16; // looks like a TLS handshake record, then is not one
            using var client = new TcpClient();
            await client.ConnectAsync(https.Host, https.Port);
            var stream = client.GetStream();
            try
            {
                await stream.WriteAsync(garbage);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var buffer = new byte[4096];
                // The server answers with at most an alert, then closes.
                while (await stream.ReadAsync(buffer, timeout.Token) > 0) { }
            }
            catch (IOException)
            {
                // A reset is a close too.
            }
        }
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        Assert.AreEqual("ok\n", await http.GetStringAsync(new Uri(https, "/healthz")));
        await AssertServes(edge, "after TLS garbage");
    }

    [TestMethod]
    public async Task TwoHundredHalfOpenConnectionsDoNotKeepOthersWaiting()
    {
        await using var edge = await Start();
        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(edge.BaseUri.Host, edge.BaseUri.Port);
                // Half a request line, then nothing: slowloris's opening.
                await client.GetStream().WriteAsync("GET /healthz HT"u8.ToArray());
                idle.Add(client);
            }
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 20; i++) await AssertServes(edge, "with 200 half-open connections");
            Assert.IsLessThan(TimeSpan.FromSeconds(2), watch.Elapsed, "20 requests beside 200 stalled connections");
        }
        finally
        {
            foreach (var client in idle) client.Dispose();
        }
    }

    [TestMethod]
    public async Task TenTimesTheWebSocketLimitAtOnceGetsTheLimitAnd503sAndTheSlotsComeBack()
    {
        const int limit = 10;
        await using var edge = await Start("--WebSocket:MaxClients", limit.ToString());
        var uri = new UriBuilder(edge.BaseUri) { Scheme = "ws", Path = "/api" }.Uri;
        var sockets = Enumerable.Range(0, 10 * limit).Select(_ => new ClientWebSocket()).ToList();
        try
        {
            var attempts = sockets.Select(async socket =>
            {
                socket.Options.CollectHttpResponseDetails = true;
                try
                {
                    await socket.ConnectAsync(uri, CancellationToken.None);
                    return HttpStatusCode.SwitchingProtocols;
                }
                catch (WebSocketException)
                {
                    return socket.HttpStatusCode;
                }
            }).ToList();
            var results = await Task.WhenAll(attempts);
            Assert.AreEqual(limit, results.Count(r => r == HttpStatusCode.SwitchingProtocols), string.Join(", ", results));
            Assert.AreEqual(9 * limit, results.Count(r => r == HttpStatusCode.ServiceUnavailable), string.Join(", ", results));
            await AssertServes(edge, "at the WebSocket limit");
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
        // Aborted sessions free their slots: a new client gets in.
        await Eventually.True(async () =>
        {
            using var again = new ClientWebSocket();
            try
            {
                await again.ConnectAsync(uri, CancellationToken.None);
                return true;
            }
            catch (WebSocketException)
            {
                return false;
            }
        }, "a slot after the others left");
    }
}
