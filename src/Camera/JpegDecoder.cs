namespace Edge.Camera;

/// <summary>
/// One TurboJPEG decompressor, owned by one worker thread: an MJPEG camera's pictures to planar YUV
/// for the H.264 encoder (4:2:0 and 4:2:2, as USB cameras send them; the planes keep the JPEG's own
/// subsampling, so nothing is resampled), or to a small grey picture for motion detection.
/// </summary>
public sealed unsafe class JpegDecoder : IDisposable
{
    [ThreadStatic] private static JpegDecoder? s_forThread;

    private IntPtr _handle;

    public JpegDecoder()
    {
        _handle = TurboJpeg.InitDecompress();
        if (_handle == IntPtr.Zero) throw new InvalidOperationException("TurboJPEG could not create a decompressor");
    }

    /// <summary>This thread's decoder (each worker keeps its own for the life of the thread).</summary>
    public static JpegDecoder ForThisThread => s_forThread ??= new JpegDecoder();

    /// <summary>
    /// Decodes <paramref name="jpeg"/> to I420 or I422; the result is a new frame holding one reference,
    /// with the JPEG's number and time. Throws <see cref="InvalidDataException"/> for a picture that is
    /// broken, grey, 4:4:4 or of odd size.
    /// </summary>
    public Frame Decode(Frame jpeg)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        fixed (byte* data = jpeg.Data)
        {
            int width, height, subsamp, colorspace;
            if (TurboJpeg.DecompressHeader3(_handle, data, (nuint)jpeg.Length, &width, &height, &subsamp, &colorspace) != 0)
                throw new InvalidDataException($"not a JPEG picture: {TurboJpeg.LastError(_handle)}");
            var format = subsamp switch
            {
                TurboJpeg.Samp420 => PixelFormat.I420,
                TurboJpeg.Samp422 => PixelFormat.I422,
                _ => throw new InvalidDataException($"JPEG subsampling {subsamp} cannot be encoded to H.264 (4:2:0 and 4:2:2 can)"),
            };
            if ((width & 1) != 0 || (height & 1) != 0 || width > 8192 || height > 8192)
                throw new InvalidDataException($"a JPEG of {width}×{height} cannot be encoded to H.264 (even sizes up to 8192)");
            var planar = Frame.Rent(PixelFormats.PlanarBytes(format, width, height), format, width, height, jpeg.Sequence, jpeg.Timestamp);
            try
            {
                fixed (byte* output = planar.Buffer)
                    if (TurboJpeg.DecompressToYuv2(_handle, data, (nuint)jpeg.Length, output, width, 1, height, 0) != 0)
                        throw new InvalidDataException($"JPEG decoding failed: {TurboJpeg.LastError(_handle)}");
                return planar;
            }
            catch
            {
                planar.Release();
                throw;
            }
        }
    }

    /// <summary>
    /// Decodes only the brightness of <paramref name="jpeg"/>, scaled down by <paramref name="factor"/>
    /// (1, 2, 4 or 8: the DCT does the scaling, so 1/8 costs a fraction of a full decode) into
    /// <paramref name="luma"/>, which grows when it must; returns the scaled size (rows of that width).
    /// </summary>
    public (int Width, int Height) DecodeLuma(Frame jpeg, int factor, ref byte[] luma)
    {
        ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
        fixed (byte* data = jpeg.Data)
        {
            int width, height, subsamp, colorspace;
            if (TurboJpeg.DecompressHeader3(_handle, data, (nuint)jpeg.Length, &width, &height, &subsamp, &colorspace) != 0)
                throw new InvalidDataException($"not a JPEG picture: {TurboJpeg.LastError(_handle)}");
            if (width > 8192 || height > 8192) throw new InvalidDataException($"a JPEG of {width}×{height} is too large (8192 at most)");
            int scaledWidth = (width + factor - 1) / factor, scaledHeight = (height + factor - 1) / factor;
            if (luma.Length < scaledWidth * scaledHeight) luma = new byte[scaledWidth * scaledHeight];
            fixed (byte* output = luma)
                if (TurboJpeg.Decompress2(_handle, data, (nuint)jpeg.Length, output, scaledWidth, scaledWidth, scaledHeight,
                        TurboJpeg.PixelGray, TurboJpeg.FlagFastDct) != 0)
                    throw new InvalidDataException($"JPEG decoding failed: {TurboJpeg.LastError(_handle)}");
            return (scaledWidth, scaledHeight);
        }
    }

    public void Dispose()
    {
        if (_handle != IntPtr.Zero) TurboJpeg.Destroy(_handle);
        _handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~JpegDecoder() => Dispose();
}
