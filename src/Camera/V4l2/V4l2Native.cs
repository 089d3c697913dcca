using System.Runtime.InteropServices;

namespace Edge.Camera.V4l2;

#pragma warning disable CS8981 // the C name
/// <summary>struct pollfd of &lt;poll.h&gt;.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct pollfd
{
    public int fd;
    public short events;
    public short revents;
}
#pragma warning restore CS8981

/// <summary>The libc calls V4L2 needs, with errno turned into <see cref="V4l2Exception"/>.</summary>
internal static unsafe partial class V4l2Native
{
    // Same values on x86_64 and arm64 (O_DIRECTORY would differ, these do not).
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 1;
    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    // asm-generic/errno-base.h, shared by x86_64 and arm64.
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;

    /// <summary>Opens a device node; throws naming the path and errno on failure.</summary>
    public static int Open(string path, int flags)
    {
        int fd = OpenRaw(path, flags);
        if (fd < 0) throw V4l2Exception.FromErrno(path, "open", Marshal.GetLastPInvokeError());
        return fd;
    }

    /// <summary>Runs an ioctl, retrying when a signal interrupts it. Returns 0 or the errno.</summary>
    public static int TryIoctl(int fd, nuint request, void* argument)
    {
        while (true)
        {
            if (IoctlRaw(fd, request, argument) == 0) return 0;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) return errno;
        }
    }

    /// <summary>Runs an ioctl; throws naming the path and the request (<paramref name="name"/>) on failure.</summary>
    public static void Ioctl(string path, int fd, nuint request, string name, void* argument)
    {
        int errno = TryIoctl(fd, request, argument);
        if (errno != 0) throw V4l2Exception.FromErrno(path, name, errno);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (negative: forever) for one descriptor, resuming
    /// after signals with the time left. Returns the revents, 0 on timeout.
    /// </summary>
    public static short Poll(string path, int fd, short events, int timeoutMs)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            var entry = new pollfd { fd = fd, events = events };
            int ready = PollRaw(&entry, 1, timeoutMs);
            if (ready >= 0) return ready == 0 ? (short)0 : entry.revents;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) throw V4l2Exception.FromErrno(path, "poll", errno);
            if (timeoutMs > 0) timeoutMs = (int)Math.Max(0, deadline - Environment.TickCount64);
        }
    }

    /// <summary>Maps one driver buffer; throws naming the path on failure.</summary>
    public static byte* MapShared(string path, int fd, int length, uint offset)
    {
        void* address = MmapRaw(null, (nuint)length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (nint)offset);
        if (address == (void*)-1) throw V4l2Exception.FromErrno(path, "mmap", Marshal.GetLastPInvokeError());
        return (byte*)address;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    // ioctl is variadic in C; on x86_64 and Linux arm64 a pointer passed through "..." travels
    // in the same register as a fixed argument, so a fixed three-argument import is correct.
    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlRaw(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MmapRaw(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* address, nuint length);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollRaw(pollfd* fds, nuint count, int timeoutMs);
}
