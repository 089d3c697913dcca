namespace Edge.Camera;

/// <summary>
/// Cuts a byte stream of concatenated JPEGs (an MJPEG pipe) into frames. Knows the marker structure,
/// so a thumbnail inside an APP segment does not end a frame; skips garbage between images and
/// rejects truncated or oversized ones, then finds the next image's SOI.
/// </summary>
public sealed class JpegSplitter(int maxFrameBytes)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _length;
    private int _start = -1; // where the image being scanned begins, or -1 while looking for one
    private int _searchFrom;
    private JpegScanner _scanner;
    private long _garbage; // bytes skipped since the last image, reported once an image is found

    /// <summary>Where the next read should put its bytes (grows the buffer as needed).</summary>
    public Memory<byte> GetWriteBuffer()
    {
        if (_length == _buffer.Length) Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxFrameBytes + 64 * 1024));
        return _buffer.AsMemory(_length);
    }

    /// <summary>
    /// Takes <paramref name="count"/> new bytes (written into <see cref="GetWriteBuffer"/>) and calls
    /// <paramref name="frame"/> for each complete image or <paramref name="problem"/> for each rejected one.
    /// </summary>
    public void Advance(int count, Action<ReadOnlySpan<byte>, int, int> frame, Action<string> problem)
    {
        _length += count;
        while (true)
        {
            if (_start < 0)
            {
                int soi = FindSoi(_searchFrom);
                if (soi < 0)
                {
                    // Keep two bytes in case they begin an SOI.
                    int skipped = Math.Max(0, _length - 2);
                    _garbage += skipped;
                    Discard(skipped);
                    _searchFrom = 0;
                    if (_garbage > maxFrameBytes)
                    {
                        problem($"no JPEG image in the last {_garbage} bytes");
                        _garbage = 0;
                    }
                    return;
                }
                _garbage += soi;
                if (_garbage > 0) problem($"{_garbage} bytes of garbage before a JPEG image");
                _garbage = 0;
                Discard(soi);
                _start = 0;
                _scanner = default;
            }
            var scan = _scanner.Scan(_buffer.AsSpan(_start, _length - _start));
            switch (scan)
            {
                case JpegScan.Complete:
                    if (_scanner.End > maxFrameBytes) problem($"a JPEG image is larger than {maxFrameBytes} bytes");
                    else frame(_buffer.AsSpan(_start, _scanner.End), _scanner.Width, _scanner.Height);
                    Discard(_start + _scanner.End);
                    _start = -1;
                    _searchFrom = 0;
                    continue;
                case JpegScan.Invalid:
                    problem($"broken JPEG image ({_scanner.Problem})");
                    // The rest of the broken image is not garbage worth a second report.
                    _garbage = -_scanner.ResumeAt;
                    _searchFrom = _start + _scanner.ResumeAt;
                    _start = -1;
                    continue;
                default:
                    if (_length - _start > maxFrameBytes)
                    {
                        problem($"a JPEG image is larger than {maxFrameBytes} bytes");
                        _garbage = -2;
                        _searchFrom = _start + 2;
                        _start = -1;
                        continue;
                    }
                    return;
            }
        }
    }

    private int FindSoi(int from)
    {
        for (int i = from; i + 2 < _length; i++)
        {
            int found = _buffer.AsSpan(i, _length - i).IndexOf((byte)0xFF);
            if (found < 0) return -1;
            i += found;
            if (JpegScanner.StartsImage(_buffer.AsSpan(i, _length - i))) return i;
        }
        return -1;
    }

    private void Discard(int count)
    {
        if (count <= 0) return;
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }
}
