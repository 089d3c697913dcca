namespace Edge.Camera;

/// <summary>
/// Cuts an H.264 Annex B byte stream (rpicam-vid --codec h264, ffmpeg -f h264) into access units, the
/// unit RTSP sends: a new unit begins at an access unit delimiter, at SPS/PPS/SEI after a picture, or
/// at a slice whose first_mb_in_slice is 0 (ITU-T H.264 7.4.1.2.3).
/// </summary>
public sealed class H264Splitter(int maxUnitBytes)
{
    private byte[] _buffer = new byte[256 * 1024];
    private int _length;
    private int _unitStart = -1;
    private int _scanFrom;
    private bool _unitHasPicture, _unitIsKey;

    public Memory<byte> GetWriteBuffer()
    {
        if (_length == _buffer.Length) Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, maxUnitBytes + 256 * 1024));
        return _buffer.AsMemory(_length);
    }

    /// <summary>
    /// Takes <paramref name="count"/> new bytes; calls <paramref name="unit"/> (bytes, key frame) per
    /// complete access unit.
    /// </summary>
    public void Advance(int count, Action<ReadOnlySpan<byte>, bool> unit, Action<string> problem)
    {
        _length += count;
        while (true)
        {
            int nal = FindStartCode(_scanFrom, out int headerAt);
            if (nal < 0)
            {
                // A start code may straddle this read and the next: look at the last three bytes again.
                _scanFrom = Math.Max(_scanFrom, _length - 3);
                if (_unitStart < 0)
                {
                    Discard(_scanFrom); // nothing before the first start code is usable
                    _scanFrom = 0;
                }
                else if (_length - _unitStart > maxUnitBytes)
                {
                    problem($"an H.264 access unit is larger than {maxUnitBytes} bytes");
                    Discard(_scanFrom);
                    _scanFrom = 0;
                    _unitStart = -1;
                    _unitHasPicture = _unitIsKey = false;
                }
                return;
            }
            if (headerAt + 1 >= _length)
            {
                _scanFrom = nal; // the NAL header is not here yet
                return;
            }
            int type = _buffer[headerAt] & 0x1F;
            bool picture = type is >= 1 and <= 5;
            bool firstSlice = picture && (_buffer[headerAt + 1] & 0x80) != 0; // ue(v) first_mb_in_slice == 0
            bool startsUnit = _unitHasPicture && (type is 6 or 7 or 8 or 9 || firstSlice);
            if (_unitStart < 0)
            {
                _unitStart = nal;
            }
            else if (startsUnit)
            {
                unit(_buffer.AsSpan(_unitStart, nal - _unitStart), _unitIsKey);
                Discard(nal);
                headerAt -= nal;
                _unitStart = 0;
                _unitHasPicture = _unitIsKey = false;
            }
            _unitHasPicture |= picture;
            _unitIsKey |= type == 5;
            _scanFrom = headerAt;
        }
    }

    /// <summary>At the end of the stream: the last unit, if it holds a picture.</summary>
    public void Flush(Action<ReadOnlySpan<byte>, bool> unit)
    {
        if (_unitStart >= 0 && _unitHasPicture) unit(_buffer.AsSpan(_unitStart, _length - _unitStart), _unitIsKey);
        _length = 0;
        _unitStart = -1;
        _unitHasPicture = _unitIsKey = false;
    }

    // The next 00 00 01 at or after from; returns where the start code begins (with a leading zero
    // byte for the four-byte form) and where the NAL header is.
    private int FindStartCode(int from, out int headerAt)
    {
        for (int i = from; i + 2 < _length; i++)
        {
            int found = _buffer.AsSpan(i, _length - i - 2).IndexOf((byte)0);
            if (found < 0) break;
            i += found;
            if (_buffer[i + 1] == 0 && _buffer[i + 2] == 1)
            {
                headerAt = i + 3;
                return i > 0 && _buffer[i - 1] == 0 && i - 1 >= from ? i - 1 : i;
            }
        }
        headerAt = -1;
        return -1;
    }

    private void Discard(int count)
    {
        if (count <= 0) return;
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }
}
