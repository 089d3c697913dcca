using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>
/// The libc calls of Edge's device drivers (V4L2, GPIO) and process set-up. Each is retried when a
/// signal interrupts it and returns the errno (0 for success) instead of throwing, so every driver
/// words its own errors.
/// </summary>
internal static unsafe partial class Libc
{
    // Same values on x86_64 and arm64 (O_DIRECTORY would differ, these do not).
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int AT_FDCWD = -100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const int S_IFMT = 0xF000;
    public const int S_IFCHR = 0x2000;
    public const short POLLIN = 0x001;
    public const short POLLPRI = 0x002;
    public const short POLLOUT = 0x004;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    // asm-generic/errno-base.h, shared by x86_64 and arm64.
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EPIPE = 32;
    public const int ERANGE = 34;

    /// <summary>Opens a file; 0 and the descriptor, or the errno.</summary>
    public static int TryOpen(string path, int flags, out int fd)
    {
        while (true)
        {
            fd = OpenRaw(path, flags);
            if (fd >= 0) return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return errno;
        }
    }

    /// <summary>
    /// The type and device numbers of <paramref name="path"/> (symbolic links followed), or of
    /// <paramref name="fd"/> when the path is empty. Returns 0 or the errno.
    /// </summary>
    public static int TryStatx(int fd, string path, out statx result)
    {
        fixed (statx* buffer = &result)
        {
            while (true)
            {
                if (StatxRaw(fd, path, path.Length == 0 ? AT_EMPTY_PATH : 0, STATX_TYPE, buffer) == 0) return 0;
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR) return errno;
            }
        }
    }

    /// <summary>Runs an ioctl. Returns 0 or the errno.</summary>
    public static int TryIoctl(int fd, nuint request, void* argument)
    {
        while (true)
        {
            if (IoctlRaw(fd, request, argument) == 0) return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return errno;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (negative: forever) for the descriptors, resuming
    /// after signals with the time left. Returns 0 or the errno; <paramref name="ready"/> is 0 on timeout.
    /// </summary>
    public static int TryPoll(pollfd* fds, int count, int timeoutMs, out int ready)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            ready = PollRaw(fds, (nuint)count, timeoutMs);
            if (ready >= 0) return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return errno;
            if (timeoutMs > 0) timeoutMs = (int)Math.Max(0, deadline - Environment.TickCount64);
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes. Returns 0 or the errno; <paramref name="read"/> is 0 at end of file.</summary>
    public static int TryRead(int fd, void* buffer, int count, out int read)
    {
        while (true)
        {
            nint result = ReadRaw(fd, buffer, (nuint)count);
            read = (int)result;
            if (result >= 0) return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return errno;
        }
    }

    // prctl is variadic in C; its unsigned long arguments travel in the same registers as fixed ones.
    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxRaw(int dirfd, string path, int flags, uint mask, statx* buffer);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // ioctl is variadic in C; on x86_64 and Linux arm64 a pointer passed through "..." travels
    // in the same register as a fixed argument, so a fixed three-argument import is correct.
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlRaw(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollRaw(pollfd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadRaw(int fd, void* buffer, nuint count);
}
