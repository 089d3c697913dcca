using Edge.Native;

namespace Edge.Camera.V4l2;

/// <summary>A V4L2 device refused or failed an operation; the message names the device path.</summary>
public sealed class V4l2Exception(string message, int errno = 0) : IOException(message)
{
    /// <summary>The errno behind the failure, or 0 when the driver misbehaved without one.</summary>
    public int Errno { get; } = errno;

    /// <summary>True when the device went away (unplugged): ENODEV from the driver.</summary>
    public bool Disconnected => Errno == Libc.ENODEV;

    internal static V4l2Exception FromErrno(string path, string operation, int errno) =>
        new($"{path}: {operation} failed: {Native.Errno.Describe(errno)}", errno);
}
