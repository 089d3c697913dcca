using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Edge.Gpio;
using Edge.Gpio.Chardev;
using Edge.Tests.Support;

namespace Edge.Tests.Gpio;

[TestClass]
public sealed class GpioLayoutTests
{
    private static readonly CStruct[] Structs =
    [
        new(typeof(gpiochip_info), "struct gpiochip_info"),
        new(typeof(gpio_v2_line_values), "struct gpio_v2_line_values"),
        new(typeof(gpio_v2_line_attribute), "struct gpio_v2_line_attribute"),
        new(typeof(gpio_v2_line_config_attribute), "struct gpio_v2_line_config_attribute"),
        new(typeof(gpio_v2_line_config), "struct gpio_v2_line_config"),
        new(typeof(gpio_v2_line_request), "struct gpio_v2_line_request"),
        new(typeof(gpio_v2_line_info), "struct gpio_v2_line_info"),
        new(typeof(gpio_v2_line_event), "struct gpio_v2_line_event"),
    ];

    private static readonly (string Name, ulong Value)[] Constants =
    [
        (nameof(GpioIoctl.GPIO_GET_CHIPINFO_IOCTL), GpioIoctl.GPIO_GET_CHIPINFO_IOCTL),
        (nameof(GpioIoctl.GPIO_V2_GET_LINEINFO_IOCTL), GpioIoctl.GPIO_V2_GET_LINEINFO_IOCTL),
        (nameof(GpioIoctl.GPIO_V2_GET_LINE_IOCTL), GpioIoctl.GPIO_V2_GET_LINE_IOCTL),
        (nameof(GpioIoctl.GPIO_V2_LINE_SET_CONFIG_IOCTL), GpioIoctl.GPIO_V2_LINE_SET_CONFIG_IOCTL),
        (nameof(GpioIoctl.GPIO_V2_LINE_GET_VALUES_IOCTL), GpioIoctl.GPIO_V2_LINE_GET_VALUES_IOCTL),
        (nameof(GpioIoctl.GPIO_V2_LINE_SET_VALUES_IOCTL), GpioIoctl.GPIO_V2_LINE_SET_VALUES_IOCTL),
        (nameof(GpioIoctl.GPIO_MAX_NAME_SIZE), GpioIoctl.GPIO_MAX_NAME_SIZE),
        (nameof(GpioIoctl.GPIO_V2_LINES_MAX), GpioIoctl.GPIO_V2_LINES_MAX),
        (nameof(GpioIoctl.GPIO_V2_LINE_NUM_ATTRS_MAX), GpioIoctl.GPIO_V2_LINE_NUM_ATTRS_MAX),
        (nameof(GpioIoctl.GPIO_V2_LINE_ATTR_ID_FLAGS), GpioIoctl.GPIO_V2_LINE_ATTR_ID_FLAGS),
        (nameof(GpioIoctl.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES), GpioIoctl.GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES),
        (nameof(GpioIoctl.GPIO_V2_LINE_ATTR_ID_DEBOUNCE), GpioIoctl.GPIO_V2_LINE_ATTR_ID_DEBOUNCE),
        (nameof(GpioIoctl.GPIO_V2_LINE_EVENT_RISING_EDGE), GpioIoctl.GPIO_V2_LINE_EVENT_RISING_EDGE),
        (nameof(GpioIoctl.GPIO_V2_LINE_EVENT_FALLING_EDGE), GpioIoctl.GPIO_V2_LINE_EVENT_FALLING_EDGE),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_USED), GpioLineFlags.GPIO_V2_LINE_FLAG_USED),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_ACTIVE_LOW), GpioLineFlags.GPIO_V2_LINE_FLAG_ACTIVE_LOW),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_INPUT), GpioLineFlags.GPIO_V2_LINE_FLAG_INPUT),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_OUTPUT), GpioLineFlags.GPIO_V2_LINE_FLAG_OUTPUT),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_EDGE_RISING), GpioLineFlags.GPIO_V2_LINE_FLAG_EDGE_RISING),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_EDGE_FALLING), GpioLineFlags.GPIO_V2_LINE_FLAG_EDGE_FALLING),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_OPEN_DRAIN), GpioLineFlags.GPIO_V2_LINE_FLAG_OPEN_DRAIN),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_OPEN_SOURCE), GpioLineFlags.GPIO_V2_LINE_FLAG_OPEN_SOURCE),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_UP), GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_UP),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN), GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_DISABLED), GpioLineFlags.GPIO_V2_LINE_FLAG_BIAS_DISABLED),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME), GpioLineFlags.GPIO_V2_LINE_FLAG_EVENT_CLOCK_REALTIME),
        (nameof(GpioLineFlags.GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE), GpioLineFlags.GPIO_V2_LINE_FLAG_EVENT_CLOCK_HTE),
    ];

    [TestMethod]
    public void StructsAndConstantsMatchTheKernelHeaderCompiledByGcc()
    {
        int compared = CLayout.AssertMatchesHeaders(["linux/gpio.h"], Structs, Constants);
        Assert.IsGreaterThan(100, compared); // every field of every struct, not a handful
    }

    [TestMethod]
    public void Arm64ValuesEqualTheHeaderArithmetic()
    {
        // <linux/gpio.h> uses only fixed-size fields, and every 64-bit one is __aligned_u64, so LP64
        // arm64 lays the structs out as x86_64 does; both use the asm-generic ioctl encoding. These
        // literals were printed by gcc from the header.
        Assert.AreEqual(0x8044b401UL, (ulong)GpioIoctl.GPIO_GET_CHIPINFO_IOCTL);
        Assert.AreEqual(0xc100b405UL, (ulong)GpioIoctl.GPIO_V2_GET_LINEINFO_IOCTL);
        Assert.AreEqual(0xc250b407UL, (ulong)GpioIoctl.GPIO_V2_GET_LINE_IOCTL);
        Assert.AreEqual(0xc110b40dUL, (ulong)GpioIoctl.GPIO_V2_LINE_SET_CONFIG_IOCTL);
        Assert.AreEqual(0xc010b40eUL, (ulong)GpioIoctl.GPIO_V2_LINE_GET_VALUES_IOCTL);
        Assert.AreEqual(0xc010b40fUL, (ulong)GpioIoctl.GPIO_V2_LINE_SET_VALUES_IOCTL);

        Assert.AreEqual(68, Unsafe.SizeOf<gpiochip_info>());
        Assert.AreEqual(16, Unsafe.SizeOf<gpio_v2_line_values>());
        Assert.AreEqual(16, Unsafe.SizeOf<gpio_v2_line_attribute>());
        Assert.AreEqual(24, Unsafe.SizeOf<gpio_v2_line_config_attribute>());
        Assert.AreEqual(272, Unsafe.SizeOf<gpio_v2_line_config>());
        Assert.AreEqual(592, Unsafe.SizeOf<gpio_v2_line_request>());
        Assert.AreEqual(256, Unsafe.SizeOf<gpio_v2_line_info>());
        Assert.AreEqual(48, Unsafe.SizeOf<gpio_v2_line_event>());

        Assert.AreEqual(8, (int)Marshal.OffsetOf<gpio_v2_line_attribute>(nameof(gpio_v2_line_attribute.values)));
        Assert.AreEqual(32, (int)Marshal.OffsetOf<gpio_v2_line_config>(nameof(gpio_v2_line_config.attrs)));
        Assert.AreEqual(288, (int)Marshal.OffsetOf<gpio_v2_line_request>(nameof(gpio_v2_line_request.config)));
        Assert.AreEqual(560, (int)Marshal.OffsetOf<gpio_v2_line_request>(nameof(gpio_v2_line_request.num_lines)));
        Assert.AreEqual(588, (int)Marshal.OffsetOf<gpio_v2_line_request>(nameof(gpio_v2_line_request.fd)));
        Assert.AreEqual(72, (int)Marshal.OffsetOf<gpio_v2_line_info>(nameof(gpio_v2_line_info.flags)));
        Assert.AreEqual(80, (int)Marshal.OffsetOf<gpio_v2_line_info>(nameof(gpio_v2_line_info.attrs)));
        Assert.AreEqual(20, (int)Marshal.OffsetOf<gpio_v2_line_event>(nameof(gpio_v2_line_event.line_seqno)));
    }
}
