namespace Edge.Native;

/// <summary>
/// Request numbers built like the kernel's _IOR/_IOW/_IOWR macros (asm-generic/ioctl.h, used by
/// x86_64 and arm64): direction in bits 30-31, argument size in 16-29, type in 8-15, number in 0-7.
/// Built from the mirrored struct sizes, so a wrong mirror shows up as a wrong request (ENOTTY).
/// </summary>
internal static class IoctlNumber
{
    private const uint Write = 1;
    private const uint Read = 2;

    public static nuint Ior(uint type, uint nr, int size) => Ioc(Read, type, nr, size);

    public static nuint Iow(uint type, uint nr, int size) => Ioc(Write, type, nr, size);

    public static nuint Iowr(uint type, uint nr, int size) => Ioc(Read | Write, type, nr, size);

    private static nuint Ioc(uint direction, uint type, uint nr, int size) => (nuint)(direction << 30 | (uint)size << 16 | type << 8 | nr);
}
