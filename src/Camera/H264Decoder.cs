using Edge.Native;

namespace Edge.Camera;

/// <summary>
/// One OpenH264 decoder for one H.264 camera's stream: access units in order (from a key frame) in,
/// I420 pictures out. Used by one worker at a time; blocking calls.
/// </summary>
public sealed unsafe class H264Decoder : IDisposable
{
    private IntPtr _decoder;

    public H264Decoder()
    {
        _decoder = OpenH264.CreateDecoder();
        try
        {
            int quiet = OpenH264.LogQuiet;
            OpenH264.SetDecoderOption(_decoder, OpenH264.DecoderOptionTraceLevel, &quiet);
            var parameters = new OpenH264DecodingParam
            {
                TargetDqLayer = byte.MaxValue,
                ErrorConcealment = OpenH264.ErrorConcealmentDisable,
                VideoPropertySize = 8,
                BitstreamType = 0, // VIDEO_BITSTREAM_AVC
            };
            if (OpenH264.InitializeDecoder(_decoder, &parameters) != 0)
                throw new InvalidOperationException("OpenH264 could not start a decoder");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Decodes <paramref name="accessUnit"/>; the picture (a new frame holding one reference, with the
    /// unit's number and time) or null when it gave none. Throws <see cref="InvalidDataException"/> for a
    /// unit it could not decode (the caller starts again at a key frame), <see cref="NotSupportedException"/>
    /// for a stream it cannot decode at all.
    /// </summary>
    public Frame? Decode(Frame accessUnit)
    {
        ObjectDisposedException.ThrowIf(_decoder == IntPtr.Zero, this);
        var info = new OpenH264BufferInfo();
        byte** planes = stackalloc byte*[3];
        int state;
        fixed (byte* data = accessUnit.Data) state = OpenH264.DecodeFrameNoDelay(_decoder, data, accessUnit.Length, planes, &info);
        // No usable parameter sets: a profile or chroma format OpenH264 does not decode; no later unit will do better.
        if ((state & 0x10) != 0) throw new NotSupportedException(Describe(state));
        if (state != 0) throw new InvalidDataException($"H.264 decoding failed: {Describe(state)}");
        if (info.BufferStatus != 1) return null;
        int width = info.Width & ~1, height = info.Height & ~1;
        if (width <= 0 || height <= 0) return null;
        var picture = Frame.Rent(PixelFormats.PlanarBytes(PixelFormat.I420, width, height), PixelFormat.I420, width, height,
            accessUnit.Sequence, accessUnit.Timestamp);
        var target = picture.Buffer;
        Copy(info.Y, info.LumaStride, width, height, target);
        Copy(info.U, info.ChromaStride, width / 2, height / 2, target[(width * height)..]);
        Copy(info.V, info.ChromaStride, width / 2, height / 2, target[(width * height + width * height / 4)..]);
        return picture;
    }

    // DECODING_STATE's bits (wels/codec_def.h).
    private static string Describe(int state) => (state & 0x10) != 0
        ? "the camera's H.264 has no SPS and PPS OpenH264 can use (it decodes 8-bit 4:2:0; 4:2:2 and 4:4:4 it cannot)"
        : (state & 0x04) != 0 ? "the bitstream is broken"
        : (state & 0x02) != 0 ? "a reference picture is missing"
        : $"decoder state 0x{state:x}";

    private static void Copy(byte* plane, int stride, int width, int rows, Span<byte> target)
    {
        for (int row = 0; row < rows; row++)
            new ReadOnlySpan<byte>(plane + (long)row * stride, width).CopyTo(target.Slice(row * width, width));
    }

    public void Dispose()
    {
        if (_decoder != IntPtr.Zero)
        {
            OpenH264.UninitializeDecoder(_decoder);
            OpenH264.DestroyDecoder(_decoder);
            _decoder = IntPtr.Zero;
        }
        GC.SuppressFinalize(this);
    }

    ~H264Decoder() => Dispose();
}
