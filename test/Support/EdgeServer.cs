using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Edge.Hosting;
using Edge.Auth;
using Microsoft.Extensions.Logging;

namespace Edge.Tests.Support;

/// <summary>A real Edge (the composition root of the product) on 127.0.0.1 with an ephemeral port.</summary>
public sealed class EdgeServer : IAsyncDisposable
{
    public const string User = "admin";
    public const string Password = "correct horse";
    // Few iterations keep tests fast; the format and the check are the production ones.
    private static readonly string Hash = PasswordHash.Create(Password, 1000);

    private readonly EdgeHost _host;
    private bool _stopped;

    private EdgeServer(EdgeHost host, string dataDir, TestLog log)
    {
        _host = host;
        DataDir = dataDir;
        Log = log;
        BaseUri = host.Urls[0];
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = BasicAuth(User, Password);
    }

    public Uri BaseUri { get; }

    public Uri ApiSocketUri => new($"ws://{BaseUri.Authority}/api");

    public string DataDir { get; }

    public TestLog Log { get; }

    /// <summary>An HTTP client that sends the test user's credentials.</summary>
    public HttpClient Http { get; }

    public EdgeHost Host => _host;

    /// <summary>The JSON configuration used when a test gives none: one user, everything else default.</summary>
    public static string DefaultConfig => ConfigWithUsers("");

    /// <summary>A configuration with the test user and extra top-level members (<c>"WebSocket":{…},</c>).</summary>
    /// <param name="devicePassword">Also give the test user its password as <c>DevicePassword</c> (ONVIF WS-Security).</param>
    public static string ConfigWithUsers(string extra, bool devicePassword = false)
        => $$$"""{{{{extra}}}"Auth":{"Users":[{"Name":"{{{User}}}","PasswordHash":"{{{Hash}}}""" +
            $"\"{(devicePassword ? $",\"DevicePassword\":\"{Password}\"" : "")}}}]}}}}";

    /// <summary>The free space of the file system that holds the tests' data directories.</summary>
    public static long FreeSpace() => new DriveInfo(Path.GetTempPath()).AvailableFreeSpace;

    /// <summary>More bytes than the test's data directory has free (for a <c>Files:ReserveBytes</c> no file fits beside).</summary>
    public static long MoreThanFreeSpace() => FreeSpace() + (1L << 30);

    public static async Task<EdgeServer> Start(string? configJson = null, TimeProvider? time = null, params string[] extraArgs)
    {
        string dir = Directory.CreateTempSubdirectory("edge-test-").FullName;
        string configPath = Path.Combine(dir, "edge.json");
        await File.WriteAllTextAsync(configPath, configJson ?? DefaultConfig);
        // RTSP and WS-Discovery on free ports too, so tests never collide on 8554 or 3702.
        string[] args = ["--config", configPath, "--data-dir", Path.Combine(dir, "data"), "--urls", "http://127.0.0.1:0", "--Rtsp:Port",
            "0", "--Onvif:DiscoveryPort", "0", "--Https:Port", "0", "--WebRtc:Port", "0", .. extraArgs];
        var log = new TestLog();
        var host = Program.CreateHost(CommandLine.Parse(args), logging => { logging.ClearProviders(); logging.AddProvider(log); }, time);
        await host.StartAsync();
        return new EdgeServer(host, Path.Combine(dir, "data"), log);
    }

    public static AuthenticationHeaderValue BasicAuth(string user, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>A state value by <c>state.get</c>, or null before it was first published.</summary>
    public async Task<JsonElement?> State(string key)
        => (await Call("state.get", new { keys = new[] { key } })).GetProperty("result").TryGetProperty(key, out var value) ? value : null;

    /// <summary>POST /api with the test user's credentials; returns the reply envelope.</summary>
    public async Task<JsonElement> Call(string method, object? parameters = null, HttpClient? client = null)
    {
        string body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = 1,
            ["method"] = method,
            ["params"] = parameters,
        });
        using var response = await (client ?? Http).PostAsync("/api", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.AreEqual(System.Net.HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Opens WebSocket /api with the test user's credentials.</summary>
    /// <param name="receiveBufferBytes">A fixed, small kernel receive buffer makes a client that stops reading stall its server
    /// socket quickly.</param>
    public async Task<ApiSocket> Connect(string? user = User, string? password = Password, int? receiveBufferBytes = null)
    {
        var socket = new ClientWebSocket();
        if (user != null) socket.Options.SetRequestHeader("Authorization", BasicAuth(user, password!).ToString());
        if (receiveBufferBytes is { } size)
        {
            using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, ct) =>
                {
                    var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = size };
                    await tcp.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(tcp, ownsSocket: true);
                },
            });
            await socket.ConnectAsync(ApiSocketUri, invoker, CancellationToken.None);
        }
        else
        {
            await socket.ConnectAsync(ApiSocketUri, CancellationToken.None);
        }
        return new ApiSocket(socket);
    }

    public async Task Stop()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Stop();
        await _host.DisposeAsync();
        Http.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(DataDir)!, recursive: true); }
        catch (IOException) { }
    }
}
