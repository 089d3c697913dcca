using System.Runtime.InteropServices;

// Mirrors of <linux/gpio.h> (uAPI v2) for 64-bit Linux. Every field is fixed-size and every 64-bit
// field is __aligned_u64, so x86_64 and arm64 share these layouts. Type and field names are the
// kernel's so each can be checked against the header (test/Gpio/GpioLayoutTests.cs compiles it).
// C# fixed buffers hold only primitives: arrays of structs (attrs) are byte buffers of the same
// size, read and written through a typed pointer.
namespace Edge.Gpio.Chardev;

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpiochip_info
{
    public fixed byte name[GpioIoctl.GPIO_MAX_NAME_SIZE];
    public fixed byte label[GpioIoctl.GPIO_MAX_NAME_SIZE];
    public uint lines;
}

[StructLayout(LayoutKind.Sequential)]
internal struct gpio_v2_line_values
{
    public ulong bits;
    public ulong mask;
}

/// <summary>The id says which member of the union at offset 8 is meant.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct gpio_v2_line_attribute
{
    [FieldOffset(0)] public uint id;
    [FieldOffset(4)] public uint padding;
    [FieldOffset(8)] public ulong flags;
    [FieldOffset(8)] public ulong values;
    [FieldOffset(8)] public uint debounce_period_us;
}

[StructLayout(LayoutKind.Sequential)]
internal struct gpio_v2_line_config_attribute
{
    public gpio_v2_line_attribute attr;
    public ulong mask;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_config
{
    public ulong flags;
    public uint num_attrs;
    public fixed uint padding[5];
    /// <summary>struct gpio_v2_line_config_attribute attrs[GPIO_V2_LINE_NUM_ATTRS_MAX].</summary>
    public fixed byte attrs[24 * GpioIoctl.GPIO_V2_LINE_NUM_ATTRS_MAX];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_request
{
    public fixed uint offsets[GpioIoctl.GPIO_V2_LINES_MAX];
    public fixed byte consumer[GpioIoctl.GPIO_MAX_NAME_SIZE];
    public gpio_v2_line_config config;
    public uint num_lines;
    public uint event_buffer_size;
    public fixed uint padding[5];
    public int fd;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_info
{
    public fixed byte name[GpioIoctl.GPIO_MAX_NAME_SIZE];
    public fixed byte consumer[GpioIoctl.GPIO_MAX_NAME_SIZE];
    public uint offset;
    public uint num_attrs;
    public ulong flags;
    /// <summary>struct gpio_v2_line_attribute attrs[GPIO_V2_LINE_NUM_ATTRS_MAX].</summary>
    public fixed byte attrs[16 * GpioIoctl.GPIO_V2_LINE_NUM_ATTRS_MAX];
    public fixed uint padding[4];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct gpio_v2_line_event
{
    public ulong timestamp_ns;
    public uint id;
    public uint offset;
    public uint seqno;
    public uint line_seqno;
    public fixed uint padding[6];
}
