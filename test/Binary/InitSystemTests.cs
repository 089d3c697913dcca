using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Hosting;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>The published binary under the init systems it ships files for: systemd's sd_notify, pidfiles, the sysvinit script.</summary>
[TestClass]
public sealed class InitSystemTests
{
    private static ScratchFolder _dir = null!;

    [ClassInitialize]
    public static async Task Publish(TestContext _)
    {
        await PublishedBinary.Ensure();
        _dir = new ScratchFolder("edge-init-");
    }

    [ClassCleanup]
    public static void Cleanup() => _dir.Dispose();

    private static string Config() => _dir.NewConfig(EdgeServer.ConfigWithUsers("\"Camera\":{\"Width\":64,\"Height\":48,\"Fps\":5},"));

    private static string DataDir() => _dir.NewPath("data");

    /// <summary>A stand-in for systemd's notification socket.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public NotifySocket()
        {
            Path = _dir.NewPath("notify");
            _socket.Bind(new UnixDomainSocketEndPoint(Path));
        }

        public string Path { get; }

        /// <summary>The next datagram that contains <paramref name="line"/>.</summary>
        public async Task<string> WaitFor(string line, int timeoutMs = 10000)
        {
            using var timeout = new CancellationTokenSource(timeoutMs);
            var buffer = new byte[4096];
            while (true)
            {
                int length;
                try { length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token); }
                catch (OperationCanceledException)
                {
                    throw new AssertFailedException($"no notification with {line} within {timeoutMs} ms");
                }
                string message = Encoding.UTF8.GetString(buffer, 0, length);
                if (message.Split('\n').Contains(line)) return message;
            }
        }

        public void Dispose() => _socket.Dispose();
    }

    [TestMethod]
    public async Task UnderSystemdEdgeIsReadyOnlyOnceHttpAcceptsPingsTheWatchdogAndReportsReloadAndStop()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Hangup, "SIGHUP");
        using var notify = new NotifySocket();
        var environment = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "200000" };
        var starting = EdgeProcess.StartWithEnvironment(environment, "--config", Config(), "--data-dir", DataDir());
        string ready = await notify.WaitFor("READY=1");
        StringAssert.Contains(ready, "STATUS=Serving on http://");
        await using var edge = await starting;
        // READY came first; the port must already have been accepting then.
        using (var http = new HttpClient { BaseAddress = edge.BaseUri })
            Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

        // Every 100 ms (half of WatchdogSec) from the event loop.
        await notify.WaitFor("WATCHDOG=1");
        await notify.WaitFor("WATCHDOG=1");

        await edge.Signal("HUP");
        StringAssert.Contains(await notify.WaitFor("RELOADING=1"), "MONOTONIC_USEC=");
        await notify.WaitFor("READY=1");

        await edge.Signal("TERM");
        await notify.WaitFor("STOPPING=1");
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(10)));
    }

    [TestMethod]
    public async Task APidfileIsWrittenWhileRunningRefusesASecondEdgeAndIsRemovedOnExit()
    {
        string pidFile = _dir.NewPath("edge", ".pid");
        string config = Config();
        await using var edge = await EdgeProcess.Start("--config", config, "--data-dir", DataDir(), "--pidfile", pidFile);
        Assert.AreEqual($"{edge.Pid}\n", File.ReadAllText(pidFile));
        Assert.AreEqual(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(pidFile));

        var second = await EdgeProcess.Run(null,
            ["--config", config, "--data-dir", DataDir(), .. EdgeProcess.EphemeralPorts, "--pidfile", pidFile]);
        Assert.AreEqual(1, second.Code);
        StringAssert.Contains(second.Stderr, $"Edge already runs as process {edge.Pid}");
        Assert.AreEqual($"{edge.Pid}\n", File.ReadAllText(pidFile), "the running Edge keeps its pidfile");

        await edge.Signal("TERM");
        Assert.AreEqual(0, await edge.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.IsFalse(File.Exists(pidFile));
    }

    [TestMethod]
    public async Task AStalePidfileFromAKilledEdgeDoesNotStopTheNextStart()
    {
        string pidFile = _dir.NewPath("edge", ".pid");
        string config = Config(), data = DataDir();
        await using (var killed = await EdgeProcess.Start("--config", config, "--data-dir", data, "--pidfile", pidFile))
        {
            killed.Kill();
            await killed.WaitForExit(TimeSpan.FromSeconds(10));
        }
        Assert.IsTrue(File.Exists(pidFile), "kill -9 leaves the pidfile");
        await using var next = await EdgeProcess.Start("--config", config, "--data-dir", data, "--pidfile", pidFile);
        Assert.AreEqual($"{next.Pid}\n", File.ReadAllText(pidFile));
    }

    [TestMethod]
    [TestCategory(EdgeProcess.NativeOnly)] // start-stop-daemon --exec compares /proc/PID/exe, which is qemu-user's
    public async Task TheSysvinitScriptStartsReportsReloadsAndStopsEdgeThroughStartStopDaemon()
    {
        Signals.MustNotBeIgnored(IgnoredSignals.Hangup, "SIGHUP");
        string script = Path.Combine(Repository.Root, "docs", "init", "edge.sysv");
        string pidFile = _dir.NewPath("edge", ".pid"), log = _dir.NewPath("edge", ".log");
        int port = FreePort();
        string dataDir = DataDir();
        var environment = $"DAEMON={EdgeProcess.BinaryPath}\nPIDFILE={pidFile}\nLOGFILE={log}\n" +
            $"DAEMON_ARGS=--config {Config()} --data-dir {dataDir} --urls http://127.0.0.1:{port} --Rtsp:Port 0 --Https:Port 0 " +
            $"--Onvif:DiscoveryPort 0";
        Task<(int ExitCode, string Output, string Error)> Run(string action)
            => Tools.Run("env", [.. environment.Split('\n'), "sh", script, action], TimeSpan.FromSeconds(45));

        try
        {
            var start = await Run("start");
            if (start.ExitCode != 0)
            {
                // What became of the daemon: its pidfile, its log, the process and where it waits.
                var processes = await Tools.Run("ps", ["-eo", "pid,ppid,stat,wchan:32,etime,args"]);
                string made = Directory.Exists(dataDir)
                    ? string.Join(", ", Directory.EnumerateFileSystemEntries(dataDir, "*", SearchOption.AllDirectories))
                    : "no data directory";
                Assert.Fail($"{start.Error}{start.Output}\npidfile: {(File.Exists(pidFile) ? File.ReadAllText(pidFile) : "none")}\n"
                    + $"data: {made}\nEdge's log:\n{(File.Exists(log) ? File.ReadAllText(log) : "none")}\n"
                    + string.Join("\n",
                        processes.Output.Split('\n').Where(l => l.Contains(pidFile) || l.Contains("start-stop") || l.Contains("PID"))));
            }
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.AreEqual(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode, "started means serving");
            // start-stop-daemon runs it in "/": nothing may watch that tree (it once put an inotify watch
            // on every directory of the machine before Edge's first log line).
            string pid = File.ReadAllText(pidFile).Trim();
            int watches = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fdinfo")
                .Sum(info => File.ReadLines(info).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal)));
            Assert.AreEqual(0, watches, "inotify watches");
            var status = await Run("status");
            Assert.AreEqual(0, status.ExitCode, status.Output);
            StringAssert.Contains(status.Output, "edge is running");
            Assert.AreEqual(0, (await Run("start")).ExitCode, "starting twice is harmless");

            Assert.AreEqual(0, (await Run("reload")).ExitCode);
            await Eventually.True(() => File.ReadAllText(log).Contains("Configuration reloaded"), "SIGHUP reached Edge");

            var stop = await Run("stop");
            Assert.AreEqual(0, stop.ExitCode, stop.Error + stop.Output);
            Assert.IsFalse(File.Exists(pidFile));
            Assert.AreEqual(3, (await Run("status")).ExitCode, "LSB: 3 is not running");
            StringAssert.Contains(File.ReadAllText(log), "Edge stopped");
        }
        finally
        {
            await Run("stop");
        }
    }

    [TestMethod]
    public async Task TheSystemdUnitVerifiesCleanAndTheOpenRcScriptIsValidShell()
    {
        string unit = File.ReadAllText(Path.Combine(Repository.Root, "docs", "init", "edge.service"));
        StringAssert.Contains(unit, "Type=notify");
        StringAssert.Contains(unit, "WatchdogSec=");
        // systemd-analyze checks that ExecStart exists: point it at the published binary.
        string copy = _dir.PathOf("edge.service");
        File.WriteAllText(copy, unit.Replace("/usr/local/bin/edge", EdgeProcess.BinaryPath));
        var verify = await Tools.Run("systemd-analyze", ["verify", copy]);
        Assert.AreEqual(0, verify.ExitCode, verify.Error);
        Assert.AreEqual("", verify.Error.Trim(), "no warnings about the unit");

        var syntax = await Tools.Run("sh", ["-n", Path.Combine(Repository.Root, "docs", "init", "edge.openrc")]);
        Assert.AreEqual(0, syntax.ExitCode, syntax.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
