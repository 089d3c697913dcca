using System.Buffers.Binary;

namespace Edge.Video.Mp4;

/// <summary>
/// Writes ISO BMFF boxes (ISO/IEC 14496-12) big-endian into a span: <see cref="Begin"/> leaves room for
/// a box's size, <see cref="End"/> fills it in. No allocation; the caller sizes the span.
/// </summary>
public ref struct BoxWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;

    public int Position { get; private set; }

    /// <summary>Starts a box of a four-character type; returns where it starts, for <see cref="End"/>.</summary>
    public int Begin(ReadOnlySpan<byte> type)
    {
        int start = Position;
        UInt32(0);
        Bytes(type);
        return start;
    }

    /// <summary>Starts a full box: type, then version and 24 bits of flags.</summary>
    public int BeginFull(ReadOnlySpan<byte> type, byte version, uint flags)
    {
        int start = Begin(type);
        UInt32((uint)version << 24 | flags);
        return start;
    }

    public readonly void End(int start) => BinaryPrimitives.WriteUInt32BigEndian(_destination[start..], (uint)(Position - start));

    public void UInt8(byte value) => _destination[Position++] = value;

    public void UInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[Position..], value);
        Position += 2;
    }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[Position..], value);
        Position += 4;
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_destination[Position..], value);
        Position += 8;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Position..]);
        Position += bytes.Length;
    }

    public void Zeros(int count)
    {
        _destination.Slice(Position, count).Clear();
        Position += count;
    }

    /// <summary>Patches a 32-bit value written earlier (a data offset known only later).</summary>
    public readonly void PatchUInt32(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_destination[at..], value);
}
