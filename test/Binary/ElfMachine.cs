using System.Runtime.InteropServices;

namespace Edge.Tests.Binary;

/// <summary>The architecture an ELF executable is for (e_machine), and the qemu-user emulator that runs it on another.</summary>
public static class ElfMachine
{
    private const ushort X86_64 = 62, AArch64 = 183;

    /// <summary>Null for a binary of this machine's architecture; else <c>qemu-aarch64</c> or <c>qemu-x86_64</c>.</summary>
    public static string? EmulatorFor(string binary)
    {
        Span<byte> header = stackalloc byte[20];
        using (var file = File.OpenRead(binary)) file.ReadExactly(header);
        if (!header[..4].SequenceEqual("\u007fELF"u8))
            throw new InvalidDataException($"{binary} is not an ELF executable");
        ushort machine = BitConverter.ToUInt16(header[18..20]);
        var host = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => X86_64,
            Architecture.Arm64 => AArch64,
            var other => throw new PlatformNotSupportedException($"host {other}"),
        };
        return machine == host ? null : machine switch
        {
            AArch64 => "qemu-aarch64",
            X86_64 => "qemu-x86_64",
            _ => throw new InvalidDataException($"{binary} is for ELF machine {machine}, neither x86_64 nor aarch64"),
        };
    }
}
