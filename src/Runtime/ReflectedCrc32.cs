namespace Edge.Runtime;

/// <summary>
/// A table-driven CRC-32 for a reflected polynomial: IEEE 802.3's <c>0xEDB88320</c> (zlib's, STUN's
/// FINGERPRINT) or Castagnoli's <c>0x82F63B78</c> (the journal's, where the CPU has no instruction for it).
/// </summary>
public sealed class ReflectedCrc32(uint polynomial)
{
    public const uint Ieee = 0xEDB88320;

    private readonly uint[] _table = MakeTable(polynomial);

    public uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data) crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] MakeTable(uint polynomial)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
