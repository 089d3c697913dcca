using Edge.Camera;
using Edge.Native;

namespace Edge.Video;

/// <summary>
/// H.264 in software with Cisco's OpenH264 (loaded at run time): one thread, real-time camera mode,
/// bit-rate rate control without skipped frames, one slice, SPS and PPS with every IDR. Baseline is
/// CAVLC; main and high are CABAC. An I422 frame is read as I420 by skipping every other chroma row
/// (the strides say so; nothing is copied).
/// </summary>
public sealed unsafe class OpenH264Encoder : IH264Encoder
{
    private readonly H264EncoderOptions _options;
    private IntPtr _encoder;
    private OpenH264FrameInfo* _info;

    public OpenH264Encoder(H264EncoderOptions options)
    {
        _options = options;
        _encoder = OpenH264.CreateEncoder();
        try
        {
            int quiet = OpenH264.LogQuiet;
            OpenH264.SetEncoderOption(_encoder, OpenH264.EncoderOptionTraceLevel, &quiet);
            OpenH264EncParamExt p;
            Check(OpenH264.GetDefaultParams(_encoder, &p), "GetDefaultParams");
            Configure(ref p, options);
            int result = OpenH264.InitializeExt(_encoder, &p);
            if (result != OpenH264.CmResultSuccess)
                throw new H264EncoderException($"OpenH264 cannot encode {options.Width}×{options.Height} at {options.Fps} fps, " +
                    $"{options.Profile} profile (InitializeExt failed, error {result})");
            OpenH264.SetEncoderOption(_encoder, OpenH264.EncoderOptionTraceLevel, &quiet);
            _info = (OpenH264FrameInfo*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)sizeof(OpenH264FrameInfo));
        }
        catch
        {
            Dispose();
            throw;
        }
        Name = OpenH264.Version ?? "OpenH264";
    }

    public string Name { get; }

    private static void Configure(ref OpenH264EncParamExt p, H264EncoderOptions o)
    {
        int bps = checked(o.BitrateKbps * 1000);
        p.UsageType = OpenH264.CameraVideoRealTime;
        p.PicWidth = p.LayerWidth = o.Width;
        p.PicHeight = p.LayerHeight = o.Height;
        p.MaxFrameRate = p.LayerFrameRate = o.Fps;
        p.TargetBitrate = p.LayerBitrate = bps;
        p.MaxBitrate = p.LayerMaxBitrate = bps * 3 / 2;
        p.RcMode = OpenH264.RcBitrateMode;
        // Every frame is sent: a skipped one would leave the viewers' clocks with a gap.
        p.EnableFrameSkip = 0;
        p.TemporalLayerNum = 1;
        p.SpatialLayerNum = 1;
        p.IntraPeriod = (uint)o.KeyframeInterval;
        p.NumRefFrame = 1;
        p.SpsPpsIdStrategy = OpenH264.ConstantId;
        p.PrefixNalAddingCtrl = 0;
        p.MultipleThreadIdc = 1;
        p.LayerSliceMode = 0; // SM_SINGLE_SLICE
        p.LayerSliceNum = 1;
        (p.LayerProfile, p.EntropyCodingModeFlag) = o.Profile switch
        {
            "high" => (OpenH264.ProfileHigh, 1),
            "main" => (OpenH264.ProfileMain, 1),
            _ => (OpenH264.ProfileBaseline, 0),
        };
        p.EnableDenoise = 0;
        p.EnableBackgroundDetection = 1;
        p.EnableAdaptiveQuant = 1;
        p.EnableSceneChangeDetect = 1;
    }

    public Frame? Encode(Frame raw, bool keyFrame)
    {
        ObjectDisposedException.ThrowIf(_encoder == IntPtr.Zero, this);
        if (raw.Width != _options.Width || raw.Height != _options.Height)
            throw new ArgumentException($"the encoder is for {_options.Width}×{_options.Height}, the frame is {raw.Width}×{raw.Height}");
        int width = raw.Width, height = raw.Height, chromaWidth = width / 2;
        int chromaRows = raw.Format switch
        {
            PixelFormat.I420 => height / 2,
            PixelFormat.I422 => height,
            _ => throw new ArgumentException($"cannot encode {raw.Format} frames to H.264", nameof(raw)),
        };
        if (raw.Length < width * height + 2 * chromaWidth * chromaRows)
            throw new ArgumentException("the frame is shorter than its size says", nameof(raw));
        if (keyFrame) OpenH264.ForceIntraFrame(_encoder);
        fixed (byte* data = raw.Data)
        {
            var picture = new OpenH264SourcePicture
            {
                ColorFormat = OpenH264.VideoFormatI420,
                PicWidth = width,
                PicHeight = height,
                Y = data,
                U = data + width * height,
                V = data + width * height + chromaWidth * chromaRows,
                TimeStamp = raw.Timestamp / (System.Diagnostics.Stopwatch.Frequency / 1000), // ms; no overflow after months
            };
            int chromaStride = raw.Format == PixelFormat.I422 ? 2 * chromaWidth : chromaWidth;
            picture.Stride[0] = width;
            picture.Stride[1] = picture.Stride[2] = chromaStride;
            Check(OpenH264.EncodeFrame(_encoder, &picture, _info), "EncodeFrame");
        }
        return Collect(raw);
    }

    // The layers' NAL units, already in Annex B form, copied into one pooled frame.
    private Frame? Collect(Frame raw)
    {
        var info = _info;
        if (info->FrameType is OpenH264.FrameTypeSkip or OpenH264.FrameTypeInvalid) return null;
        int layers = Math.Min(info->LayerNum, OpenH264FrameInfo.MaxLayers);
        var first = &info->FirstLayer;
        long total = 0;
        for (int i = 0; i < layers; i++)
            for (int n = 0; n < first[i].NalCount; n++) total += first[i].NalLengths[n];
        if (total == 0) return null;
        var au = Frame.Rent(checked((int)total), PixelFormat.H264, raw.Width, raw.Height, raw.Sequence, raw.Timestamp,
            keyFrame: info->FrameType == OpenH264.FrameTypeIdr);
        var target = au.Buffer;
        int at = 0;
        for (int i = 0; i < layers; i++)
        {
            int bytes = 0;
            for (int n = 0; n < first[i].NalCount; n++) bytes += first[i].NalLengths[n];
            new ReadOnlySpan<byte>(first[i].Bitstream, bytes).CopyTo(target[at..]);
            at += bytes;
        }
        return au;
    }

    private static void Check(int result, string call)
    {
        if (result != OpenH264.CmResultSuccess) throw new H264EncoderException($"OpenH264 {call} failed (error {result})");
    }

    public void Dispose()
    {
        if (_encoder != IntPtr.Zero)
        {
            OpenH264.Uninitialize(_encoder);
            OpenH264.DestroyEncoder(_encoder);
            _encoder = IntPtr.Zero;
        }
        if (_info != null)
        {
            System.Runtime.InteropServices.NativeMemory.Free(_info);
            _info = null;
        }
        GC.SuppressFinalize(this);
    }

    ~OpenH264Encoder() => Dispose();
}
