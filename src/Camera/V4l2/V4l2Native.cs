using System.Runtime.InteropServices;
using Edge.Native;

namespace Edge.Camera.V4l2;

/// <summary>The libc calls V4L2 needs (over <see cref="Libc"/>), with errno turned into <see cref="V4l2Exception"/>.</summary>
internal static unsafe partial class V4l2Native
{
    // Same values on x86_64 and arm64.
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;

    /// <summary>Opens a device node; throws naming the path and errno on failure.</summary>
    public static int Open(string path, int flags)
    {
        int errno = Libc.TryOpen(path, flags, out int fd);
        if (errno != 0) throw V4l2Exception.FromErrno(path, "open", errno);
        return fd;
    }

    /// <summary>Runs an ioctl; throws naming the path and the request (<paramref name="name"/>) on failure.</summary>
    public static void Ioctl(string path, int fd, nuint request, string name, void* argument)
    {
        int errno = Libc.TryIoctl(fd, request, argument);
        if (errno != 0) throw V4l2Exception.FromErrno(path, name, errno);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (negative: forever) for one descriptor, resuming
    /// after signals with the time left. Returns the revents, 0 on timeout.
    /// </summary>
    public static short Poll(string path, int fd, short events, int timeoutMs)
    {
        var entry = new pollfd { fd = fd, events = events };
        int errno = Libc.TryPoll(&entry, 1, timeoutMs, out int ready);
        if (errno != 0) throw V4l2Exception.FromErrno(path, "poll", errno);
        return ready == 0 ? (short)0 : entry.revents;
    }

    /// <summary>Maps one driver buffer; throws naming the path on failure.</summary>
    public static byte* MapShared(string path, int fd, int length, uint offset)
    {
        void* address = MmapRaw(null, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (nint)offset);
        if (address == (void*)-1) throw V4l2Exception.FromErrno(path, "mmap", Marshal.GetLastPInvokeError());
        return (byte*)address;
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MmapRaw(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);
}
