namespace Edge.State;

/// <summary>
/// Whether the data directory takes writes now: a small file written, fsynced and deleted, and the
/// free space at least the reserve that uploads and snapshots keep. <c>Program</c> runs it while
/// <see cref="StorageHealth"/> reports writers failing, since one that writes rarely (an upload, a
/// snapshot) would otherwise be reported failing long after the card has room again. Blocking: run it
/// on the worker pool.
/// </summary>
public static class DataDirectoryCheck
{
    private const string FileName = ".storage-check";

    /// <summary>
    /// Throws <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>) with the cause when
    /// the directory does not take writes.
    /// </summary>
    public static void Run(string directory, long reserveBytes)
    {
        string path = Path.Combine(directory, FileName);
        AtomicFile.Write(path, "ok"u8);
        File.Delete(path);
        long free = new DriveInfo(directory).AvailableFreeSpace;
        if (free < reserveBytes) throw new IOException($"not enough free space ({free} bytes free, Edge keeps {reserveBytes})");
    }
}
