namespace Edge.Monitoring;

/// <summary>
/// Size and free space of the file system holding a directory (statvfs). A dying SD card can make
/// this hang, so the monitor calls it on the worker pool, never on the loop.
/// </summary>
public static class DiskSpace
{
    /// <summary>The usage, or null when the file system cannot be asked.</summary>
    public static DiskUsage? Read(string directory)
    {
        try
        {
            var drive = new DriveInfo(directory);
            return new DiskUsage(directory, drive.TotalSize, drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
