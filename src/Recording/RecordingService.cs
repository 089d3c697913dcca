using Edge.Camera;
using Edge.Runtime;
using Edge.State;
using Edge.Video;
using Edge.Video.Mp4;
using Microsoft.Extensions.Logging;

namespace Edge.Recording;

/// <summary>
/// Records the camera's H.264 to <c>DATA_DIR/recordings</c> as fragmented MP4, one fragment per GOP,
/// one file per <c>SegmentSeconds</c> (cut at a key frame the encoder is asked for). <c>continuous</c> records all the time;
/// <c>events</c> keeps the last <c>PreRollSeconds</c> of encoded GOPs in memory (bounded in bytes too)
/// and writes them, then the live GOPs, from a trigger (<see cref="Trigger"/>: GPIO, motion) until
/// <c>PostRollSeconds</c> after the last one; <see cref="Start"/> and <see cref="Stop"/> (the API)
/// record in any mode. Files are written on the pool, one step after another; a card that cannot keep
/// up loses whole GOPs (counted), never holds up the loop. Before each file, and once a minute, the
/// oldest recordings go while any is past <c>RetentionDays</c>, all pass <c>MaxBytes</c>, or the card
/// would come within <c>Files:ReserveBytes</c>. Write failures are the <c>recordings</c> writer's in
/// <see cref="StorageHealth"/> (logged once, <c>/readyz</c>) and are retried at the next GOP. State
/// <c>recording</c>, once a second. A camera without H.264 records a timelapse instead: a JPEG every
/// <c>TimelapseSeconds</c> into an MJPEG AVI per segment, while recording (no pre-roll). Loop only.
/// </summary>
public sealed partial class RecordingService(EventLoop loop, WorkerPool pool, CameraService camera, H264Service h264,
    RecordingStore store, StorageHealth storage, EventJournal journal, StateStore state, RecordingSettings settings, ILogger logger)
{
    /// <summary>How recordings are named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "recordings";

    /// <summary>Bytes of encoded video the pre-roll may hold, whatever its seconds.</summary>
    public const long PreRollMaxBytes = 8 << 20;

    private const long WriteMargin = 64 << 10;

    // Bytes of GOPs waiting for the card (a whole pre-roll fits); more are dropped.
    private const long MaxPendingBytes = 2 * PreRollMaxBytes;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly List<RecordedGop> _preRoll = [];
    private readonly SerialChain _writes = new();
    private readonly RateLimitedLog _dropLog = new(logger, loop.Time, perMinute: 1);
    private TaskCompletionSource _changed = new();
    private CancellationTokenSource? _session;
    private RecordedGop? _current;
    private Mp4Track? _track;
    // The loop's view of the file being written: its name once open, the GOP that began it, its track.
    private bool _segmentOpen;
    private int _segmentNumber;
    private long _segmentStart;
    private Mp4Track? _segmentTrack;
    private string? _fileName;
    private bool _manual, _cutAsked;
    private long _lastFrame, _frameGap;
    private long _eventUntil = long.MinValue;
    private long _stoppedAt = long.MinValue; // a GOP begun before the stop is still written: the picture up to Stop is kept
    private string? _reason;
    private long _pendingBytes;
    private long _lastPrune;
    private bool _timelapse;
    // Owned by the write steps (one at a time, on the pool).
    private SegmentFile? _file;
    private MjpegAviFile? _avi;

    /// <summary>GOPs lost because the card could not keep up.</summary>
    public long Drops { get; private set; }

    /// <summary>Bytes written since start.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Files finished since start.</summary>
    public long Segments { get; private set; }

    /// <summary>Whether GOPs are being written now.</summary>
    public bool Recording => Records(loop.Time.GetTimestamp());

    /// <summary>Records until <see cref="Stop"/> (the API's <c>recording.start</c>), in any mode.</summary>
    public void Start(string reason)
    {
        loop.VerifyAccess();
        if (!_manual && !Recording) Began(reason);
        _manual = true;
        Wake();
    }

    /// <summary>Ends what <see cref="Start"/> and triggers began (continuous recording goes on).</summary>
    public void Stop()
    {
        loop.VerifyAccess();
        bool was = Recording;
        if (was) _stoppedAt = loop.Time.GetTimestamp();
        _manual = false;
        _eventUntil = long.MinValue;
        if (was && !Recording) journal.Record("recording.stopped", _reason ?? "", StateJsonContext.Default.String);
    }

    /// <summary>An event: records from <c>PreRollSeconds</c> before now until <c>PostRollSeconds</c> after the last trigger.</summary>
    public void Trigger(string reason)
    {
        loop.VerifyAccess();
        if (!Recording) Began(reason);
        _eventUntil = loop.Time.GetTimestamp() + (long)(settings.PostRollSeconds * loop.Time.TimestampFrequency);
        Wake();
    }

    public async Task Run(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        using var beat = loop.Heartbeat.Subscribe(Tick);
        try
        {
            while (true)
            {
                var changed = _changed.Task;
                _timelapse = h264.Unavailable != null;
                if (!Capturing) await changed.WaitAsync(cancellationToken);
                else if (_timelapse) await TimelapseWhileWanted(cancellationToken);
                else await CaptureWhileWanted(cancellationToken);
            }
        }
        finally
        {
            await _writes.Drained();
        }
    }

    // Frames are taken while anything may be written: always in continuous and events (the pre-roll), else while recording.
    private bool Capturing => settings.Mode != "off" || Recording;

    // No H.264: a JPEG every TimelapseSeconds while recording, each picture a write step.
    private async Task TimelapseWhileWanted(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _session = session;
        var interval = TimeSpan.FromSeconds(settings.TimelapseSeconds);
        try
        {
            while (true)
            {
                long now = loop.Time.GetTimestamp();
                if (!Records(now))
                {
                    CloseSegment();
                }
                else if (await camera.Jpeg.Next(camera.Settings.FreshFor(), TimeSpan.FromSeconds(camera.Settings.SnapshotTimeoutSeconds),
                    session.Token) is { } picture)
                {
                    bool newSegment = !_segmentOpen
                        || loop.Time.GetElapsedTime(_segmentStart, now) >= TimeSpan.FromSeconds(settings.SegmentSeconds);
                    if (newSegment)
                    {
                        CloseSegment();
                        _segmentOpen = true;
                        _segmentNumber++;
                        _segmentStart = now;
                    }
                    Enqueue(new PictureStep(this, picture, _segmentNumber, newSegment ? CapturedAt(picture.Timestamp) : null));
                }
                await loop.Delay(interval, session.Token);
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Nothing to record any more, or the camera has H.264 now.
        }
        finally
        {
            _session = null;
            CloseSegment();
        }
    }

    private long AppendPictureOnPool(PictureStep job)
    {
        var picture = job.Picture;
        if (job.NewFileStart is { } start)
        {
            CloseOnPool();
            long needed = picture.Length * Math.Max(1, settings.SegmentSeconds / settings.TimelapseSeconds);
            foreach (string name in store.Prune(settings, needed + WriteMargin, start)) Log.Deleted(logger, name);
            if (!Fits(picture.Length)) throw NoRoom();
            // Named as being written before it exists: a listing in between must not call it finished.
            string fileName = store.NewName(start, ".avi");
            store.Writing = fileName;
            _avi = MjpegAviFile.Create(store.PathOf(fileName), picture.Width, picture.Height);
        }
        else if (_avi == null)
        {
            return 0;
        }
        else if (!Fits(picture.Length))
        {
            var now = loop.Time.GetUtcNow();
            foreach (string name in store.Prune(settings, picture.Length * 2 + WriteMargin, now)) Log.Deleted(logger, name);
            if (!Fits(picture.Length)) throw NoRoom();
        }
        long before = _avi.Bytes;
        _avi.Append(picture.Data);
        return _avi.Bytes - before;
    }

    private bool Records(long start) => settings.Mode == "continuous" || _manual || (_eventUntil != long.MinValue && start < _eventUntil)
        || start < _stoppedAt;

    private void Began(string reason)
    {
        _reason = reason;
        journal.Record("recording.started", reason, StateJsonContext.Default.String);
    }

    private void Wake()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource();
        changed.TrySetResult();
    }

    private async Task CaptureWhileWanted(CancellationToken cancellationToken)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _session = session;
        using var viewer = camera.H264.AddViewer(TimeSpan.Zero);
        long skipped = 0;
        try
        {
            while (await viewer.NextDecodable(session.Token) is { } frame)
            {
                try
                {
                    // A missed frame breaks its GOP: what came of it is dropped, the next GOP starts clean.
                    if (viewer.Skipped != skipped)
                    {
                        skipped = viewer.Skipped;
                        _current?.Release();
                        _current = null;
                    }
                    Take(frame);
                }
                finally
                {
                    frame.Release();
                }
            }
        }
        catch (OperationCanceledException) when (session.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Nothing to record any more.
        }
        finally
        {
            _session = null;
            if (_current is { } last)
            {
                _current = null;
                last.End = loop.Time.GetTimestamp();
                // Stopping too: the pool outlives the services, so the last GOP still reaches the card.
                if (Records(last.Start)) Write(last);
                else last.Release();
            }
            foreach (var gop in _preRoll) gop.Release();
            _preRoll.Clear();
            CloseSegment();
        }
    }

    private void Take(Frame frame)
    {
        if (_lastFrame != 0) _frameGap = frame.Timestamp - _lastFrame;
        _lastFrame = frame.Timestamp;
        // The encoder is asked for the key frame that begins the next file a frame early, so files last SegmentSeconds.
        if (_segmentOpen && !_cutAsked && loop.Time.GetElapsedTime(_segmentStart, frame.Timestamp + _frameGap * 3 / 2)
            >= TimeSpan.FromSeconds(settings.SegmentSeconds))
        {
            _cutAsked = true;
            camera.H264.RequestKeyFrame();
        }
        if (frame.IsKeyFrame)
        {
            if (_current is { } finished)
            {
                _current = null;
                finished.End = frame.Timestamp;
                Finish(finished);
            }
            _track = _track != null && _track.Matches(frame.Data) ? _track : Mp4Track.From(frame.Data);
            if (_track == null) return; // a key frame without parameter sets: wait for one with them
            _current = new RecordedGop(_track, frame.Timestamp);
        }
        if (_current == null) return;
        _current.Add(frame);
        // A GOP that never ends (a camera's own, at a high rate) is not kept whole.
        if (_current.Bytes > PreRollMaxBytes)
        {
            _current.Release();
            _current = null;
        }
    }

    // A whole GOP: written when it belongs to a recording (the pre-roll first), else kept as pre-roll.
    private void Finish(RecordedGop gop)
    {
        if (Records(gop.Start))
        {
            foreach (var held in _preRoll) Write(held);
            _preRoll.Clear();
            Write(gop);
            return;
        }
        CloseSegment();
        _preRoll.Add(gop);
        long bytes = 0;
        foreach (var held in _preRoll) bytes += held.Bytes;
        var keep = TimeSpan.FromSeconds(settings.PreRollSeconds);
        // The oldest goes while the next one still reaches back far enough, or the bytes are too many.
        while (_preRoll.Count > 0 && (keep == TimeSpan.Zero || bytes > PreRollMaxBytes
            || (_preRoll.Count > 1 && loop.Time.GetElapsedTime(_preRoll[1].Start, gop.End) >= keep)))
        {
            bytes -= _preRoll[0].Bytes;
            _preRoll[0].Release();
            _preRoll.RemoveAt(0);
        }
    }

    private void Write(RecordedGop gop)
    {
        if (_pendingBytes + gop.Bytes > MaxPendingBytes)
        {
            Drops++;
            gop.Release();
            if (_dropLog.Admit()) Log.CardTooSlow(logger, _pendingBytes);
            return;
        }
        bool newSegment = !_segmentOpen || gop.Track != _segmentTrack
            || loop.Time.GetElapsedTime(_segmentStart, gop.Start + _frameGap * 2) >= TimeSpan.FromSeconds(settings.SegmentSeconds);
        if (newSegment)
        {
            CloseSegment();
            _segmentOpen = true;
            _segmentNumber++;
            _cutAsked = false;
            _segmentStart = gop.Start;
            _segmentTrack = gop.Track;
        }
        Enqueue(new GopStep(this, gop, _segmentNumber, newSegment ? CapturedAt(gop.Start) : null));
    }

    private void CloseSegment()
    {
        if (!_segmentOpen) return;
        _segmentOpen = false;
        _ = _writes.Then(static service => service.Close(), this);
    }

    private DateTimeOffset CapturedAt(long timestamp) => loop.Time.GetUtcNow() - loop.Time.GetElapsedTime(timestamp);

    private void Enqueue(WriteStep step)
    {
        _pendingBytes += step.Bytes;
        _ = _writes.Then(static step => step.Service.Run(step), step);
    }

    // A write step: the pool writes (a new file first when asked), the loop counts. Never throws.
    private async Task Run(WriteStep step)
    {
        try
        {
            BytesWritten += await pool.Submit(_ => step.WriteOnPool(), PoolFullMode.Wait);
            _fileName = store.Writing;
            storage.Succeeded(StorageWriter);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            storage.Failed(StorageWriter, e);
            // The file is given up; the next GOP or picture begins another (unless one began meanwhile).
            if (step.Segment == _segmentNumber) _segmentOpen = false;
            await pool.Submit(_ => CloseOnPool(), PoolFullMode.Wait);
        }
        catch (Exception e) when (e is OperationCanceledException or PoolFullException) { }
        finally
        {
            _pendingBytes -= step.Bytes;
            step.Release();
        }
    }

    private long AppendOnPool(GopStep job)
    {
        var gop = job.Gop;
        long before = _file?.Bytes ?? 0;
        if (job.NewFileStart is { } start)
        {
            CloseOnPool();
            before = 0;
            // Room for a segment's worth of GOPs like this one, and more above the reserve.
            long needed = gop.Bytes * Math.Max(1, settings.SegmentSeconds / 2) + gop.Track.InitSegment.Length;
            foreach (string name in store.Prune(settings, needed + WriteMargin, start)) Log.Deleted(logger, name);
            if (!Fits(gop.Bytes + gop.Track.InitSegment.Length)) throw NoRoom();
            // Named as being written before it exists: a listing in between must not call it finished.
            string fileName = store.NewName(start, ".mp4");
            store.Writing = fileName;
            _file = SegmentFile.Create(store.PathOf(fileName), gop.Track, gop.Start);
        }
        else if (_file == null)
        {
            return 0; // the file failed earlier in this segment: wait for the next one
        }
        else if (!Fits(gop.Bytes))
        {
            foreach (string name in store.Prune(settings, gop.Bytes * 2 + WriteMargin, loop.Time.GetUtcNow())) Log.Deleted(logger, name);
            if (!Fits(gop.Bytes)) throw NoRoom();
        }
        ulong at = (ulong)(loop.Time.GetElapsedTime(_file.Start, gop.Start).Ticks * 9 / 1000);
        _file.Append(gop.Samples(loop.Time), at);
        return _file.Bytes - before;
    }

    // Whether video of this many bytes can be written without the card coming within the reserve: the
    // margin covers what the file adds around it (a fragment's boxes, 16 bytes a sample; AVI's chunk
    // headers and index) and the file system's rounding up to whole blocks.
    private bool Fits(long bytes) => store.Room() >= bytes + WriteMargin;

    private IOException NoRoom() => new($"not enough free space (Edge keeps {store.ReserveBytes} bytes free)");

    private async Task Close()
    {
        try
        {
            var closed = await pool.Submit(_ => CloseOnPool(), PoolFullMode.Wait);
            _fileName = null;
            if (closed == null) return;
            Segments++;
            journal.Record("recording.segment", closed, RecordingJsonContext.Default.RecordingInfo);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or PoolFullException) { }
    }

    private RecordingInfo? CloseOnPool()
    {
        store.Writing = null;
        if (_avi is { } avi)
        {
            _avi = null;
            avi.Dispose();
            RecordingStore.TryParse(avi.Name, out var began);
            return new RecordingInfo(avi.Name, began, (double)avi.Pictures * settings.TimelapseSeconds, avi.Bytes, open: false);
        }
        var file = _file;
        if (file == null) return null;
        _file = null;
        file.Dispose();
        RecordingStore.TryParse(file.Name, out var start);
        return new RecordingInfo(file.Name, start, Math.Round(file.Duration / (double)Mp4Track.Timescale, 3), file.Bytes, open: false);
    }

    // Once a second: state, the end of an event, and (once a minute) retention.
    private void Tick()
    {
        long now = loop.Time.GetTimestamp();
        if (_eventUntil != long.MinValue && !Records(now) && !_manual && settings.Mode != "continuous")
        {
            _eventUntil = long.MinValue;
            journal.Record("recording.stopped", _reason ?? "", StateJsonContext.Default.String);
        }
        // Nothing to take any more, or the camera gained or lost H.264 (an encoder, a source): start again.
        if (!Capturing || (_session != null && _timelapse != (h264.Unavailable != null))) _session?.Cancel();
        if (_lastPrune == 0 || loop.Time.GetElapsedTime(_lastPrune, now) >= PruneInterval)
        {
            _lastPrune = now;
            _ = _writes.Then(static service => service.Prune(), this);
        }
        bool recording = Recording;
        string? file = _fileName;
        state.PublishWritten("recording", w =>
        {
            w.WriteStartObject();
            w.WriteString("mode", settings.Mode);
            w.WriteBoolean("recording", recording);
            if (file != null) w.WriteString("file", file);
            if (recording && _reason != null) w.WriteString("reason", _reason);
            w.WriteNumber("bytes", BytesWritten);
            w.WriteNumber("segments", Segments);
            w.WriteNumber("drops", Drops);
            w.WriteEndObject();
        });
    }

    private async Task Prune()
    {
        try
        {
            var deleted = await pool.Submit(_ => store.Prune(settings, 0, loop.Time.GetUtcNow()), PoolFullMode.Reject);
            foreach (string name in deleted) Log.Deleted(logger, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException or PoolFullException) { }
    }

    // What a write step writes: its bytes wait in memory until it ran, and it belongs to a file the loop counted.
    private abstract class WriteStep(RecordingService service, int segment, DateTimeOffset? newFileStart)
    {
        public RecordingService Service { get; } = service;

        /// <summary>Which file (counted by the loop) it belongs to.</summary>
        public int Segment { get; } = segment;

        /// <summary>Set for the first of a file: its UTC start, which names the file.</summary>
        public DateTimeOffset? NewFileStart { get; } = newFileStart;

        public abstract long Bytes { get; }

        /// <summary>Writes on the pool; returns the bytes the file grew by.</summary>
        public abstract long WriteOnPool();

        public abstract void Release();
    }

    private sealed class GopStep(RecordingService service, RecordedGop gop, int segment, DateTimeOffset? newFileStart)
        : WriteStep(service, segment, newFileStart)
    {
        public RecordedGop Gop { get; } = gop;

        public override long Bytes { get; } = gop.Bytes;

        public override long WriteOnPool() => Service.AppendOnPool(this);

        public override void Release() => Gop.Release();
    }

    private sealed class PictureStep(RecordingService service, Frame picture, int segment, DateTimeOffset? newFileStart)
        : WriteStep(service, segment, newFileStart)
    {
        /// <summary>The JPEG (the step holds a reference).</summary>
        public Frame Picture { get; } = picture;

        public override long Bytes { get; } = picture.Length;

        public override long WriteOnPool() => Service.AppendPictureOnPool(this);

        public override void Release() => Picture.Release();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Recording: the card is behind by {Pending} bytes; GOPs are dropped")]
        public static partial void CardTooSlow(ILogger logger, long pending);

        [LoggerMessage(Level = LogLevel.Information, Message = "Recording: deleted {Name} (retention)")]
        public static partial void Deleted(ILogger logger, string name);
    }
}
