namespace Edge.Camera.V4l2;

/// <summary>
/// One filled capture buffer. <see cref="Data"/> reads the driver's mapped memory directly: it is
/// valid until the buffer is handed back with <see cref="V4l2Device.Requeue"/> or the device is disposed.
/// </summary>
public readonly unsafe struct V4l2Buffer
{
    private readonly byte* _data;

    internal V4l2Buffer(int index, byte* data, int bytesUsed, uint sequence, uint flags, TimeSpan timestamp)
    {
        _data = data;
        Index = index;
        BytesUsed = bytesUsed;
        Sequence = sequence;
        Flags = flags;
        Timestamp = timestamp;
    }

    public int Index { get; }
    public int BytesUsed { get; }

    /// <summary>The driver's frame counter; a gap means frames were dropped.</summary>
    public uint Sequence { get; }

    /// <summary>V4L2_BUF_FLAG_* bits as the driver set them.</summary>
    public uint Flags { get; }

    /// <summary>V4L2_BUF_FLAG_ERROR: the driver saw the frame damaged (e.g. lost USB packets) but delivered it anyway.</summary>
    public bool HasError => (Flags & V4l2Ioctl.V4L2_BUF_FLAG_ERROR) != 0;

    /// <summary>When the driver captured the frame; CLOCK_MONOTONIC for UVC and most drivers.</summary>
    public TimeSpan Timestamp { get; }

    public ReadOnlySpan<byte> Data => new(_data, BytesUsed);
}
