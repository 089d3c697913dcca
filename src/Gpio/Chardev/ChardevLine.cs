using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;

namespace Edge.Gpio.Chardev;

/// <summary>One line requested from a chip: the request's file descriptor, which edges are read from.</summary>
internal sealed unsafe class ChardevLine(string description, int fd) : IGpioLine
{
    private int _fd = fd;

    /// <summary>"gpiochip0 line 17", for messages.</summary>
    public string Description { get; } = description;

    public int Fd => _fd;

    public int Read()
    {
        var values = new gpio_v2_line_values { mask = 1 };
        int errno = Libc.TryIoctl(_fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &values);
        if (errno != 0) throw GpioException.FromErrno(Description, "reading the value", errno);
        return (int)(values.bits & 1);
    }

    public void Write(int value)
    {
        var values = new gpio_v2_line_values { bits = (ulong)(value & 1), mask = 1 };
        int errno = Libc.TryIoctl(_fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &values);
        if (errno != 0) throw GpioException.FromErrno(Description, "writing the value", errno);
    }

    /// <summary>Releases the line (an output keeps its level or not, as the chip's driver decides).</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        Libc.Close(_fd);
        _fd = -1;
    }
}
