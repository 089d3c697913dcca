using System.Runtime.InteropServices;

namespace Edge.Native;

/// <summary>Error numbers as people read them in messages.</summary>
internal static class Errno
{
    /// <summary>"No such device (ENODEV)": the libc text and, for the usual suspects, the symbol.</summary>
    public static string Describe(int errno)
    {
        // asm-generic/errno-base.h numbers, shared by x86_64 and arm64.
        string? name = errno switch
        {
            1 => "EPERM",
            2 => "ENOENT",
            5 => "EIO",
            6 => "ENXIO",
            9 => "EBADF",
            11 => "EAGAIN",
            12 => "ENOMEM",
            13 => "EACCES",
            16 => "EBUSY",
            19 => "ENODEV",
            22 => "EINVAL",
            25 => "ENOTTY",
            32 => "EPIPE",
            _ => null,
        };
        return $"{Marshal.GetPInvokeErrorMessage(errno)} ({name ?? $"errno {errno}"})";
    }
}
