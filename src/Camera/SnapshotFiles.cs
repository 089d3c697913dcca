using System.Globalization;
using Edge.Runtime;
using Edge.State;
using Edge.Files;
using Microsoft.Extensions.Logging;

namespace Edge.Camera;

/// <summary>A picture saved in <c>files/</c>, as the journal's <c>camera.snapshot</c> event records it.</summary>
/// <param name="File">The name under <c>/files/</c>.</param>
/// <param name="Pin">The GPIO pin whose event asked for it, if one did.</param>
/// <param name="Reason">Otherwise what asked for it (<c>motion</c>).</param>
public sealed record SavedSnapshot(string File, string? Pin, string? Reason = null);

/// <summary>
/// Saves the camera's current picture as <c>snapshot-&lt;UTC time&gt;.jpg</c> in the file store (the data
/// directory's <c>files/</c>): the frame is waited for like <c>/snapshot.jpg</c>'s, and written
/// atomically on the worker pool (fsync never runs on the loop). Like an upload it leaves
/// <c>Files:ReserveBytes</c> free, so a button pressed all day cannot fill the card under the journal
/// and settings. One save at a time. Loop only.
/// </summary>
public sealed partial class SnapshotFiles(EventLoop loop, WorkerPool pool, CameraService camera, FileStore files, StorageHealth storage,
    ILogger logger)
{
    /// <summary>How snapshots are named in <see cref="StorageHealth"/>.</summary>
    public const string StorageWriter = "snapshots";

    private bool _saving;

    /// <summary>
    /// Saves one picture and returns its path; throws <see cref="CameraException"/> when there is none to
    /// save or a save is running.
    /// </summary>
    public async Task<string> Save(CancellationToken cancellationToken)
    {
        loop.VerifyAccess();
        if (camera.JpegUnavailable is { } reason) throw new CameraException(reason);
        if (_saving) throw new CameraException("another snapshot is being saved");
        _saving = true;
        try
        {
            var frame = await camera.Snapshot(cancellationToken);
            if (frame == null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new CameraException($"no frame from the camera within {camera.Settings.SnapshotTimeoutSeconds} s");
            }
            try
            {
                string name = "snapshot-" + loop.Time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
                string path;
                try { path = await pool.Submit(_ => Write(name, frame), PoolFullMode.Wait, cancellationToken); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    storage.Failed(StorageWriter, e);
                    throw new StorageException("Cannot save the snapshot", e);
                }
                storage.Succeeded(StorageWriter);
                Log.Saved(logger, path);
                return path;
            }
            finally
            {
                frame.Release();
            }
        }
        finally
        {
            _saving = false;
        }
    }

    // On a worker: room for it, a name not taken yet (saves within one millisecond get -2, -3…), then temp, fsync, rename.
    private string Write(string name, Frame frame)
    {
        if (files.Room() < frame.Length)
            throw new IOException($"not enough free space (Edge keeps {files.Settings.ReserveBytes} bytes free)");
        string path = files.PathOf(name + ".jpg");
        for (int n = 2; File.Exists(path); n++) path = files.PathOf($"{name}-{n}.jpg");
        AtomicFile.Write(path, frame.Data);
        return path;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Saved snapshot {Path}")]
        public static partial void Saved(ILogger logger, string path);
    }
}
