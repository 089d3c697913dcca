using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.State;

/// <summary>
/// CRC-32C (Castagnoli, as in iSCSI and ext4), which journal records carry. Uses the CPU's CRC32C
/// instructions (SSE4.2 on x64, the CRC extension on ARM64) and a table where there are none.
/// </summary>
public static class Crc32C
{
    // Reversed 0x1EDC6F41.
    private static readonly ReflectedCrc32 Table = new(0x82F63B78);

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        if (Sse42.X64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = (uint)Sse42.X64.Crc32(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            foreach (byte b in data) crc = Sse42.Crc32(crc, b);
        }
        else if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = Crc32.Arm64.ComputeCrc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            foreach (byte b in data) crc = Crc32.ComputeCrc32C(crc, b);
        }
        else
        {
            return Software(data);
        }
        return ~crc;
    }

    /// <summary>The table-driven computation, for CPUs without CRC32C instructions.</summary>
    internal static uint Software(ReadOnlySpan<byte> data) => Table.Compute(data);
}
