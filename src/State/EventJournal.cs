using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Runtime;
using Microsoft.Extensions.Logging;

namespace Edge.State;

/// <summary>Appends were refused because the disk has not kept up.</summary>
public sealed class JournalFullException(int capacity)
    : Exception($"The event journal has {capacity} events waiting for the disk; try again later.");

/// <summary>
/// The append-only event journal in <c>DATA_DIR/events/</c>: framed, checksummed records
/// (<see cref="JournalRecord"/>), each with a sequence number that only grows. An append completes
/// once its record is on disk (fsync), so an acknowledged event survives kill -9 and power loss;
/// appends made while the disk is busy are written together with one fsync. On start a torn or
/// corrupt tail is cut off and reported. Files rotate by size. Called on the loop; the file work runs
/// on the worker pool, one step at a time in order.
/// </summary>
public sealed partial class EventJournal(EventLoop loop, WorkerPool pool, string directory, JournalSettings settings, StorageHealth storage,
    ILogger logger)
{
    /// <summary>How the journal is named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "event journal";

    /// <summary>Events that may wait for the disk; beyond that appends fail.</summary>
    public const int MaxPending = 4096;
    private const string FileName = "journal";

    private List<Pending> _pending = [];
    private bool _draining;
    private Task _drained = Task.CompletedTask;
    private readonly SerialChain _files = new();
    // Touched only by the file steps, which run one after another.
    private FileStream? _stream;
    private long _size, _lastSeq;
    // The batch being written: its first sequence number and how many of its records are on disk, which
    // is all of them unless a step fails halfway (a rotation between two commits).
    private long _batchFirst;
    private int _batchCommitted;

    private sealed record Pending(DateTimeOffset Time, string Kind, byte[] Data, TaskCompletionSource<long> Done);

    /// <summary>Raised on the loop when appended events are on disk, with the newest one's sequence number.</summary>
    public event Action<long>? Written;

    /// <summary>Opens the journal (cutting a damaged tail) on the pool; appends made before it finishes wait for it.</summary>
    public Task Open() => Exclusive(() =>
    {
        Recover();
        return true;
    });

    /// <summary>
    /// Appends without waiting for the disk, for events nobody awaits (service restarts, GPIO edges):
    /// a failure is logged and counted by the journal's storage health, never left unobserved.
    /// </summary>
    public void Record<T>(string kind, T data, JsonTypeInfo<T> type) => _ = Observed(Append(kind, data, type));

    private static async Task Observed(Task<long> append)
    {
        try { await append; }
        catch (Exception) { } // logged where it failed
    }

    /// <summary>Appends an event; the task gives its sequence number once it is on disk.</summary>
    public Task<long> Append<T>(string kind, T data, JsonTypeInfo<T> type)
    {
        loop.VerifyAccess();
        if (_pending.Count >= MaxPending) return Task.FromException<long>(new JournalFullException(MaxPending));
        var pending = new Pending(loop.Time.GetUtcNow(), kind, JsonSerializer.SerializeToUtf8Bytes(data, type),
            new TaskCompletionSource<long>());
        _pending.Add(pending);
        if (!_draining) _drained = Drain();
        return pending.Done.Task;
    }

    /// <summary>Completes when everything appended so far is on disk (or failed).</summary>
    public Task Flush() => _draining ? _drained : Task.CompletedTask;

    /// <summary>
    /// Events newest first, older than <paramref name="before"/> when given, of kinds starting with
    /// <paramref name="kindPrefix"/>.
    /// </summary>
    public Task<JournalPage> List(long? before, int limit, string kindPrefix) => Exclusive(() => ReadPage(before, limit, kindPrefix));

    private async Task Drain()
    {
        _draining = true;
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending;
                _pending = [];
                long first;
                // Nothing of this batch is on disk until its write commits some.
                _batchCommitted = 0;
                try
                {
                    first = await Exclusive(() => Write(batch));
                }
                catch (Exception e)
                {
                    // Logged by the storage health once per cause: a full card fails every batch.
                    storage.Failed(StorageWriter, e);
                    // What was committed before the failure is on disk: acknowledged, not refused (a retry would duplicate it).
                    for (int i = 0; i < _batchCommitted; i++) batch[i].Done.SetResult(_batchFirst + i);
                    if (_batchCommitted > 0) Written?.Invoke(_batchFirst + _batchCommitted - 1);
                    var refusal = new StorageException("The event was not written", e);
                    for (int i = _batchCommitted; i < batch.Count; i++) batch[i].Done.SetException(refusal);
                    continue;
                }
                storage.Succeeded(StorageWriter);
                for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(first + i);
                Written?.Invoke(first + batch.Count - 1);
            }
        }
        finally
        {
            _draining = false;
        }
    }

    // Runs the file steps one at a time, in the order they were asked for.
    private Task<T> Exclusive<T>(Func<T> step)
        => _files.Then(static s => s.Pool.Submit(_ => s.Step(), PoolFullMode.Wait), (Pool: pool, Step: step));

    private string PathOf(int generation) => Path.Combine(directory, generation == 0 ? FileName : $"{FileName}.{generation}");

    private void Recover()
    {
        Directory.CreateDirectory(directory);
        string path = PathOf(0);
        bool existed = File.Exists(path);
        byte[] content = existed ? File.ReadAllBytes(path) : [];
        var (payloads, intact) = JournalRecord.ReadAll(content);
        _stream?.Dispose();
        _stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            // Batches are written whole; a buffer would keep a failed batch's bytes and write them later.
            BufferSize = 0,
        });
        if (intact < content.Length)
        {
            _stream.SetLength(intact);
            _stream.Flush(flushToDisk: true);
            Log.TornRecordCut(logger, path, content.Length - intact, intact);
        }
        // A new file's directory entry must be durable before its records count as written.
        if (!existed) AtomicFile.SyncDirectory(directory);
        _stream.Seek(intact, SeekOrigin.Begin);
        _size = intact;
        _lastSeq = payloads.Count > 0 ? SeqOf(payloads[^1]) : LastSeqOfRotated();
    }

    // The newest sequence number in the rotated files, for a current file that is empty.
    private long LastSeqOfRotated()
    {
        string path = PathOf(1);
        if (!File.Exists(path)) return 0;
        var (payloads, _) = JournalRecord.ReadAll(File.ReadAllBytes(path));
        return payloads.Count > 0 ? SeqOf(payloads[^1]) : 0;
    }

    private static long SeqOf(ReadOnlyMemory<byte> payload)
    {
        var reader = new Utf8JsonReader(payload.Span);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("seq") && reader.Read()) return reader.GetInt64();
        }
        return 0;
    }

    // Writes a batch with one fsync (one per file when it rotates on the way); the first record's sequence number.
    private long Write(List<Pending> batch)
    {
        if (_stream == null) Recover();
        long first = _batchFirst = _lastSeq + 1;
        var buffer = new ArrayBufferWriter<byte>();
        int buffered = 0;
        var payload = new ArrayBufferWriter<byte>();
        for (int i = 0; i < batch.Count; i++)
        {
            payload.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(payload))
            {
                json.WriteStartObject();
                json.WriteNumber("seq", first + i);
                json.WriteString("time", batch[i].Time);
                json.WriteString("kind", batch[i].Kind);
                json.WritePropertyName("data");
                json.WriteRawValue(batch[i].Data, skipInputValidation: true);
                json.WriteEndObject();
            }
            long size = _size + buffer.WrittenCount;
            if (size > 0 && size + JournalRecord.HeaderSize + payload.WrittenCount > settings.MaxFileBytes)
            {
                Commit(buffer, buffered);
                buffered = 0;
                Rotate();
            }
            JournalRecord.WriteHeader(buffer.GetSpan(JournalRecord.HeaderSize), payload.WrittenSpan);
            buffer.Advance(JournalRecord.HeaderSize);
            buffer.Write(payload.WrittenSpan);
            buffered++;
        }
        Commit(buffer, buffered);
        return first;
    }

    // Appends the buffered records to the current file and fsyncs it.
    private void Commit(ArrayBufferWriter<byte> buffer, int records)
    {
        if (records == 0) return;
        try
        {
            _stream!.Write(buffer.WrittenSpan);
            _stream.Flush(flushToDisk: true);
        }
        catch
        {
            // A half-written batch must not stay in front of later records: cut it, or reopen (which cuts a torn tail) next time.
            try { _stream!.SetLength(_size); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Close(); }
            throw;
        }
        _size += buffer.WrittenCount;
        _lastSeq += records;
        _batchCommitted += records;
        buffer.ResetWrittenCount();
    }

    // Drops the file handle whatever state it is in; the next write reopens the file and recovers it.
    private void Close()
    {
        try { _stream?.Dispose(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _stream = null;
    }

    private void Rotate()
    {
        _stream!.Dispose();
        _stream = null;
        File.Delete(PathOf(settings.Files - 1));
        for (int generation = settings.Files - 2; generation >= 0; generation--)
        {
            if (File.Exists(PathOf(generation))) File.Move(PathOf(generation), PathOf(generation + 1));
        }
        Recover();
    }

    private JournalPage ReadPage(long? before, int limit, string kindPrefix)
    {
        var events = new List<JournalEvent>();
        bool more = false;
        for (int generation = 0; generation < settings.Files && !more; generation++)
        {
            string path = PathOf(generation);
            if (!File.Exists(path)) continue;
            var (payloads, _) = JournalRecord.ReadAll(File.ReadAllBytes(path));
            for (int i = payloads.Count - 1; i >= 0; i--)
            {
                var item = JsonSerializer.Deserialize(payloads[i].Span, JournalJsonContext.Default.JournalEvent);
                if (item == null || (before is { } b && item.Seq >= b) || !item.Kind.StartsWith(kindPrefix, StringComparison.Ordinal))
                    continue;
                if (events.Count == limit)
                {
                    more = true;
                    break;
                }
                events.Add(item);
            }
        }
        return new JournalPage(events, more ? events[^1].Seq : null);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning,
            Message = "Event journal {File}: cut {Bytes} bytes of a torn or corrupt record at offset {Offset} (a crash during a write)")]
        public static partial void TornRecordCut(ILogger logger, string file, long bytes, long offset);
    }
}
