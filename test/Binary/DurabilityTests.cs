using System.Net.WebSockets;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// Settings and journal writes against the published binary, killed with SIGKILL at random moments:
/// nothing the server acknowledged may be lost, and nothing may come back older.
/// </summary>
[TestClass]
public sealed class DurabilityTests
{
    private const int Rounds = 10;
    private const int SettingsPerRound = 50;
    private const int EventsPerRound = 500;
    private const int EventWindow = 32;

    [ClassInitialize]
    public static Task Publish(TestContext _) => PublishedBinary.Ensure();

    // Settings version n is a camera width: every write differs and the order shows in the number.
    private static int WidthOf(int version) => 16 + 2 * version;

    private sealed class Ledger
    {
        public int LastAckedSetting = -1, LastSentSetting = -1;
        public readonly Dictionary<int, long> AckedEvents = [];
        public int EventsSent, AckedCount;
    }

    [TestMethod]
    public async Task AfterSigkillAtRandomMomentsEveryAcknowledgedSettingAndEventIsThere()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string dir = Directory.CreateTempSubdirectory("edge-kill-").FullName;
        string config = Path.Combine(dir, "edge.json");
        await File.WriteAllTextAsync(config, EdgeServer.ConfigWithUsers("\"Camera\":{\"Width\":64,\"Height\":48,\"Fps\":5},"));
        string data = Path.Combine(dir, "data");
        var ledger = new Ledger();
        int killedMidway = 0;
        for (int round = 0; round <= Rounds; round++)
        {
            await using var edge = await EdgeProcess.Start("--config", config, "--data-dir", data);
            await Verify(edge, data, ledger, $"seed {seed}, after kill {round}");
            if (round == Rounds) break;

            using var settings = await edge.ConnectAsTestUser();
            using var events = await edge.ConnectAsTestUser();
            // The kill comes after a random number of acknowledged writes of either kind, with others in flight.
            int settingsAt = ledger.LastAckedSetting + random.Next(1, SettingsPerRound),
                eventsAt = ledger.AckedEvents.Count + random.Next(1, EventsPerRound);
            var writers = Task.WhenAll(WriteSettings(settings, ledger), WriteEvents(events, ledger));
            while (!writers.IsCompleted && Volatile.Read(ref ledger.LastAckedSetting) < settingsAt && ledger.AckedCount < eventsAt)
                await Task.Delay(1);
            edge.Kill();
            await edge.WaitForExit(TimeSpan.FromSeconds(10));
            await writers;
            killedMidway += ledger.LastAckedSetting < ledger.LastSentSetting || ledger.AckedCount < ledger.EventsSent ? 1 : 0;
        }
        Assert.IsTrue(killedMidway >= Rounds / 2, $"only {killedMidway} of {Rounds} kills came while writes were unfinished");
        Assert.AreEqual(Rounds * EventsPerRound, ledger.EventsSent);
        Assert.AreEqual(Rounds * SettingsPerRound - 1, ledger.LastSentSetting);
        Directory.Delete(dir, recursive: true);
    }

    [TestMethod]
    [TestCategory(EdgeProcess.NativeOnly)] // the arm64 binary under qemu-user has no arm64 OpenH264: it would record a timelapse
    public async Task ARecordingKilledMidSegmentPlaysToWithinAFragmentOfTheKill()
    {
        string dir = Directory.CreateTempSubdirectory("edge-kill-rec-").FullName;
        string config = Path.Combine(dir, "edge.json");
        await File.WriteAllTextAsync(config, EdgeServer.ConfigWithUsers("""
            "Camera":{"Width":320,"Height":240,"Fps":25},"H264":{"KeyframeSeconds":1},
            "Recording":{"Mode":"continuous","SegmentSeconds":60},
            """));
        string data = Path.Combine(dir, "data"), folder = Path.Combine(data, "recordings");
        await using (var edge = await EdgeProcess.Start("--config", config, "--data-dir", data))
        {
            // The file begins with its first GOP written; the kill comes a few GOPs on, mid-GOP.
            await Eventually.True(() => Directory.Exists(folder) && Directory.GetFiles(folder, "*.mp4").Length == 1,
                "no recording began", 20000);
            await Task.Delay(4300);
            edge.Kill();
            await edge.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var killedAt = DateTimeOffset.UtcNow;
        string file = Directory.GetFiles(folder, "*.mp4").Single();
        var start = DateTimeOffset.ParseExact(Path.GetFileName(file)[..16], "yyyyMMdd'T'HHmmss'Z'",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var decoded = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "framemd5", "-"]);
        Assert.AreEqual(0, decoded.ExitCode, decoded.Error);
        Assert.AreEqual("", decoded.Error, "the cut file decodes without complaint");
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file]);
        double seconds = double.Parse(probe.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        // Lost: the GOP in progress (1 s) and the name's part second; nothing more.
        double recorded = (killedAt - start).TotalSeconds;
        Assert.IsGreaterThanOrEqualTo(recorded - 2.5, seconds, $"{seconds} s of {recorded:0.0} s recorded survived the kill");
        Directory.Delete(dir, recursive: true);
    }

    // One camera.set at a time: at most one write is in flight when the kill comes.
    private static async Task WriteSettings(ApiSocket api, Ledger ledger)
    {
        int end = ledger.LastSentSetting + 1 + SettingsPerRound;
        try
        {
            while (ledger.LastSentSetting + 1 < end)
            {
                int version = ledger.LastSentSetting + 1;
                ledger.LastSentSetting = version;
                var reply = await api.Call("camera.set", new { width = WidthOf(version) });
                Assert.IsTrue(reply.TryGetProperty("result", out _), reply.ToString());
                ledger.LastAckedSetting = version;
            }
        }
        catch (Exception e) when (e is WebSocketException or WebSocketClosedException or IOException) { }
        ledger.LastSentSetting = end - 1;
    }

    // events.add pipelined in windows, as a busy client would.
    private static async Task WriteEvents(ApiSocket api, Ledger ledger)
    {
        int end = ledger.EventsSent + EventsPerRound;
        try
        {
            while (ledger.EventsSent < end)
            {
                var window = new Dictionary<int, int>();
                for (int i = 0; i < EventWindow && ledger.EventsSent < end; i++)
                {
                    int n = ledger.EventsSent++;
                    window[await api.Send("events.add", new { kind = "user.kill", data = new { n } })] = n;
                }
                while (window.Count > 0)
                {
                    var reply = await api.Receive();
                    int id = reply.GetProperty("id").GetInt32();
                    Assert.IsTrue(reply.TryGetProperty("result", out var seq), reply.ToString());
                    ledger.AckedEvents[window[id]] = seq.GetInt64();
                    Interlocked.Increment(ref ledger.AckedCount);
                    window.Remove(id);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or WebSocketClosedException or IOException) { }
        ledger.EventsSent = end;
    }

    private static async Task Verify(EdgeProcess edge, string data, Ledger ledger, string context)
    {
        string file = Path.Combine(data, "camera.json");
        if (ledger.LastSentSetting >= 0 && File.Exists(file))
        {
            int width = JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("width").GetInt32();
            int version = (width - 16) / 2;
            Assert.IsTrue(version >= ledger.LastAckedSetting && version <= ledger.LastSentSetting,
                $"{context}: camera.json holds version {version}; acknowledged {ledger.LastAckedSetting}, sent {ledger.LastSentSetting}");
        }
        else Assert.AreEqual(-1, ledger.LastAckedSetting, $"{context}: camera.json is missing after an acknowledged write");
        Assert.AreEqual(0, Directory.GetFiles(data, ".camera.json.*").Length,
            $"{context}: temporary files of killed writes are cleaned up");

        using var api = await edge.ConnectAsTestUser();
        var found = new Dictionary<long, int>();
        long? before = null;
        do
        {
            var reply = await api.Call("events.list", new { kind = "user.kill", limit = 1000, before });
            var page = reply.GetProperty("result");
            foreach (var item in page.GetProperty("events").EnumerateArray())
                Assert.IsTrue(found.TryAdd(item.GetProperty("seq").GetInt64(), item.GetProperty("data").GetProperty("n").GetInt32()),
                    $"{context}: a sequence number appears twice");
            before = page.GetProperty("next").ValueKind == JsonValueKind.Number ? page.GetProperty("next").GetInt64() : null;
        } while (before != null);
        foreach (var (n, seq) in ledger.AckedEvents)
            Assert.IsTrue(found.TryGetValue(seq, out int stored) && stored == n,
                $"{context}: acknowledged event {n} (seq {seq}) is missing");
    }
}
