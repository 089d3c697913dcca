using System.Device.Gpio;
using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;

namespace Edge.Gpio.Chardev;

/// <summary>
/// One line of a chip: opened as a pin, requested from the kernel once its mode is set. The request's
/// file descriptor carries its values, configuration and edges.
/// </summary>
internal sealed unsafe class ChardevLine(int offset, string description, int fd = -1)
{
    public int Offset { get; } = offset;

    /// <summary>"gpiochip0 line 17", for messages.</summary>
    public string Description { get; } = description;

    /// <summary>The line request, or -1 before the mode is set and after <see cref="Dispose"/>.</summary>
    public int Fd { get; set; } = fd;

    public PinMode Mode { get; set; }

    public PinEventTypes Edges { get; set; }

    public int Read()
    {
        var values = new gpio_v2_line_values { mask = 1 };
        int errno = Libc.TryIoctl(RequestFd("reading the value"), GPIO_V2_LINE_GET_VALUES_IOCTL, &values);
        if (errno != 0) throw GpioException.FromErrno(Description, "reading the value", errno);
        return (int)(values.bits & 1);
    }

    public void Write(int value)
    {
        var values = new gpio_v2_line_values { bits = (ulong)(value & 1), mask = 1 };
        int errno = Libc.TryIoctl(RequestFd("writing the value"), GPIO_V2_LINE_SET_VALUES_IOCTL, &values);
        if (errno != 0) throw GpioException.FromErrno(Description, "writing the value", errno);
    }

    /// <summary>Releases the line (an output keeps its level or not, as the chip's driver decides).</summary>
    public void Dispose()
    {
        if (Fd < 0) return;
        Libc.Close(Fd);
        Fd = -1;
    }

    private int RequestFd(string operation) =>
        Fd >= 0 ? Fd : throw GpioException.NoMode(Description, operation);
}
