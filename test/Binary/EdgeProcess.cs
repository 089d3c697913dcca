using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>The published native binary, started as a child process.</summary>
public sealed partial class EdgeProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private EdgeProcess(ChildProcess process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>The binary; one for another architecture runs under qemu-user (<see cref="Command"/>).</summary>
    public static string BinaryPath
    {
        get;
        set
        {
            field = value;
            Command = ElfMachine.EmulatorFor(value) is { } emulator ? [emulator, value] : [value];
        }
    } = "";

    /// <summary>How to run <see cref="BinaryPath"/> here: itself, or <c>qemu-aarch64</c> and it (an arm64 binary on x86_64).</summary>
    public static string[] Command { get; private set; } = [];

    /// <summary>The binary runs under qemu-user: its timing is the emulator's.</summary>
    public static bool Emulated => Command.Length > 1;

    /// <summary>
    /// Tests that need the binary to run natively, left out of the run under qemu-user
    /// (<c>test/qemu-user/run.sh</c> filters them out): each says which emulator gap it meets.
    /// </summary>
    public const string NativeOnly = "NativeOnly";

    public int Pid => _process.Pid;

    public Uri BaseUri { get; }

    /// <summary>The HTTPS endpoint from the "listening on" line.</summary>
    public Uri HttpsUri
    {
        get
        {
            string line = Stdout.First(l => l.Contains("listening on http"));
            return new Uri(line[line.IndexOf("https://", StringComparison.Ordinal)..].Split(',', ' ')[0]);
        }
    }

    public IReadOnlyCollection<string> Stdout => _process.Stdout;

    public IReadOnlyCollection<string> Stderr => _process.Stderr;

    /// <summary>
    /// HTTP on 127.0.0.1, and RTSP, HTTPS and WS-Discovery, on free ports: tests never collide on 8080,
    /// 8554, 8443 or 3702.
    /// </summary>
    public static readonly string[] EphemeralPorts = ["--urls", "http://127.0.0.1:0", "--Rtsp:Port", "0", "--Https:Port", "0",
        "--Onvif:DiscoveryPort", "0", "--WebRtc:Port", "0"];

    /// <summary>Starts the server on <see cref="EphemeralPorts"/> and waits for its "listening on" line.</summary>
    public static Task<EdgeProcess> Start(params string[] args) => StartWithEnvironment(null, args);

    /// <summary>As <see cref="Start"/>, with environment variables set for the server.</summary>
    public static Task<EdgeProcess> StartWithEnvironment(IReadOnlyDictionary<string, string?>? environment, params string[] args)
        => StartWith(Command[0], [.. Command[1..], .. EphemeralPorts, .. args], environment);

    /// <summary>
    /// As <see cref="Start"/>, run through <paramref name="wrapper"/> (a command that execs its arguments,
    /// like <c>nohup</c>).
    /// </summary>
    public static Task<EdgeProcess> StartUnder(string wrapper, params string[] args)
        => StartWith(wrapper, [.. Command, .. EphemeralPorts, .. args], null);

    /// <summary>
    /// Starts the server inside network namespace <paramref name="netns"/> with only
    /// <paramref name="args"/> (ports as configured).
    /// </summary>
    public static Task<EdgeProcess> StartIn(string netns, params string[] args)
        => StartWith("ip", ["netns", "exec", netns, .. Command, .. args], null);

    private static async Task<EdgeProcess> StartWith(string file, string[] args, IReadOnlyDictionary<string, string?>? environment)
    {
        var process = ChildProcess.Start(file, args, environment);
        string line = await process.WaitForLine(l => ListeningLine().IsMatch(l), "edge's 'listening on' line");
        return new EdgeProcess(process, new Uri(ListeningLine().Match(line).Groups[1].Value));
    }

    /// <summary>Runs the binary to completion; returns its exit code and output.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> Run(string? stdin, params string[] args)
    {
        var (code, stdout, stderr) = await Tools.Run(Command[0], [.. Command[1..], .. args], TimeSpan.FromSeconds(30), stdin);
        return (code, stdout, stderr);
    }

    /// <summary>
    /// WebSocket /api with the credentials of <see cref="EdgeServer.User"/> (configure it with
    /// <see cref="EdgeServer.ConfigWithUsers"/>).
    /// </summary>
    public async Task<ApiSocket> ConnectAsTestUser()
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password).ToString());
        await socket.ConnectAsync(new Uri($"ws://{BaseUri.Authority}/api"), CancellationToken.None);
        return new ApiSocket(socket);
    }

    public Task Signal(string signal) => _process.Signal(signal);

    /// <summary>SIGKILL, at once.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Waits for the process to exit; its exit code.</summary>
    public Task<int> WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
