using Edge.Native;
using static Edge.Gpio.Chardev.GpioIoctl;
using static Edge.Native.Libc;

namespace Edge.Gpio.Chardev;

/// <summary>A chip node, opened for one request and closed again: a line request keeps its own reference to the chip.</summary>
internal static unsafe class ChardevChip
{
    public static int Open(string devDirectory, string name)
    {
        string path = Path.Combine(devDirectory, name);
        int errno = TryOpen(path, O_RDWR | O_CLOEXEC, out int fd);
        if (errno == ENOENT) throw GpioException.NoChip(name);
        if (errno != 0) throw GpioException.FromErrno(path, "open", errno);
        return fd;
    }

    public static gpiochip_info ReadInfo(string name, int chip)
    {
        var info = new gpiochip_info();
        int errno = TryIoctl(chip, GPIO_GET_CHIPINFO_IOCTL, &info);
        if (errno == ENOTTY)
            throw new GpioException($"{name} is not a GPIO chip: GPIO_GET_CHIPINFO_IOCTL failed: {Errno.Describe(errno)}", errno);
        if (errno != 0) throw GpioException.FromErrno(name, "GPIO_GET_CHIPINFO_IOCTL", errno);
        return info;
    }

    /// <summary>How many lines the chip has.</summary>
    public static int Lines(string devDirectory, string name)
    {
        int chip = Open(devDirectory, name);
        try { return (int)ReadInfo(name, chip).lines; }
        finally { Close(chip); }
    }
}
