using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>
/// A real MQTT broker (Debian's <c>mosquitto</c>) on 127.0.0.1 and a free port, without persistence,
/// and its command-line clients: <see cref="Watch"/> (<c>mosquitto_sub</c>) and <see cref="Publish"/> (<c>mosquitto_pub</c>).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _dir;
    private ChildProcess? _process;

    private MosquittoBroker(string dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The broker's own log lines (connections, wills, refusals).</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>Starts a broker; <paramref name="listener"/> adds lines to its listener (TLS files, a password file).</summary>
    public static async Task<MosquittoBroker> Start(string listener = "allow_anonymous true", int? port = null)
    {
        string dir = Directory.CreateTempSubdirectory("edge-mqtt-").FullName;
        var broker = new MosquittoBroker(dir, port ?? FreePort());
        // "user root": started by root it would become the mosquitto user, who cannot read the tests' private folders.
        await File.WriteAllTextAsync(Path.Combine(dir, "mosquitto.conf"),
            $"per_listener_settings true\nuser root\nlog_dest stdout\nlog_type all\nlistener {broker.Port} 127.0.0.1\n{listener}\n");
        await broker.Run();
        return broker;
    }

    /// <summary>A file in the broker's folder (a password file, certificates).</summary>
    public static string FileIn(MosquittoBroker? broker, string name) => Path.Combine(broker?._dir ?? Path.GetTempPath(), name);

    /// <summary>A port nobody listens on now.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Starts the broker again after <see cref="Kill"/> (it has forgotten every retained message).</summary>
    public async Task Run()
    {
        _process = ChildProcess.Start("stdbuf", ["-oL", Mosquitto, "-c", Path.Combine(_dir, "mosquitto.conf")]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task Kill()
    {
        if (_process == null) return;
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>SIGSTOP or SIGCONT: a broker that hangs with its connections open.</summary>
    public Task Signal(string signal) => _process!.Signal(signal);

    /// <summary>Subscribes to <paramref name="filter"/> and collects what arrives.</summary>
    public async Task<MqttWatcher> Watch(string filter)
    {
        // Line-buffered: into a pipe its output would otherwise come in 4 KB blocks.
        var watcher = new MqttWatcher(ChildProcess.Start("stdbuf",
            ["-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", Port.ToString(), "-V", "mqttv311", "-t", filter, "-F", "%r %t %x", "-d"]));
        // -d prints the SUBACK: once it is there, every later message reaches the watcher.
        await Eventually.True(() => watcher.Process.Stdout.Any(l => l.Contains("SUBACK", StringComparison.Ordinal)),
            "mosquitto_sub subscribed");
        return watcher;
    }

    public async Task Publish(string topic, string message, bool retain = false)
    {
        var sent = await Tools.Run("mosquitto_pub",
            ["-h", "127.0.0.1", "-p", Port.ToString(), "-V", "mqttv311", "-q", "1", "-t", topic, "-m", message,
                .. retain ? new[] { "-r" } : []]);
        Assert.AreEqual(0, sent.ExitCode, sent.Error);
    }

    public async ValueTask DisposeAsync()
    {
        await Kill();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Mosquitto => File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
}

/// <summary>What a <c>mosquitto_sub</c> received, in order.</summary>
public sealed class MqttWatcher(ChildProcess process) : IAsyncDisposable
{
    private readonly List<MqttReceived> _messages = [];
    private int _lines;

    public ChildProcess Process { get; } = process;

    /// <summary>Everything received so far (each output line parsed once: snapshots are long).</summary>
    public IReadOnlyList<MqttReceived> Messages
    {
        get
        {
            lock (_messages)
            {
                foreach (string line in Process.Stdout.Skip(_lines))
                {
                    _lines++;
                    if (Parse(line) is { } message) _messages.Add(message);
                }
                return [.. _messages];
            }
        }
    }

    /// <summary>The messages on <paramref name="topic"/>, oldest first.</summary>
    public IReadOnlyList<MqttReceived> On(string topic) => [.. Messages.Where(m => m.Topic == topic)];

    /// <summary>The last message on <paramref name="topic"/> as text, once one has come.</summary>
    public async Task<string> Latest(string topic, Func<string, bool>? match = null, int timeoutMs = 10_000)
    {
        string? found = null;
        await Eventually.True(
            () => On(topic).LastOrDefault() is { } last && (match == null || match(last.Text)) && (found = last.Text) != null,
            $"a message on {topic}{(match == null ? "" : " that matches")}", timeoutMs);
        return found!;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    // "%r %t %x": the retain flag, the topic and the payload in hex (empty payloads end after the topic). -d's lines do not parse.
    private static MqttReceived? Parse(string line)
    {
        string[] parts = line.Split(' ');
        if (parts.Length is < 2 or > 3 || parts[0] is not ("0" or "1") || parts[1].Length == 0) return null;
        try { return new MqttReceived(parts[1], parts.Length == 3 ? Convert.FromHexString(parts[2]) : [], parts[0] == "1"); }
        catch (FormatException) { return null; }
    }
}

/// <summary>One message a watcher received.</summary>
public sealed record MqttReceived(string Topic, byte[] Payload, bool Retained)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}
