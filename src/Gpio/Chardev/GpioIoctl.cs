using Edge.Native;

namespace Edge.Gpio.Chardev;

/// <summary>
/// Request numbers and constants of <c>&lt;linux/gpio.h&gt;</c> (uAPI v2), under the kernel's names;
/// requests are built from the struct mirrors' sizes (<see cref="IoctlNumber"/>). The line flags are
/// <see cref="GpioLineFlags"/>.
/// </summary>
internal static unsafe class GpioIoctl
{
    private const uint Type = 0xB4;

    public const int GPIO_MAX_NAME_SIZE = 32;
    public const int GPIO_V2_LINES_MAX = 64;
    public const int GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

    public static readonly nuint GPIO_GET_CHIPINFO_IOCTL = IoctlNumber.Ior(Type, 0x01, sizeof(gpiochip_info));
    public static readonly nuint GPIO_V2_GET_LINEINFO_IOCTL = IoctlNumber.Iowr(Type, 0x05, sizeof(gpio_v2_line_info));
    public static readonly nuint GPIO_V2_GET_LINE_IOCTL = IoctlNumber.Iowr(Type, 0x07, sizeof(gpio_v2_line_request));
    public static readonly nuint GPIO_V2_LINE_SET_CONFIG_IOCTL = IoctlNumber.Iowr(Type, 0x0D, sizeof(gpio_v2_line_config));
    public static readonly nuint GPIO_V2_LINE_GET_VALUES_IOCTL = IoctlNumber.Iowr(Type, 0x0E, sizeof(gpio_v2_line_values));
    public static readonly nuint GPIO_V2_LINE_SET_VALUES_IOCTL = IoctlNumber.Iowr(Type, 0x0F, sizeof(gpio_v2_line_values));

    public const uint GPIO_V2_LINE_ATTR_ID_FLAGS = 1;
    public const uint GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES = 2;
    public const uint GPIO_V2_LINE_ATTR_ID_DEBOUNCE = 3;

    public const uint GPIO_V2_LINE_EVENT_RISING_EDGE = 1;
    public const uint GPIO_V2_LINE_EVENT_FALLING_EDGE = 2;
}
