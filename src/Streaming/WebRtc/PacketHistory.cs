namespace Edge.Streaming.WebRtc;

/// <summary>
/// The last <see cref="Size"/> SRTP packets a session sent, by sequence number, so a NACK can have them
/// again as they were (same sequence, same rollover: the receiver's replay window drops duplicates).
/// Buffers are made as packets come and reused: at most <see cref="Size"/> × 1.2 KB a session.
/// </summary>
internal sealed class PacketHistory
{
    /// <summary>About 0.6 s of a 2 Mbit/s stream: NACKs come within a round trip or two.</summary>
    public const int Size = 128;

    private readonly byte[]?[] _packets = new byte[Size][];
    private readonly int[] _lengths = new int[Size];
    private readonly int[] _sequences = new int[Size];

    public PacketHistory() => Array.Fill(_sequences, -1);

    public void Add(ushort sequence, ReadOnlySpan<byte> packet)
    {
        int slot = sequence % Size;
        var buffer = _packets[slot];
        if (buffer == null || buffer.Length < packet.Length) _packets[slot] = buffer = new byte[Math.Max(packet.Length, 1200)];
        packet.CopyTo(buffer);
        _lengths[slot] = packet.Length;
        _sequences[slot] = sequence;
    }

    /// <summary>The packet sent with <paramref name="sequence"/>, if it is still kept.</summary>
    public ReadOnlySpan<byte> Find(ushort sequence)
    {
        int slot = sequence % Size;
        return _sequences[slot] == sequence ? _packets[slot].AsSpan(0, _lengths[slot]) : default;
    }
}
