using Edge.Camera;

namespace Edge.Motion;

/// <summary>
/// The small grey picture motion detection looks at, made from a camera frame: planar YUV's luma averaged
/// over squares, a JPEG decoded straight to grey at the same scale. One per analyser, used by one worker
/// at a time; its buffer is kept from picture to picture.
/// </summary>
public sealed class MotionPicture
{
    /// <summary>Pictures are scaled down by 2, 4 or 8 until at most this wide (1280×720 → 160×90).</summary>
    public const int MaxWidth = 160;

    private byte[] _luma = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public ReadOnlySpan<byte> Luma => _luma.AsSpan(0, Width * Height);

    /// <summary>
    /// The power of two (at most 8, JPEG's smallest scale) that brings <paramref name="width"/> to
    /// <see cref="MaxWidth"/>.
    /// </summary>
    public static int Factor(int width)
    {
        int factor = 1;
        while (factor < 8 && width > MaxWidth * factor) factor *= 2;
        return factor;
    }

    /// <summary>
    /// Makes the picture from <paramref name="frame"/> (I420, I422 or JPEG). Throws
    /// <see cref="InvalidDataException"/> for a broken JPEG.
    /// </summary>
    public void Load(Frame frame)
    {
        switch (frame.Format)
        {
            case PixelFormat.Jpeg:
                (Width, Height) = JpegDecoder.ForThisThread.DecodeLuma(frame, frame.Width > 0 ? Factor(frame.Width) : 8, ref _luma);
                break;
            case PixelFormat.I420 or PixelFormat.I422:
                Downscale(frame.Data[..(frame.Width * frame.Height)], frame.Width, frame.Height, Factor(frame.Width));
                break;
            default:
                throw new ArgumentException($"{frame.Format} pictures have no luma plane to analyse", nameof(frame));
        }
    }

    // Each output pixel is the mean of a factor × factor square.
    private void Downscale(ReadOnlySpan<byte> plane, int width, int height, int factor)
    {
        Width = width / factor;
        Height = height / factor;
        if (_luma.Length < Width * Height) _luma = new byte[Width * Height];
        int area = factor * factor, half = area / 2;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int sum = 0;
                for (int dy = 0; dy < factor; dy++)
                {
                    var row = plane.Slice((y * factor + dy) * width + x * factor, factor);
                    foreach (byte value in row) sum += value;
                }
                _luma[y * Width + x] = (byte)((sum + half) / area);
            }
        }
    }
}
