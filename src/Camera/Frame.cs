using System.Buffers;

namespace Edge.Camera;

/// <summary>
/// One frame in a pooled buffer, shared by reference count: capture, the encoder, the hub and every
/// viewer hold references to the same bytes, never copies. The last <see cref="Release"/> returns the
/// buffer to the pool. Thread-safe (capture, workers and the loop all hand frames on).
/// </summary>
public sealed class Frame
{
    // Bounded retention: a board keeps at most a few buffers of each size class, not every size ever used.
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 32 << 20, maxArraysPerBucket: 12);

    private byte[]? _buffer;
    private int _references = 1;

    private Frame(byte[] buffer, int length, PixelFormat format, int width, int height, long sequence, long timestamp)
    {
        _buffer = buffer;
        Length = length;
        Format = format;
        Width = width;
        Height = height;
        Sequence = sequence;
        Timestamp = timestamp;
    }

    /// <summary>A frame with a pooled buffer of at least <paramref name="length"/> bytes and one reference (the caller's).</summary>
    public static Frame Rent(int length, PixelFormat format, int width, int height, long sequence, long timestamp, bool keyFrame = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new Frame(Buffers.Rent(Math.Max(length, 1)), length, format, width, height, sequence, timestamp) { IsKeyFrame = keyFrame };
    }

    public PixelFormat Format { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Capture order; encoded frames keep their raw frame's number.</summary>
    public long Sequence { get; }

    /// <summary>When it was captured (<see cref="TimeProvider.GetTimestamp"/> of the camera's clock).</summary>
    public long Timestamp { get; }

    /// <summary>For H.264: the access unit holds an IDR picture.</summary>
    public bool IsKeyFrame { get; private init; }

    /// <summary>Bytes in use; may shrink with <see cref="Truncate"/> while only the producer holds the frame.</summary>
    public int Length { get; private set; }

    /// <summary>The whole rented buffer, for the producer to fill.</summary>
    public Span<byte> Buffer => Live;

    public Memory<byte> Memory => Live.AsMemory(0, Length);

    public ReadOnlySpan<byte> Data => Live.AsSpan(0, Length);

    private byte[] Live => _buffer ?? throw new ObjectDisposedException(nameof(Frame), "the frame was used after its last release");

    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)Live.Length);
        Length = length;
    }

    /// <summary>Adds a reference for a new holder; returns this frame.</summary>
    public Frame AddRef()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            if (seen <= 0) throw new ObjectDisposedException(nameof(Frame), "the frame was used after its last release");
        }
        while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);
        return this;
    }

    /// <summary>Drops one reference; the last one returns the buffer to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("a frame was released more often than it was referenced");
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer != null) Buffers.Return(buffer);
    }
}
