using Edge.Native;

namespace Edge.Gpio;

/// <summary>A GPIO chip or line refused or failed an operation; the message names the chip and line.</summary>
public sealed class GpioException(string message, int errno = 0) : IOException(message)
{
    /// <summary>The errno behind the failure, or 0.</summary>
    public int Errno { get; } = errno;

    internal static GpioException FromErrno(string what, string operation, int errno) =>
        new($"{what}: {operation} failed: {Native.Errno.Describe(errno)}", errno);

    internal static GpioException NoChip(string chip) => new($"{chip} does not exist", Libc.ENOENT);

    internal static GpioException NotOpen(string line) => new($"{line}: the pin is not open");

    internal static GpioException NoMode(string line, string operation) => new($"{line}: {operation} failed: the line has no mode yet");

    internal static GpioException EdgesOnInputsOnly(string line) => new($"{line}: edges are detected on inputs only");

    internal static GpioException NoLine(string chip, int lines, int line) =>
        new($"{chip} has {lines} lines (0 to {lines - 1}); there is no line {line}", Libc.EINVAL);
}
