using System.Net;
using System.Text;
using System.Text.Json;
using Edge.Tests.Support;

namespace Edge.Tests.Binary;

/// <summary>
/// The published binary's data directory on a small ext4 file system of its own (a loop device,
/// mounted with errors=remount-ro as an SD card is), while a client keeps writing settings, events
/// and files: the file system fills, is freed, then fails and goes read-only as a dying card does.
/// Every refusal is clear, the cause is logged once per writer, /readyz and /metrics say what fails,
/// writes heal when space comes back, and after a SIGKILL and a fresh mount nothing acknowledged is lost.
/// Needs root (mount, losetup), as the network-namespace tests do.
/// </summary>
[TestClass]
public sealed class StorageFaultTests
{
    [ClassInitialize]
    public static Task Publish(TestContext _) => PublishedBinary.Ensure();

    private sealed class Ledger
    {
        public int LastAckedWidth = -1, LastSentWidth = -1;
        public readonly Dictionary<long, int> AckedEvents = [];
        public readonly Dictionary<string, string> AckedFiles = [];
        public readonly List<string> Refusals = [];
        public int Round;
    }

    [TestMethod]
    public async Task AFullThenReadOnlyDataDirectoryRefusesClearlyHealsAndLosesNothingAcknowledged()
    {
        string dir = Directory.CreateTempSubdirectory("edge-storage-").FullName;
        string image = Path.Combine(dir, "card.img"), data = Path.Combine(dir, "data"), config = Path.Combine(dir, "edge.json");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(config,
            EdgeServer.ConfigWithUsers("\"Camera\":{\"Width\":64,\"Height\":48,\"Fps\":5},\"Files\":{\"ReserveBytes\":0},"));
        await Run("truncate", "-s", "24M", image);
        await Run("mkfs.ext4", "-q", image);
        await Run("mount", "-o", "loop,errors=remount-ro", image, data);
        var ledger = new Ledger();
        try
        {
            await using (var edge = await EdgeProcess.Start("--config", config, "--data-dir", data))
            {
                var stopWriting = new CancellationTokenSource();
                var writes = Write(edge, ledger, stopWriting.Token);
                await Eventually.True(() => ledger.AckedFiles.Count >= 5 && ledger.AckedEvents.Count >= 5, "writes before any fault",
                    10000);

                // Full: a filler takes what is left, and keeps taking every block freed after it
                // (a replaced settings file frees the old one's).
                string filler = Path.Combine(data, "filler");
                using var unfill = new CancellationTokenSource();
                var full = KeepFull(filler, unfill.Token);
                await RefusedEach(ledger, "for want of space", ("camera settings", "No space left on device"), ("file", "507"),
                    ("event", "No space left on device"));
                var ready = await Readiness(edge);
                Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready.Status, ready.Body);
                StringAssert.Contains(ready.Body, "event journal");
                StringAssert.Contains(ready.Body, "camera settings");
                Assert.IsFalse(NamesAPath(ready.Body), $"the public /readyz names a path: {ready.Body}");
                string metrics = await Metrics(edge);
                StringAssert.Contains(metrics, "edge_storage_failing{writer=\"event journal\"} 1");
                StringAssert.Contains(metrics, "edge_storage_failing{writer=\"camera settings\"} 1");

                // Freed, with nobody writing: the server's own check of the data directory (every 10 s
                // while writers fail) finds that it takes writes again, and says so.
                stopWriting.Cancel();
                await writes;
                unfill.Cancel();
                await full;
                File.Delete(filler);
                await Eventually.True(async () => (await Readiness(edge)).Status == HttpStatusCode.OK,
                    "ready again without a client's write", 15000);
                Assert.IsFalse((await Metrics(edge)).Contains("edge_storage_failing{"), "nothing failing any more");
                // And the same server writes again.
                stopWriting.Dispose();
                stopWriting = new CancellationTokenSource();
                writes = Write(edge, ledger, stopWriting.Token);
                int acked = ledger.AckedEvents.Count;
                await Eventually.True(() => ledger.AckedEvents.Count > acked + 5, "events written again once space came back", 10000);

                // Read-only: the file system hits an error and the kernel remounts it read-only under the open journal.
                ledger.Refusals.Clear();
                string device = (await Tools.Run("findmnt", ["-n", "-o", "SOURCE", data])).Output.Trim();
                await File.WriteAllTextAsync($"/sys/fs/ext4/{Path.GetFileName(device)}/trigger_fs_error", "1");
                await RefusedEach(ledger, "on a read-only file system", ("camera settings", "Read-only file system"),
                    ("file", "503 Cannot store the file: Read-only file system"), ("event", "Read-only file system"));
                ready = await Readiness(edge);
                Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready.Status, ready.Body);
                StringAssert.Contains(ready.Body, "Read-only file system");
                Assert.IsFalse(NamesAPath(ready.Body), $"the public /readyz names a path: {ready.Body}");
                using (var http = new HttpClient { BaseAddress = edge.BaseUri })
                {
                    http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
                    using var delete = await http.DeleteAsync("/files/" + ledger.AckedFiles.Keys.First());
                    Assert.AreEqual(HttpStatusCode.ServiceUnavailable, delete.StatusCode, "a delete on a read-only card");
                    string deleteText = await delete.Content.ReadAsStringAsync();
                    StringAssert.Contains(deleteText, "Read-only file system");
                    Assert.IsFalse(NamesAPath(deleteText), deleteText);
                }
                Assert.AreEqual("ok\n", await new HttpClient { BaseAddress = edge.BaseUri }.GetStringAsync("/healthz"),
                    "the process itself is fine");

                // Each writer's cause was logged once per cause (space, then read-only), however many writes failed.
                var failures = edge.Stderr.Where(l => l.Contains("Cannot write the")).ToList();
                foreach (string writer in new[] { "event journal", "camera settings", "uploaded files" })
                {
                    int lines = failures.Count(l => l.Contains($"Cannot write the {writer} "));
                    Assert.IsTrue(lines is >= 1 and <= 3,
                        $"{writer}: {lines} lines for {ledger.Round} rounds of writes:\n{string.Join("\n", failures)}");
                }
                Assert.IsTrue(edge.Stdout.Any(l => l.Contains("to the data directory works again")), "the recovery is logged");

                // Power loss: the card comes back after a fsck.
                stopWriting.Cancel();
                await writes;
                stopWriting.Dispose();
                edge.Kill();
                await edge.WaitForExit(TimeSpan.FromSeconds(10));
            }
            await Run("umount", data);
            var fsck = await Tools.Run("e2fsck", ["-fy", image]);
            Assert.IsTrue(fsck.ExitCode is 0 or 1, $"e2fsck: {fsck.Output}{fsck.Error}");
            await Run("mount", "-o", "loop", image, data);
            await using (var edge = await EdgeProcess.Start("--config", config, "--data-dir", data))
                await Verify(edge, data, ledger);
        }
        finally
        {
            // Lazily: a file the failed test left open must not turn its failure into "busy" here.
            await Tools.Run("umount", ["-l", data]);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task KeepFull(string filler, CancellationToken stop)
    {
        await using var fill = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
        var block = new byte[1 << 20];
        while (!stop.IsCancellationRequested)
        {
            try
            {
                fill.Write(block, 0, block.Length);
                continue;
            }
            catch (IOException) { }
            try
            {
                // Then a block at a time, whatever comes free.
                fill.Write(block, 0, 4096);
                fill.Flush(flushToDisk: true);
            }
            catch (IOException) { }
            try { await Task.Delay(2, stop); }
            catch (OperationCanceledException) { }
        }
    }

    private static async Task Run(string file, params string[] args)
    {
        var result = await Tools.Run(file, args);
        Assert.AreEqual(0, result.ExitCode, $"{file} {string.Join(' ', args)}: {result.Output}{result.Error}");
    }

    // Waits until every kind of write was refused with its cause; fails naming the refusals seen.
    private static bool NamesAPath(string text) => text.Contains(Path.GetTempPath(), StringComparison.Ordinal);

    private static async Task RefusedEach(Ledger ledger, string when, params (string What, string Cause)[] expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (ledger.Refusals)
                if (expected.All(e => ledger.Refusals.Any(r => r.StartsWith(e.What, StringComparison.Ordinal) && r.Contains(e.Cause))))
                {
                    // Clients hear the cause, not where the data directory is (it is under the temp folder).
                    Assert.IsFalse(ledger.Refusals.Any(NamesAPath), $"a refusal names a path:\n{Refusals(ledger)}");
                    return;
                }
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not every write was refused {when}; refusals seen:\n{Refusals(ledger)}");
            await Task.Delay(20);
        }
    }

    // Settings, an event and a file, over and over, each acknowledged or refused; refusals are kept with their text.
    private static async Task Write(EdgeProcess edge, Ledger ledger, CancellationToken stop)
    {
        using var api = await edge.ConnectAsTestUser();
        using var http = new HttpClient { BaseAddress = edge.BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
        while (!stop.IsCancellationRequested)
        {
            int round = ++ledger.Round;
            int width = 16 + 2 * (round % 500);
            ledger.LastSentWidth = round;
            var set = await api.Call("camera.set", new { width });
            if (set.TryGetProperty("result", out _)) ledger.LastAckedWidth = round;
            else Refuse(ledger, "camera settings: " + set.GetProperty("error"));

            var added = await api.Call("events.add", new { kind = "user.storage", data = new { n = round } });
            if (added.TryGetProperty("result", out var seq)) ledger.AckedEvents[seq.GetInt64()] = round;
            else Refuse(ledger, "event: " + added.GetProperty("error"));

            string name = $"f{round}.txt", content = $"file {round} " + new string('x', 20_000);
            using var put = await http.PutAsync($"/files/{name}", new StringContent(content, Encoding.UTF8, "text/plain"));
            if (put.IsSuccessStatusCode) ledger.AckedFiles[name] = content;
            else Refuse(ledger, $"file: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            try { await Task.Delay(50, stop); }
            catch (OperationCanceledException) { }
        }
    }

    private static string Refusals(Ledger ledger)
    {
        lock (ledger.Refusals) return string.Join("\n", ledger.Refusals.Distinct().Take(20));
    }

    private static void Refuse(Ledger ledger, string refusal)
    {
        lock (ledger.Refusals) ledger.Refusals.Add(refusal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> Readiness(EdgeProcess edge)
    {
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        using var response = await http.GetAsync("/readyz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> Metrics(EdgeProcess edge)
    {
        using var http = new HttpClient { BaseAddress = edge.BaseUri };
        http.DefaultRequestHeaders.Authorization = EdgeServer.BasicAuth(EdgeServer.User, EdgeServer.Password);
        return await http.GetStringAsync("/metrics");
    }

    private static async Task Verify(EdgeProcess edge, string data, Ledger ledger)
    {
        int width = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "camera.json")))
            .RootElement.GetProperty("width").GetInt32();
        Assert.AreEqual(16 + 2 * (ledger.LastAckedWidth % 500), width,
            $"camera.json holds the last acknowledged setting (round {ledger.LastAckedWidth})");
        foreach (var (name, content) in ledger.AckedFiles)
            Assert.AreEqual(content, await File.ReadAllTextAsync(Path.Combine(data, "files", name)), $"acknowledged upload {name}");
        using var api = await edge.ConnectAsTestUser();
        var found = new Dictionary<long, int>();
        long? before = null;
        do
        {
            var page = (await api.Call("events.list", new { kind = "user.storage", limit = 1000, before })).GetProperty("result");
            foreach (var item in page.GetProperty("events").EnumerateArray())
                found[item.GetProperty("seq").GetInt64()] = item.GetProperty("data").GetProperty("n").GetInt32();
            before = page.GetProperty("next").ValueKind == JsonValueKind.Number ? page.GetProperty("next").GetInt64() : null;
        } while (before != null);
        foreach (var (seq, n) in ledger.AckedEvents)
            Assert.IsTrue(found.TryGetValue(seq, out int stored) && stored == n,
                $"acknowledged event {n} (seq {seq}) is missing after the power loss");
    }
}
