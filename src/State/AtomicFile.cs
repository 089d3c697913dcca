using System.Runtime.InteropServices;

namespace Edge.State;

/// <summary>
/// Replaces a file so that after a crash or power loss it holds either the old or the new content,
/// never a mix: write a temporary file, fsync it, rename it over the target, fsync the directory.
/// The file is readable by its owner only unless <c>mode</c> says otherwise. Blocking: call it off the event loop.
/// </summary>
public static partial class AtomicFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = OwnerOnly)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(directory, TemporaryPrefix(full) + $"{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        SyncDirectory(directory);
    }

    /// <summary>Deletes the temporary files that writes of <paramref name="path"/> left when the process was killed mid-write.</summary>
    public static void DeleteLeftovers(string path)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory)) return;
        foreach (var leftover in Directory.EnumerateFiles(directory, TemporaryPrefix(full) + "*.tmp")) File.Delete(leftover);
    }

    private static string TemporaryPrefix(string full) => $".{Path.GetFileName(full)}.";

    /// <summary>Makes renames and new entries in <paramref name="directory"/> durable (fsync of the directory).</summary>
    internal static void SyncDirectory(string directory)
    {
        int fd = Open(directory, ORdOnly | ODirectory);
        if (fd < 0) return;
        Fsync(fd);
        Close(fd);
    }

    private const int ORdOnly = 0;
    private static readonly int ODirectory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
        ? 0x4000
        : 0x10000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
