using System.Buffers.Binary;

namespace Edge.Camera;

public enum JpegScan { NeedMore, Complete, Invalid }

/// <summary>
/// Walks a JPEG's marker structure (segments by their lengths, so thumbnails inside APP segments are
/// skipped; entropy-coded data up to the EOI) and can resume when more bytes arrive. Used to split a
/// byte stream into frames and to reject truncated or broken frames before viewers see them.
/// </summary>
public struct JpegScanner
{
    private int _position;
    private bool _inEntropyData;

    /// <summary>From the first SOF segment.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>After <see cref="JpegScan.Complete"/>: bytes of the image including its EOI.</summary>
    public int End { get; private set; }

    /// <summary>After <see cref="JpegScan.Invalid"/>: why, and where a search for the next image may resume.</summary>
    public string? Problem { get; private set; }

    public int ResumeAt { get; private set; }

    /// <summary>True when <paramref name="data"/> starts with a JPEG's SOI and the first marker after it.</summary>
    public static bool StartsImage(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>Checks one complete image (trailing padding after the EOI is allowed, as UVC cameras add it).</summary>
    public static JpegScan Check(ReadOnlySpan<byte> image, out JpegScanner result)
    {
        result = default;
        var scan = result.Scan(image);
        if (scan == JpegScan.NeedMore) result.Problem = "truncated: the image ends before its EOI marker";
        return scan == JpegScan.NeedMore ? JpegScan.Invalid : scan;
    }

    /// <summary>
    /// Continues the walk over <paramref name="image"/> (which starts at the SOI and may have grown since
    /// the last call).
    /// </summary>
    public JpegScan Scan(ReadOnlySpan<byte> image)
    {
        if (_position == 0)
        {
            if (image.Length < 2) return JpegScan.NeedMore;
            if (image[0] != 0xFF || image[1] != 0xD8) return Fail("no SOI marker at the start", 1);
            _position = 2;
        }
        while (true)
        {
            if (_inEntropyData)
            {
                int marker = FindMarker(image);
                if (marker < 0) return JpegScan.NeedMore;
                _inEntropyData = false;
                _position = marker;
            }
            while (_position < image.Length && image[_position] == 0xFF && _position + 1 < image.Length && image[_position + 1] == 0xFF)
                _position++; // fill bytes
            if (_position + 2 > image.Length) return JpegScan.NeedMore;
            if (image[_position] != 0xFF) return Fail($"expected a marker at byte {_position}", _position);
            byte code = image[_position + 1];
            switch (code)
            {
                case 0xD9:
                    if (Width == 0) return Fail("EOI before any frame header", _position);
                    End = _position + 2;
                    return JpegScan.Complete;
                case 0xD8:
                    return Fail($"a new image starts at byte {_position} before this one ended", _position);
                case >= 0xD0 and <= 0xD7:
                case 0x01:
                    _position += 2; // standalone markers carry no length
                    continue;
            }
            if (_position + 4 > image.Length) return JpegScan.NeedMore;
            int length = BinaryPrimitives.ReadUInt16BigEndian(image[(_position + 2)..]);
            if (length < 2) return Fail($"segment length {length} at byte {_position}", _position + 2);
            if (_position + 2 + length > image.Length) return JpegScan.NeedMore;
            if (code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && Width == 0)
            {
                if (length < 8) return Fail("frame header too short", _position + 2);
                Height = BinaryPrimitives.ReadUInt16BigEndian(image[(_position + 5)..]);
                Width = BinaryPrimitives.ReadUInt16BigEndian(image[(_position + 7)..]);
                if (Width == 0 || Height == 0) return Fail($"frame header gives a size of {Width}×{Height}", _position + 2);
            }
            _position += 2 + length;
            if (code == 0xDA)
            {
                if (Width == 0) return Fail("scan before any frame header", _position);
                _inEntropyData = true;
            }
        }
    }

    // The next marker in entropy-coded data: 0xFF followed by neither a stuffed 0x00 nor a restart marker.
    private int FindMarker(ReadOnlySpan<byte> image)
    {
        while (true)
        {
            int found = image[_position..].IndexOf((byte)0xFF);
            if (found < 0)
            {
                _position = image.Length;
                return -1;
            }
            int at = _position + found;
            if (at + 1 >= image.Length)
            {
                _position = at; // look at this 0xFF again when the next byte is here
                return -1;
            }
            byte next = image[at + 1];
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7 || next == 0xFF)
            {
                _position = at + 1;
                continue;
            }
            return at;
        }
    }

    private JpegScan Fail(string problem, int resumeAt)
    {
        Problem = problem;
        ResumeAt = Math.Max(resumeAt, 1);
        return JpegScan.Invalid;
    }
}
