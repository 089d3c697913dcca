using System.Runtime.InteropServices;

namespace Edge.Camera.V4l2;

/// <summary>A V4L2 device refused or failed an operation; the message names the device path.</summary>
public sealed class V4l2Exception(string message, int errno = 0) : IOException(message)
{
    /// <summary>The errno behind the failure, or 0 when the driver misbehaved without one.</summary>
    public int Errno { get; } = errno;

    /// <summary>True when the device went away (unplugged): ENODEV from the driver.</summary>
    public bool Disconnected => Errno == V4l2Native.ENODEV;

    internal static V4l2Exception FromErrno(string path, string operation, int errno) =>
        new($"{path}: {operation} failed: {Describe(errno)}", errno);

    /// <summary>"No such device (ENODEV)": the libc text and, for the usual suspects, the symbol.</summary>
    internal static string Describe(int errno)
    {
        // asm-generic/errno-base.h numbers, shared by x86_64 and arm64.
        string? name = errno switch
        {
            1 => "EPERM",
            2 => "ENOENT",
            5 => "EIO",
            6 => "ENXIO",
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
