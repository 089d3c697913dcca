using System.Buffers.Binary;
using System.Text;
using Edge.Runtime;
using Edge.State;
using Edge.Tests.Support;

namespace Edge.Tests.State;

/// <summary>The event journal on a real loop, pool and directory: framing, recovery of a damaged tail, rotation, paging.</summary>
[TestClass]
public sealed class JournalTests
{
    private readonly TestLog _log = new();
    private EventLoop _loop = null!;
    private WorkerPool _pool = null!;
    private string _dir = null!;

    [TestInitialize]
    public void Start()
    {
        _loop = new EventLoop(_log.CreateLogger("loop"));
        _pool = new WorkerPool(2, 64);
        _dir = Directory.CreateTempSubdirectory("edge-journal-").FullName;
    }

    [TestCleanup]
    public void Stop()
    {
        _pool.Dispose();
        _loop.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private EventJournal Journal(int maxFileBytes = 1 << 20, int files = 4)
        => new(_loop, _pool, _dir, new JournalSettings { MaxFileBytes = maxFileBytes, Files = files },
            new StorageHealth(TimeProvider.System, _log), _log.CreateLogger("journal"));

    private Task<T> OnLoop<T>(Func<Task<T>> work) => _loop.InvokeAsync(work);

    private Task<long[]> Append(EventJournal journal, int count, string kind = "test.event", int padding = 0)
        => OnLoop(async () =>
        {
            await journal.Open();
            var appends = Enumerable.Range(0, count)
                .Select(i => journal.Append(kind, $"event {i} {new string('x', padding)}", JournalJsonContext.Default.String)).ToList();
            return await Task.WhenAll(appends);
        });

    private Task<JournalPage> List(EventJournal journal, long? before = null, int limit = 1000, string kind = "")
        => OnLoop(async () =>
        {
            await journal.Open();
            return await journal.List(before, limit, kind);
        });

    [TestMethod]
    public void Crc32CMatchesTheStandardCheckValueInHardwareAndSoftware()
    {
        byte[] check = Encoding.ASCII.GetBytes("123456789");
        Assert.AreEqual(0xE3069283u, Crc32C.Compute(check));
        Assert.AreEqual(0xE3069283u, Crc32C.Software(check));
        byte[] longer = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.AreEqual(Crc32C.Software(longer), Crc32C.Compute(longer));
    }

    [TestMethod]
    public void ReadingStopsAtATornRecordACorruptChecksumAndAnAbsurdLength()
    {
        byte[] Record(string text)
        {
            byte[] payload = Encoding.UTF8.GetBytes(text);
            var record = new byte[JournalRecord.HeaderSize + payload.Length];
            JournalRecord.WriteHeader(record, payload);
            payload.CopyTo(record, JournalRecord.HeaderSize);
            return record;
        }
        byte[] good = [.. Record("one"), .. Record("two")];
        Assert.AreEqual(2, JournalRecord.ReadAll(good).Payloads.Count);
        Assert.AreEqual((1, Record("one").Length), Count(JournalRecord.ReadAll(good[..^1])));
        byte[] flipped = [.. good];
        flipped[^1] ^= 1;
        Assert.AreEqual((1, Record("one").Length), Count(JournalRecord.ReadAll(flipped)));
        byte[] absurd = [.. Record("one"), .. new byte[12]];
        BinaryPrimitives.WriteInt32LittleEndian(absurd.AsSpan(Record("one").Length), int.MaxValue);
        Assert.AreEqual((1, Record("one").Length), Count(JournalRecord.ReadAll(absurd)));

        static (int, int) Count((List<ReadOnlyMemory<byte>> Payloads, int IntactLength) read) => (read.Payloads.Count, read.IntactLength);
    }

    [TestMethod]
    public async Task AppendsGetGrowingNumbersAndAreListedNewestFirstAfterAReopen()
    {
        var seqs = await Append(Journal(), 50);
        CollectionAssert.AreEqual(Enumerable.Range(1, 50).Select(i => (long)i).ToArray(), seqs);
        var page = await List(Journal());
        Assert.AreEqual(50, page.Events.Count);
        Assert.AreEqual(50, page.Events[0].Seq);
        Assert.AreEqual("event 49 ", page.Events[0].Data.GetString());
        Assert.AreEqual("test.event", page.Events[0].Kind);
        Assert.IsNull(page.Next);
        // Numbering goes on where it stopped.
        Assert.AreEqual(51, (await Append(Journal(), 1))[0]);
    }

    [TestMethod]
    public async Task ATornTailIsCutOnOpenAndReportedAndLaterAppendsFollowTheLastGoodRecord()
    {
        await Append(Journal(), 10);
        string file = Path.Combine(_dir, "journal");
        long length = new FileInfo(file).Length;
        // A crash in the middle of the last record's write.
        using (var stream = new FileStream(file, FileMode.Open)) stream.SetLength(length - 5);
        Assert.AreEqual(10, (await Append(Journal(), 1))[0], "record 10 was torn: its number is used again");
        var page = await List(Journal());
        CollectionAssert.AreEqual(Enumerable.Range(1, 10).Reverse().Select(i => (long)i).ToArray(),
            page.Events.Select(e => e.Seq).ToArray());
        Assert.IsTrue(_log.Lines.Any(l => l.Contains("cut") && l.Contains("torn or corrupt")), string.Join("\n", _log.Lines));
    }

    [TestMethod]
    public async Task FilesRotateBySizeKeepingTheNewestAndPagesRunAcrossThem()
    {
        var journal = Journal(maxFileBytes: 65536, files: 3);
        // About 1 KB a record: 300 records need five files; three are kept.
        await Append(journal, 300, padding: 1000);
        var files = Directory.GetFiles(_dir).Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(new[] { "journal", "journal.1", "journal.2" }, files);
        Assert.IsTrue(files.All(f => new FileInfo(Path.Combine(_dir, f!)).Length <= 65536));

        var all = new List<long>();
        long? before = null;
        do
        {
            var page = await List(journal, before, limit: 50);
            all.AddRange(page.Events.Select(e => e.Seq));
            before = page.Next;
        } while (before != null);
        Assert.AreEqual(300, all[0]);
        CollectionAssert.AreEqual(Enumerable.Range(0, all.Count).Select(i => 300L - i).ToArray(), all.ToArray(), "newest first, no gaps");
        Assert.IsTrue(all.Count is > 100 and < 200, $"{all.Count} records kept in three files");
        Assert.AreEqual(301, (await Append(Journal(maxFileBytes: 65536, files: 3), 1))[0]);
    }

    [TestMethod]
    public async Task ABatchWhoseRotationFailsHalfwayAcknowledgesTheRecordsAlreadyOnDiskAndRefusesOnlyTheRest()
    {
        // The rotation cannot delete the oldest file: it is a directory.
        Directory.CreateDirectory(Path.Combine(_dir, "journal.1"));
        var journal = Journal(maxFileBytes: 4096, files: 2);
        var results = await OnLoop(async () =>
        {
            await journal.Open();
            // The first append drains alone; the next nine wait for it and go as one batch of about 9 KB.
            var appends = Enumerable.Range(0, 10)
                .Select(i => journal.Append("test.event", $"event {i} {new string('x', 1000)}", JournalJsonContext.Default.String))
                .ToList();
            var outcomes = new List<(long? Seq, Exception? Error)>();
            foreach (var append in appends)
            {
                try { outcomes.Add((await append, null)); }
                catch (StorageException e) { outcomes.Add((null, e)); }
            }
            return outcomes;
        });
        var acknowledged = results.TakeWhile(r => r.Seq != null).Select(r => r.Seq!.Value).ToList();
        Assert.IsTrue(acknowledged.Count is > 1 and < 10, $"{acknowledged.Count} acknowledged: {string.Join(", ", results)}");
        CollectionAssert.AreEqual(Enumerable.Range(1, acknowledged.Count).Select(i => (long)i).ToList(), acknowledged);
        Assert.IsTrue(results.Skip(acknowledged.Count).All(r => r.Error != null), "the rest refused");
        var listed = (await List(journal)).Events.Select(e => e.Seq).Order().ToList();
        CollectionAssert.AreEqual(acknowledged, listed, "exactly the acknowledged records are in the journal");
    }

    [TestMethod]
    public async Task ListingFiltersByKindPrefix()
    {
        var journal = Journal();
        await Append(journal, 3, "gpio.edge");
        await Append(journal, 2, "user.note");
        var page = await List(journal, kind: "user.");
        Assert.AreEqual(2, page.Events.Count);
        Assert.IsTrue(page.Events.All(e => e.Kind == "user.note"));
    }
}
