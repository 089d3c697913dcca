using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Edge.Recording;
using Edge.Tests.Camera;
using Edge.Tests.Gpio;
using Edge.Tests.Support;

namespace Edge.Tests.Recording;

/// <summary>Recording to DATA_DIR/recordings from a real server, the files checked by ffprobe.</summary>
[TestClass]
public sealed class RecordingTests
{
    [TestMethod]
    public async Task ContinuousRecordingWritesSegmentsOfTheSetLengthThatFfprobeReadsAndTheApiListsAndServes()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null,
            "--Recording:Mode", "continuous", "--Recording:SegmentSeconds", "5");
        var closed = await Until(async () =>
        {
            var list = await List(server);
            return list.Count(r => !r.GetProperty("open").GetBoolean()) >= 2 ? list : null;
        }, "two segments were not closed in time", 30000);
        double frame = 1.0 / CameraFixtures.Fps;
        foreach (var recording in closed.Where(r => !r.GetProperty("open").GetBoolean()))
        {
            string name = recording.GetProperty("name").GetString()!;
            string path = Path.Combine(server.DataDir, "recordings", name);
            var (duration, frames, firstKey) = await Probe(path);
            Assert.AreEqual(5.0, duration, frame + 1e-3, $"{name} lasts SegmentSeconds, give or take a frame");
            Assert.AreEqual(duration * CameraFixtures.Fps, frames, 1.0, name);
            Assert.IsTrue(firstKey, $"{name} starts on a key frame");
            Assert.AreEqual(new FileInfo(path).Length, recording.GetProperty("bytes").GetInt64());
            var (fragments, keyFragments) = await Fragments(path);
            Assert.AreEqual(await KeyFrames(path), fragments, $"{name}: one fragment per GOP");
            Assert.AreEqual(fragments, keyFragments, $"{name}: each fragment begins with its key frame");
        }
        // Served with Range, so a player can seek.
        string first = closed[0].GetProperty("name").GetString()!;
        var request = new HttpRequestMessage(HttpMethod.Get, $"/recordings/{first}") { Headers = { Range = new RangeHeaderValue(0, 99) } };
        using var part = await server.Http.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.AreEqual("video/mp4", part.Content.Headers.ContentType?.MediaType);
        Assert.HasCount(100, await part.Content.ReadAsByteArrayAsync());
        var events = (await server.Call("events.list", new { kind = "recording.segment" })).GetProperty("result").GetProperty("events");
        Assert.IsGreaterThanOrEqualTo(2, events.GetArrayLength(), "each closed file is journaled");
    }

    [TestMethod]
    public async Task AnEventRecordingHoldsThePreRollBeforeItsStartAndEndsAfterItsStop()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null,
            "--Recording:Mode", "events", "--Recording:PreRollSeconds", "3", "--H264:KeyframeSeconds", "1");
        await Task.Delay(6000); // the pre-roll fills
        Assert.IsEmpty(await List(server), "nothing is written before an event");
        var (name, started) = await RecordAnEvent(server, TimeSpan.FromSeconds(4));
        var (duration, _, firstKey) = await Probe(Path.Combine(server.DataDir, "recordings", name));
        Assert.IsTrue(firstKey);
        // The pre-roll is whole GOPs reaching at least 3 s back from the last one finished, then the GOP in progress
        // (one second asked for; longer when a loaded machine slows the camera's frames): 3 s to 3 s + two GOPs before
        // the event. The name has whole seconds, so up to one more.
        double gop = await LongestGop(Path.Combine(server.DataDir, "recordings", name));
        double before = (started - StartOf(name)).TotalSeconds;
        Assert.IsTrue(before >= 3 && before < 3 + 2 * gop + 1.2,
            $"the file starts {before:0.00} s before the event (GOPs up to {gop:0.00} s)");
        // Then the event's 4 s, to the end of the GOP in progress at the stop.
        Assert.IsTrue(duration >= 6.9 && duration < 7.5 + 3 * gop, $"3 s of pre-roll and 4 s of event in {duration:0.00} s");
        var kinds = (await server.Call("events.list", new { kind = "recording." })).GetProperty("result").GetProperty("events")
            .EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "recording.started", "recording.stopped", "recording.segment" }, kinds);
    }

    [TestMethod]
    public async Task ARecordingStoppedInsideItsFirstGopIsKeptToThatGopsEnd()
    {
        // 4-s GOPs, a recording of 1.5 s: the stop falls inside the GOP in progress, which is written all the same
        // (before, Stop dropped it and such a recording left no file at all).
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "4");
        var (name, _) = await RecordAnEvent(server, TimeSpan.FromSeconds(1.5));
        var (duration, _, firstKey) = await Probe(Path.Combine(server.DataDir, "recordings", name));
        Assert.IsTrue(firstKey);
        Assert.IsGreaterThanOrEqualTo(1.4, duration, "the file holds the recording up to the stop at least");
    }

    [TestMethod]
    public async Task APreRollOfMoreBytesThanItsCapHoldsOnlyTheNewestGopsThatFit()
    {
        // Noise at about 3 MB/s in GOPs of 12 frames (1.5 MB): ten seconds of pre-roll would be 30 MB; 8 MB holds five GOPs.
        await using var server = await EdgeServer.Start(NoisyH264Camera, null,
            "--Recording:Mode", "events", "--Recording:PreRollSeconds", "10");
        await Task.Delay(12000); // ten seconds of pre-roll would have filled by now
        var (name, started) = await RecordAnEvent(server, TimeSpan.FromSeconds(2));
        var (duration, frames, firstKey) = await Probe(Path.Combine(server.DataDir, "recordings", name));
        Assert.IsTrue(firstKey);
        var packets = await PacketSizes(Path.Combine(server.DataDir, "recordings", name));
        double rate = packets.Sum() / duration;
        // What came before the event: the frames of the file less the two seconds recorded after it.
        long preRollBytes = packets.Take(frames - 2 * CameraFixtures.Fps).Sum();
        Assert.IsLessThanOrEqualTo(RecordingService.PreRollMaxBytes + 2 * (long)rate, preRollBytes,
            $"the pre-roll stays within its cap (and a GOP that was being captured): {preRollBytes} bytes at {rate:0} B/s");
        Assert.IsTrue(duration is >= 3 and < 7, $"about 2.5 s of pre-roll and 2 s of event, not 12 s: {duration:0.00} s");
        Assert.IsLessThan(5.0, (started - StartOf(name)).TotalSeconds, "the file starts a few seconds before the event, not ten");
    }

    [TestMethod]
    public async Task ACardThatStallsCostsDroppedGopsNotMemoryAndTheRecordingGoesOnWhenItThaws()
    {
        if (Environment.UserName != "root") Assert.Fail("Mounting and freezing a file system needs root (CI runs the tests as root).");
        await using var server = await EdgeServer.Start(NoisyH264Camera, null, "--Recording:Mode", "continuous",
            "--Recording:SegmentSeconds", "600", "--Files:ReserveBytes", "0");
        string folder = Path.Combine(server.DataDir, "recordings"), image = server.DataDir + ".img";
        Directory.CreateDirectory(folder);
        Assert.AreEqual(0, (await Tools.Run("truncate", ["-s", "256M", image])).ExitCode);
        Assert.AreEqual(0, (await Tools.Run("mkfs.ext4", ["-q", image])).ExitCode);
        Assert.AreEqual(0, (await Tools.Run("mount", ["-o", "loop", image, folder])).ExitCode);
        bool frozen = false;
        async Task<long> Drops() => (await server.State("recording"))?.GetProperty("drops").GetInt64() ?? -1;
        try
        {
            await Eventually.True(() => Recordings(folder).Length == 1, "no recording began", 10000);
            await Eventually.True(async () => await Drops() == 0, "state recording was not published", 5000);
            string file = Path.Combine(folder, Recordings(folder)[0]);
            await Eventually.True(() => new FileInfo(file).Length > 1_000_000, "the recording does not grow", 10000);
            // A card that stops answering: every write waits (fsfreeze), as on a card busy with its own garbage collection.
            Assert.AreEqual(0, (await Tools.Run("fsfreeze", ["-f", folder])).ExitCode);
            frozen = true;
            long rssBefore = Environment.WorkingSet; // the server runs in this process
            await Eventually.True(async () => await Drops() >= 3, "no GOP was dropped while the card stood still", 30000);
            Assert.IsLessThan(40L << 20, Environment.WorkingSet - rssBefore, "at most the pending cap (16 MB) waits in memory");
            Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("GOPs are dropped")), string.Join("\n", server.Log.Lines));
            Assert.AreEqual("ok\n", await server.Http.GetStringAsync("/healthz"), "Edge goes on");
            using (var live = await server.Http.GetAsync("/live.mp4", HttpCompletionOption.ResponseHeadersRead))
                Assert.AreEqual(HttpStatusCode.OK, live.StatusCode, "viewers are still served");

            Assert.AreEqual(0, (await Tools.Run("fsfreeze", ["-u", folder])).ExitCode);
            frozen = false;
            long thawed = new FileInfo(file).Length;
            // What waited (at most 16 MB) is written, then the recording keeps up again.
            await Eventually.True(() => new FileInfo(file).Length > thawed + 20_000_000, "the recording did not go on", 20000);
            await Task.Delay(1500); // the state is published once a second
            long drops = await Drops();
            await Task.Delay(3000);
            Assert.AreEqual(drops, await Drops(), "no more drops once the card answers");
            var played = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", file, "-f", "null", "-"], TimeSpan.FromSeconds(60));
            Assert.AreEqual(0, played.ExitCode, played.Error);
        }
        finally
        {
            if (frozen) await Tools.Run("fsfreeze", ["-u", folder]);
            await server.Stop();
            await Tools.Run("umount", [folder]);
            File.Delete(image);
        }
    }

    // An H.264 camera of noise: x264 at a fixed quantizer makes about 3 MB/s at 320x240/25, in GOPs of 12 frames.
    private static string NoisyH264Camera => CameraFixtures.PipeConfig("h264",
        "-vf noise=alls=100:allf=t -c:v libx264 -preset ultrafast -qp 24 -g 12 -bf 0 -f h264");

    [TestMethod]
    public async Task AGpioInputWithTheRecordActionRecordsUntilThePostRollAfterItsLastEdge()
    {
        await using var server = await EdgeServer.Start(GpioFixtures.Config(
            """,{"name":"motion","line":22,"direction":"input","edge":"rising","action":"record"}""",
            moreSections: """ "Recording":{"Mode":"events","PreRollSeconds":1,"PostRollSeconds":2},"H264":{"KeyframeSeconds":1},"""));
        await Task.Delay(2000);
        GpioFixtures.Memory(server).SetLevel(GpioFixtures.Chip, 22, 1);
        await Eventually.True(async () => (await CameraFixtures.State(server, "recording")).GetProperty("recording").GetBoolean(),
            "the edge started no recording");
        Assert.AreEqual("gpio:motion", (await CameraFixtures.State(server, "recording")).GetProperty("reason").GetString());
        await Eventually.True(async () => !(await CameraFixtures.State(server, "recording")).GetProperty("recording").GetBoolean(),
            "the recording did not end after its post-roll", 8000);
        var recordings = await Until(async () =>
        {
            var list = await List(server);
            return list.Count == 1 && !list[0].GetProperty("open").GetBoolean() ? list : null;
        }, "the event's file was not closed", 10000);
        var (duration, _, _) = await Probe(Path.Combine(server.DataDir, "recordings", recordings[0].GetProperty("name").GetString()!));
        Assert.IsTrue(duration is >= 2.5 and < 6, $"1 s of pre-roll, 2 s of post-roll: {duration:0.00} s");
    }

    [TestMethod]
    public async Task ACameraWithoutH264RecordsATimelapseOfJpegsThatFfprobeReadsEvenWhenCut()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:Encoder", "none",
            "--Recording:Mode", "continuous", "--Recording:TimelapseSeconds", "1", "--Recording:SegmentSeconds", "5");
        var recordings = await Until(async () =>
        {
            var list = await List(server);
            return list.Count(r => !r.GetProperty("open").GetBoolean()) >= 1 ? list : null;
        }, "no timelapse file was closed", 20000);
        string closed = recordings.First(r => !r.GetProperty("open").GetBoolean()).GetProperty("name").GetString()!;
        StringAssert.EndsWith(closed, ".avi");
        string path = Path.Combine(server.DataDir, "recordings", closed);
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", path]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        string[] fields = probe.Output.Trim().Split(',');
        Assert.AreEqual(("mjpeg", CameraFixtures.Width, CameraFixtures.Height), (fields[0], int.Parse(fields[1]), int.Parse(fields[2])));
        Assert.AreEqual(5.0, int.Parse(fields[3]), 1.0, "a picture a second for five seconds");
        // The file being written is whole up to its last picture.
        string open = recordings.Where(r => r.GetProperty("open").GetBoolean()).Select(r => r.GetProperty("name").GetString()!)
            .FirstOrDefault() ?? closed;
        string copy = path + ".copy.avi";
        File.Copy(Path.Combine(server.DataDir, "recordings", open), copy);
        var cut = await Tools.Run("ffmpeg", ["-nostdin", "-v", "error", "-i", copy, "-f", "null", "-"]);
        Assert.AreEqual(0, cut.ExitCode, cut.Error);
        File.Delete(copy);
        using var served = await server.Http.GetAsync("/recordings/" + closed);
        Assert.AreEqual("video/x-msvideo", served.Content.Headers.ContentType?.MediaType);
    }

    [TestMethod]
    public async Task RetentionDeletesTheOldestSegmentsWhenMaxBytesIsReached()
    {
        // Noise makes each 5 s file more than 600 KB; at most 3 MB may be kept.
        string config = CameraFixtures.PipeConfig("i420", "-vf noise=alls=60:allf=t -f rawvideo -pix_fmt yuv420p");
        await using var server = await EdgeServer.Start(config, null, "--Recording:Mode", "continuous", "--Recording:SegmentSeconds", "5",
            "--Recording:MaxBytes", "3000000", "--H264:Bitrate", "1000");
        await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Recording: deleted")),
            "no recording was deleted:\n" + string.Join("\n", server.Log.Lines), 60000);
        var list = await List(server);
        long closedBytes = list.Where(r => !r.GetProperty("open").GetBoolean()).Sum(r => r.GetProperty("bytes").GetInt64());
        Assert.IsLessThanOrEqualTo(3000000, closedBytes, "the files kept stay under MaxBytes");
        string oldest = list[0].GetProperty("name").GetString()!;
        string line = server.Log.Lines.First(l => l.Contains("Recording: deleted"));
        string deleted = line[(line.IndexOf("deleted ", StringComparison.Ordinal) + 8)..].Split(' ')[0];
        Assert.IsLessThan(0, string.CompareOrdinal(deleted, oldest), $"the oldest went first: {deleted} before {oldest}");
    }

    [TestMethod]
    public async Task RecordingsOlderThanRetentionDaysAreDeletedAndYoungerOnesKept()
    {
        string dataDir = Directory.CreateTempSubdirectory("edge-data-").FullName;
        try
        {
            // Files left by an earlier run: three days old, two days old, and an hour old.
            string folder = Path.Combine(dataDir, "recordings");
            Directory.CreateDirectory(folder);
            var now = DateTimeOffset.UtcNow;
            string Name(TimeSpan age) => (now - age).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".mp4";
            string[] old = [Name(TimeSpan.FromDays(3)), Name(TimeSpan.FromDays(2))];
            string young = Name(TimeSpan.FromHours(1));
            foreach (string name in old.Append(young)) await File.WriteAllBytesAsync(Path.Combine(folder, name), new byte[1000]);
            await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--data-dir", dataDir,
                "--Recording:Mode", "continuous", "--Recording:RetentionDays", "1");
            await Eventually.True(() => old.All(n => !File.Exists(Path.Combine(folder, n))), "the files older than a day deleted", 15000);
            Assert.IsTrue(File.Exists(Path.Combine(folder, young)), "the hour-old file kept");
            foreach (string name in old) Assert.IsTrue(server.Log.Lines.Any(l => l.Contains($"Recording: deleted {name}")), name);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [TestMethod]
    public async Task OnANearlyFullCardTheOldestGoSoThatTheReserveIsNeverCrossed()
    {
        if (Environment.UserName != "root") Assert.Fail("Mounting a small file system needs root (CI runs the tests as root).");
        const long reserve = 1 << 20;
        // Noise: a few hundred KB a second, so a 4 MiB card (3 MiB above the reserve) fills within seconds.
        string config = CameraFixtures.PipeConfig("i420", "-vf noise=alls=40:allf=t -f rawvideo -pix_fmt yuv420p");
        await using var server = await EdgeServer.Start(config, null, "--Recording:Mode", "continuous",
            "--Recording:SegmentSeconds", "5", "--Files:ReserveBytes", reserve.ToString(CultureInfo.InvariantCulture));
        string folder = Path.Combine(server.DataDir, "recordings");
        Directory.CreateDirectory(folder);
        var mounted = await Tools.Run("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", folder]);
        Assert.AreEqual(0, mounted.ExitCode, mounted.Error);
        try
        {
            long least = long.MaxValue;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(40) && !server.Log.Lines.Any(l => l.Contains("Recording: deleted")))
            {
                least = Math.Min(least, new DriveInfo(folder).AvailableFreeSpace);
                await Task.Delay(100);
            }
            Assert.IsTrue(server.Log.Lines.Any(l => l.Contains("Recording: deleted")),
                "nothing was deleted:\n" + string.Join("\n", server.Log.Lines));
            for (int i = 0; i < 100; i++)
            {
                least = Math.Min(least, new DriveInfo(folder).AvailableFreeSpace);
                await Task.Delay(100);
            }
            // Each GOP is written only when it fits above the reserve with its boxes and the file system's rounding.
            Assert.IsGreaterThanOrEqualTo(reserve, least, $"free space went down to {least} bytes");
            // The oldest went first: every file deleted is older than every file kept.
            var deleted = server.Log.Lines.Where(l => l.Contains("Recording: deleted", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf("deleted ", StringComparison.Ordinal) + 8)..].Split(' ')[0]).ToList();
            var kept = Recordings(folder).ToList();
            Assert.IsLessThan(0, string.CompareOrdinal(deleted.Max(StringComparer.Ordinal), kept.Min(StringComparer.Ordinal)),
                $"deleted {string.Join(", ", deleted)}; kept {string.Join(", ", kept)}");
            var state = await CameraFixtures.State(server, "recording");
            Assert.AreEqual(0, state.GetProperty("drops").GetInt64());
            Assert.IsFalse(server.Log.Lines.Any(l => l.Contains("recordings") && l.Contains("fail", StringComparison.OrdinalIgnoreCase)),
                string.Join("\n", server.Log.Lines));
            Assert.IsTrue(state.GetProperty("recording").GetBoolean(), "recording goes on");
        }
        finally
        {
            await server.Stop();
            await Tools.Run("umount", [folder]);
        }
    }

    [TestMethod]
    public async Task ACardThatFillsUpOrTurnsReadOnlyIsRefusedOnceSaidInReadyzAndHealsWithANewFile()
    {
        if (Environment.UserName != "root") Assert.Fail("Mounting a file system needs root (CI runs the tests as root).");
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--Recording:Mode", "continuous",
            "--Recording:SegmentSeconds", "60", "--H264:KeyframeSeconds", "1", "--Files:ReserveBytes", "0");
        // The recordings on a card of their own: ext4 in a file, remounted read-only on an error, as an SD card is.
        string folder = Path.Combine(server.DataDir, "recordings"), image = server.DataDir + ".img";
        Directory.CreateDirectory(folder);
        Assert.AreEqual(0, (await Tools.Run("truncate", ["-s", "16M", image])).ExitCode);
        Assert.AreEqual(0, (await Tools.Run("mkfs.ext4", ["-q", image])).ExitCode);
        Assert.AreEqual(0, (await Tools.Run("mount", ["-o", "loop,errors=remount-ro", image, folder])).ExitCode);
        try
        {
            await Eventually.True(() => Recordings(folder).Length == 1, "no recording began", 10000);
            string first = Recordings(folder)[0];
            // Full: nothing older to delete (the file being written is kept), so the GOPs are refused.
            var fill = await Tools.Run("sh", ["-c", $"cat /dev/zero > {folder}/filler"]);
            await Eventually.True(async () => (await server.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
                "/readyz did not say the recordings fail", 10000);
            StringAssert.Contains(await (await server.Http.GetAsync("/readyz")).Content.ReadAsStringAsync(), "recordings");
            await Task.Delay(3000); // three more GOPs refused
            Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("Cannot write the recordings")), string.Join("\n", server.Log.Lines));
            File.Delete(Path.Combine(folder, "filler"));
            // Room again: a new file begins (to make room for it, the oldest may go, as retention says).
            await Eventually.True(() => Recordings(folder).Any(name => name != first),
                "no new file once there was room again:\n" + string.Join("\n", server.Log.Lines), 10000);
            await Eventually.True(async () => (await server.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
                "/readyz did not heal", 15000);
            string next = Recordings(folder).Last();
            long size = new FileInfo(Path.Combine(folder, next)).Length;
            await Eventually.True(() => new FileInfo(Path.Combine(folder, next)).Length > size, "the new file does not grow", 5000);

            // Read-only: refused again, and logged again (another cause).
            string device = (await Tools.Run("findmnt", ["-n", "-o", "SOURCE", folder])).Output.Trim();
            await File.WriteAllTextAsync($"/sys/fs/ext4/{Path.GetFileName(device)}/trigger_fs_error", "1");
            await Eventually.True(() => server.Log.Lines.Any(l => l.Contains("Cannot write the recordings") && l.Contains("Read-only")),
                "the read-only card was not logged:\n" + string.Join("\n", server.Log.Lines), 10000);
            Assert.AreEqual("ok\n", await server.Http.GetStringAsync("/healthz"), "Edge itself goes on");
            await Eventually.True(async () => (await server.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable,
                "/readyz did not say the read-only recordings fail", 10000);
            await Task.Delay(3000); // three more GOPs refused
            Assert.AreEqual(1, server.Log.Lines.Count(l => l.Contains("Cannot write the recordings") && l.Contains("Read-only")),
                "logged once: " + string.Join("\n", server.Log.Lines));
            // Repaired as a user would: unmounted, checked, mounted again. A new file, and ready again.
            var before = Recordings(folder);
            Assert.AreEqual(0, (await Tools.Run("umount", ["-l", folder])).ExitCode);
            var repaired = await Tools.Run("e2fsck", ["-fy", image]);
            Assert.IsTrue(repaired.ExitCode is 0 or 1, repaired.Output + repaired.Error);
            Assert.AreEqual(0, (await Tools.Run("mount", ["-o", "loop,errors=remount-ro", image, folder])).ExitCode);
            await Eventually.True(() => Recordings(folder).Except(before).Any(),
                "no new file once the card was writable again:\n" + string.Join("\n", server.Log.Lines), 10000);
            await Eventually.True(async () => (await server.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK,
                "/readyz did not heal after the read-only card", 15000);
        }
        finally
        {
            await server.Stop();
            await Tools.Run("umount", [folder]);
            File.Delete(image);
        }
    }

    private static string[] Recordings(string folder) => [.. Directory.GetFiles(folder, "*.mp4").Select(Path.GetFileName).Order()!];

    [TestMethod]
    public async Task TheListComesInPagesOldestFirstAndByTimeRange()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        string folder = Path.Combine(server.DataDir, "recordings");
        Directory.CreateDirectory(folder);
        // Five files of a minute each, a day apart, as the recorder names them; and one that is not a recording.
        var first = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        for (int day = 0; day < 5; day++)
        {
            var start = first.AddDays(day);
            string path = Path.Combine(folder, start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + ".mp4");
            await File.WriteAllBytesAsync(path, new byte[1000 + day]);
            File.SetLastWriteTimeUtc(path, start.AddMinutes(1).UtcDateTime);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "notes.txt"), "not a recording");

        var names = new List<string>();
        string? after = null;
        int pages = 0;
        do
        {
            var page = (await server.Call("recordings.list", new { limit = 2, after })).GetProperty("result");
            names.AddRange(page.GetProperty("recordings").EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
            after = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
        }
        while (after != null && pages < 10);
        Assert.AreEqual(3, pages, "five recordings in pages of two");
        CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToList(), names, "oldest first");
        Assert.HasCount(5, names);

        var range = (await server.Call("recordings.list", new { from = "2026-12-02T10:00:30Z", to = "2026-12-03T12:00:00Z" }))
            .GetProperty("result").GetProperty("recordings").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "20261202T100000Z.mp4", "20261203T100000Z.mp4" },
            range.Select(r => r.GetProperty("name").GetString()).ToArray(), "what overlaps the range");
        Assert.AreEqual(60.0, range[0].GetProperty("seconds").GetDouble(), 0.1);
        Assert.AreEqual(1001, range[0].GetProperty("bytes").GetInt64());

        foreach (object bad in new object[] { new { limit = 0 }, new { limit = 1001 }, new { after = "notes.txt" }, new { to = 5 } })
        {
            var refused = await server.Call("recordings.list", bad);
            Assert.AreEqual(-32602, refused.GetProperty("error").GetProperty("code").GetInt32(), refused.ToString());
        }
    }

    [TestMethod]
    public async Task RecordingsNeedALoginAndOnlyRecordingNamesAreServedOrDeleted()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern());
        using var anonymous = new HttpClient { BaseAddress = server.BaseUri };
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/recordings/20261205T141500Z.mp4")).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync("/recordings/20261205T141500Z.mp4")).StatusCode);
        string[] names = ["20261205T141500Z.mp4", "..%2Fedge.json", "journal", "20261305T141500Z.mp4", "20261205T141500Z-x.mp4"];
        foreach (string name in names)
        {
            Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.GetAsync("/recordings/" + name)).StatusCode, name);
            Assert.AreEqual(HttpStatusCode.NotFound, (await server.Http.DeleteAsync("/recordings/" + name)).StatusCode, name);
        }
        var refused = await server.Call("recordings.delete", new { name = "../device-id" });
        Assert.AreEqual(-32602, refused.GetProperty("error").GetProperty("code").GetInt32());
        var badTime = await server.Call("recordings.list", new { from = "yesterday" });
        StringAssert.Contains(badTime.GetProperty("error").GetProperty("message").GetString(), "ISO 8601");
    }

    [TestMethod]
    public async Task AnOperatorDeletesFinishedRecordingsByTheApiAndHttpButNotTheOneBeingWritten()
    {
        await using var server = await EdgeServer.Start(CameraFixtures.TestPattern(), null, "--H264:KeyframeSeconds", "1");
        string folder = Path.Combine(server.DataDir, "recordings");
        var (first, _) = await RecordAnEvent(server, TimeSpan.FromSeconds(2));
        var deleted = await server.Call("recordings.delete", new { name = first });
        Assert.IsTrue(deleted.GetProperty("result").GetBoolean(), deleted.ToString());
        Assert.IsFalse(File.Exists(Path.Combine(folder, first)), "gone from the card");
        Assert.IsEmpty(await List(server), "gone from the list");

        var (second, _) = await RecordAnEvent(server, TimeSpan.FromSeconds(2));
        using (var removed = await server.Http.DeleteAsync("/recordings/" + second))
            Assert.AreEqual(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.IsFalse(File.Exists(Path.Combine(folder, second)));
        using (var again = await server.Http.DeleteAsync("/recordings/" + second))
            Assert.AreEqual(HttpStatusCode.NotFound, again.StatusCode, "deleted once");

        Assert.IsTrue((await server.Call("recording.start")).GetProperty("result").GetBoolean());
        var open = await Until(async () => (await List(server)) is { Count: 1 } list ? list : null, "the new recording listed", 10000);
        string writing = open[0].GetProperty("name").GetString()!;
        using (var busy = await server.Http.DeleteAsync("/recordings/" + writing))
        {
            Assert.AreEqual(HttpStatusCode.Conflict, busy.StatusCode);
            StringAssert.Contains(await busy.Content.ReadAsStringAsync(), "is being recorded; stop first");
        }
        var refused = await server.Call("recordings.delete", new { name = writing });
        StringAssert.Contains(refused.GetProperty("error").GetProperty("message").GetString(), "is being recorded");
        Assert.IsTrue(File.Exists(Path.Combine(folder, writing)), "the file being written is kept");
        await server.Call("recording.stop");
    }

    private static async Task<List<JsonElement>> Until(Func<Task<List<JsonElement>?>> value, string what, int timeoutMs)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (await value() is { } found) return found;
            if (DateTime.UtcNow > deadline) Assert.Fail(what);
            await Task.Delay(200);
        }
    }

    // recording.start, the event's length, recording.stop: the file's name once it is closed, and when the event began.
    private static async Task<(string Name, DateTimeOffset Started)> RecordAnEvent(EdgeServer server, TimeSpan length)
    {
        var started = DateTimeOffset.UtcNow;
        Assert.IsTrue((await server.Call("recording.start")).GetProperty("result").GetBoolean());
        await Task.Delay(length);
        Assert.IsFalse((await server.Call("recording.stop")).GetProperty("result").GetBoolean(), "stopped");
        var recordings = await Until(async () =>
        {
            var list = await List(server);
            return list.Count == 1 && !list[0].GetProperty("open").GetBoolean() ? list : null;
        }, "the event's file was not closed", 10000);
        return (recordings[0].GetProperty("name").GetString()!, started);
    }

    // A recording's start from its name (whole seconds).
    private static DateTimeOffset StartOf(string name)
        => DateTimeOffset.ParseExact(name[..16], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static async Task<List<JsonElement>> List(EdgeServer server)
        => [.. (await server.Call("recordings.list")).GetProperty("result").GetProperty("recordings").EnumerateArray()];

    private static async Task<List<long>> PacketSizes(string path)
    {
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "packet=size", "-of", "csv=p=0", path]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        return [.. probe.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => long.Parse(line.Trim(), CultureInfo.InvariantCulture))];
    }

    // The longest time between two key frames of a file, in seconds.
    private static async Task<double> LongestGop(string path)
    {
        var probe = await Tools.Run("ffprobe",
            ["-v", "error", "-select_streams", "v", "-show_entries", "packet=flags,pts_time", "-of", "csv=p=0", path]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        var keys = probe.Output.Split('\n').Select(l => l.Split(',')).Where(f => f.Length == 2 && f[1].StartsWith('K'))
            .Select(f => double.Parse(f[0], CultureInfo.InvariantCulture)).ToList();
        return keys.Zip(keys.Skip(1), (a, b) => b - a).DefaultIfEmpty(1).Max();
    }

    // The file's fragments (moof and mdat after the init segment), and how many begin with a key frame.
    private static async Task<(int Fragments, int KeyFragments)> Fragments(string path)
    {
        await using var file = File.OpenRead(path);
        var reader = new Mp4BoxReader(file);
        while (await reader.Next() is { } box && box.Type != "moov") { }
        int fragments = 0, keys = 0;
        while (await reader.NextFragment() is { } fragment)
        {
            fragments++;
            if (Mp4BoxReader.IsKeyFragment(fragment)) keys++;
        }
        return (fragments, keys);
    }

    private static async Task<int> KeyFrames(string path)
    {
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "packet=flags", "-of", "csv=p=0", path]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        return probe.Output.Split('\n').Count(l => l.StartsWith('K'));
    }

    private static async Task<(double Duration, int Frames, bool FirstKey)> Probe(string path)
    {
        var probe = await Tools.Run("ffprobe", ["-v", "error", "-show_entries", "format=duration:packet=flags", "-of", "json", path]);
        Assert.AreEqual(0, probe.ExitCode, probe.Error);
        using var json = JsonDocument.Parse(probe.Output);
        var packets = json.RootElement.GetProperty("packets").EnumerateArray().ToList();
        string duration = json.RootElement.GetProperty("format").GetProperty("duration").GetString()!;
        bool firstKey = packets[0].GetProperty("flags").GetString()!.StartsWith('K');
        return (double.Parse(duration, CultureInfo.InvariantCulture), packets.Count, firstKey);
    }
}
