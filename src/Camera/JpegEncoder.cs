namespace Edge.Camera;

/// <summary>
/// One TurboJPEG compressor with its output buffer, owned by one worker thread and reused for every
/// frame (no allocation per frame beyond the pooled output). Encodes planar YUV straight to JPEG.
/// </summary>
public sealed unsafe class JpegEncoder : IDisposable
{
    [ThreadStatic] private static JpegEncoder? s_forThread;

    private IntPtr _handle;
    private IntPtr _buffer;
    private nuint _bufferSize;

    public JpegEncoder()
    {
        _handle = TurboJpeg.InitCompress();
        if (_handle == IntPtr.Zero) throw new InvalidOperationException("TurboJPEG could not create a compressor");
    }

    /// <summary>This thread's encoder (each worker keeps its own for the life of the thread).</summary>
    public static JpegEncoder ForThisThread => s_forThread ??= new JpegEncoder();

    /// <summary>Encodes a planar <paramref name="raw"/> frame; the result is a new frame holding one reference.</summary>
    public Frame Encode(Frame raw, int quality)
    {
        int subsamp = raw.Format switch
        {
            PixelFormat.I422 => TurboJpeg.Samp422,
            PixelFormat.I420 => TurboJpeg.Samp420,
            _ => throw new ArgumentException($"cannot encode {raw.Format} frames", nameof(raw)),
        };
        int width = raw.Width, height = raw.Height;
        int chromaWidth = width / 2, chromaHeight = subsamp == TurboJpeg.Samp420 ? height / 2 : height;
        if (raw.Length < width * height + 2 * chromaWidth * chromaHeight)
            throw new ArgumentException("the frame is shorter than its size says", nameof(raw));
        nuint needed = TurboJpeg.BufSize(width, height, subsamp);
        if (needed == unchecked((nuint)(-1)) || needed > int.MaxValue)
            throw new ArgumentException($"TurboJPEG cannot encode {width}×{height}");
        EnsureBuffer(needed);

        fixed (byte* data = raw.Data)
        {
            byte** planes = stackalloc byte*[3] { data, data + width * height, data + width * height + chromaWidth * chromaHeight };
            int* strides = stackalloc int[3] { width, chromaWidth, chromaWidth };
            byte* output = (byte*)_buffer;
            nuint size = _bufferSize;
            if (TurboJpeg.CompressFromYuvPlanes(_handle, planes, width, strides, height, subsamp, &output, &size, quality,
                TurboJpeg.FlagNoRealloc) != 0)
                throw new InvalidOperationException($"JPEG encoding failed: {TurboJpeg.LastError(_handle)}");
            var jpeg = Frame.Rent((int)size, PixelFormat.Jpeg, width, height, raw.Sequence, raw.Timestamp);
            new ReadOnlySpan<byte>(output, (int)size).CopyTo(jpeg.Buffer);
            return jpeg;
        }
    }

    private void EnsureBuffer(nuint needed)
    {
        if (_bufferSize >= needed) return;
        if (_buffer != IntPtr.Zero) TurboJpeg.Free(_buffer);
        _buffer = TurboJpeg.Alloc((int)needed);
        if (_buffer == IntPtr.Zero) throw new OutOfMemoryException($"TurboJPEG could not allocate {needed} bytes");
        _bufferSize = needed;
    }

    public void Dispose()
    {
        if (_buffer != IntPtr.Zero) TurboJpeg.Free(_buffer);
        if (_handle != IntPtr.Zero) TurboJpeg.Destroy(_handle);
        _buffer = _handle = IntPtr.Zero;
        _bufferSize = 0;
        GC.SuppressFinalize(this);
    }

    ~JpegEncoder() => Dispose();
}
