using Edge.Camera;
using Edge.Camera.V4l2;

namespace Edge.Video;

/// <summary>
/// A board's hardware encoder through V4L2's stateful mem-to-mem interface (the Raspberry Pi 0-4's
/// bcm2835-codec at /dev/video11, or any other): each raw frame is copied into an OUTPUT buffer
/// (I420 or NV12, at the driver's line length and plane height), the coded frame is dequeued from
/// CAPTURE. Bit rate, key-frame period, profile, level, SPS/PPS with every IDR and forced key frames
/// go through the codec controls the driver has. The coded format is H.264 for Edge's streams; the
/// VM test drives the same code with vicodec's FWHT (<c>edge codec-check</c>). Blocking calls, one
/// worker at a time.
/// </summary>
public sealed class V4l2Encoder : IH264Encoder
{
    private const int Buffers = 4;
    private readonly V4l2MemToMem _node;
    private readonly H264EncoderOptions _options;
    private readonly uint _coded, _raw;
    private readonly M2mFormat _input;
    private readonly int _waitMs;
    // Capture times by frame number (the tag that travels with the buffer), of the last frames queued.
    private readonly long[] _tags = new long[4 * Buffers], _times = new long[4 * Buffers];
    private int _nextTag;
    private readonly Queue<Frame> _ready = new();
    private byte[]? _parameterSets;

    public V4l2Encoder(string device, uint coded, H264EncoderOptions options)
    {
        _options = options;
        _coded = coded;
        _node = V4l2MemToMem.Open(device);
        try
        {
            _raw = _node.RawInputFormat();
            if (_raw == 0) throw new H264EncoderException($"{device} ({_node.Card}) takes neither I420 nor NV12 pictures");
            // The coded side first: drivers size the raw side's buffers from it.
            _node.SetFormat(M2mQueue.Capture, coded, options.Width, options.Height, Math.Max(options.Width * options.Height, 256 << 10));
            _input = _node.SetFormat(M2mQueue.Output, _raw, options.Width, options.Height);
            if (_input.Width < options.Width || _input.Height < options.Height || _input.BytesPerLine < options.Width)
                throw new H264EncoderException($"{device} ({_node.Card}) cannot encode {options.Width}×{options.Height} " +
                    $"(it offers {_input.Width}×{_input.Height})");
            _node.TrySetFrameRate(options.Fps);
            Configure();
            _node.Start(M2mQueue.Capture, Buffers);
            _node.Start(M2mQueue.Output, Buffers);
        }
        catch
        {
            _node.Dispose();
            throw;
        }
        // Two frame intervals for a coded frame to come back, within reason.
        _waitMs = Math.Clamp(2000 / Math.Max(options.Fps, 1), 50, 1000);
        Name = $"V4L2 {device} ({_node.Card})";
    }

    public string Name { get; }

    // Controls the driver lacks are skipped: what a codec offers differs (vicodec has no bit rate).
    private void Configure()
    {
        _node.TrySetControl(V4l2Codecs.GopSize, _options.KeyframeInterval);
        if (_coded != V4l2Codecs.H264) return;
        _node.TrySetControl(V4l2Codecs.BitrateMode, V4l2Codecs.BitrateModeCbr);
        _node.TrySetControl(V4l2Codecs.Bitrate, _options.BitrateKbps * 1000);
        _node.TrySetControl(V4l2Codecs.H264IPeriod, _options.KeyframeInterval);
        _node.TrySetControl(V4l2Codecs.H264Profile, _options.Profile switch
        {
            "high" => V4l2Codecs.ProfileHigh,
            "main" => V4l2Codecs.ProfileMain,
            _ => V4l2Codecs.ProfileConstrainedBaseline,
        });
        _node.TrySetControl(V4l2Codecs.H264Level, V4l2Codecs.Level40);
        // SPS and PPS with every IDR, so a viewer that joins at any key frame can decode it.
        _node.TrySetControl(V4l2Codecs.RepeatSequenceHeader, 1);
        _node.TrySetControl(V4l2Codecs.PrependSpsPpsToIdr, 1);
    }

    public Frame? Encode(Frame raw, bool keyFrame)
    {
        if (raw.Width != _options.Width || raw.Height != _options.Height)
            throw new ArgumentException($"the encoder is for {_options.Width}×{_options.Height}, the frame is {raw.Width}×{raw.Height}");
        if (keyFrame) _node.TrySetControl(V4l2Codecs.ForceKeyFrame, 1);
        if (!_node.TryTakeOutput(out int index, out var memory))
        {
            // Every OUTPUT buffer is still with the driver: take what it finished, then try again.
            Collect(_waitMs);
            if (!_node.TryTakeOutput(out index, out memory))
                throw new H264EncoderException($"{_node.Path}: the encoder took no picture for {_waitMs} ms");
        }
        int size = Fill(raw, memory);
        _tags[_nextTag] = raw.Sequence;
        _times[_nextTag] = raw.Timestamp;
        _nextTag = (_nextTag + 1) % _tags.Length;
        _node.QueueOutput(index, size, raw.Sequence);
        // Wait for this frame's result only when none is ready: a driver that once gave two at a time would
        // otherwise keep every frame one late for good.
        Collect(_ready.Count > 0 ? 0 : _waitMs);
        return _ready.TryDequeue(out var frame) ? frame : null;
    }

    /// <summary>
    /// Ends the stream: the codec finishes every picture it was given (V4L2_ENC_CMD_STOP, up to its
    /// last buffer); returns the coded frames not yet returned, oldest first.
    /// </summary>
    public List<Frame> Finish()
    {
        _node.Drain(encoder: true);
        while (Collect(_waitMs, untilLast: true)) { }
        var frames = new List<Frame>(_ready);
        _ready.Clear();
        return frames;
    }

    // Copies the planes at the driver's layout: Y, then U and V (I420) or interleaved UV (NV12), each
    // plane at the format's height; I422 gives every other chroma row.
    private int Fill(Frame raw, Span<byte> target)
    {
        int width = raw.Width, height = raw.Height, stride = _input.BytesPerLine, rows = _input.Height;
        int chromaWidth = width / 2;
        int chromaRows = raw.Format switch
        {
            PixelFormat.I420 => height / 2,
            PixelFormat.I422 => height,
            _ => throw new ArgumentException($"cannot encode {raw.Format} frames", nameof(raw)),
        };
        int step = raw.Format == PixelFormat.I422 ? 2 : 1;
        var source = raw.Data;
        for (int y = 0; y < height; y++) source.Slice(y * width, width).CopyTo(target.Slice(y * stride, width));
        var u = source.Slice(width * height, chromaWidth * chromaRows);
        var v = source.Slice(width * height + chromaWidth * chromaRows, chromaWidth * chromaRows);
        int chroma = stride * rows;
        if (_raw == V4l2Codecs.I420)
        {
            int chromaStride = stride / 2, chromaPlane = chromaStride * (rows / 2);
            for (int y = 0; y < height / 2; y++)
            {
                u.Slice(y * step * chromaWidth, chromaWidth).CopyTo(target.Slice(chroma + y * chromaStride, chromaWidth));
                v.Slice(y * step * chromaWidth, chromaWidth).CopyTo(target.Slice(chroma + chromaPlane + y * chromaStride, chromaWidth));
            }
            return chroma + 2 * chromaPlane;
        }
        for (int y = 0; y < height / 2; y++)
        {
            var line = target.Slice(chroma + y * stride, width);
            var uRow = u.Slice(y * step * chromaWidth, chromaWidth);
            var vRow = v.Slice(y * step * chromaWidth, chromaWidth);
            for (int x = 0; x < chromaWidth; x++)
            {
                line[2 * x] = uRow[x];
                line[2 * x + 1] = vRow[x];
            }
        }
        return chroma + stride * (rows / 2);
    }

    // Takes the coded frames the driver has (waiting up to timeoutMs for the first); true when one came
    // (with untilLast: until the one marked last).
    private bool Collect(int timeoutMs, bool untilLast = false)
    {
        bool any = false;
        int wait = timeoutMs;
        while (_node.TryDequeueCapture(wait, out var result))
        {
            any = true;
            wait = 0;
            try
            {
                if (result.Length > 0 && !result.HasError) Keep(result);
            }
            finally
            {
                if (!result.IsLast) _node.RequeueCapture(result.Index);
            }
            if (result.IsLast) return false;
        }
        return any && untilLast;
    }

    private void Keep(in M2mResult result)
    {
        var data = _node.Data(result);
        bool h264 = _coded == V4l2Codecs.H264;
        // Some encoders (bcm2835-codec) hand over SPS and PPS in a buffer of their own before the first IDR.
        if (h264 && !H264Nal.ContainsPicture(data))
        {
            _parameterSets = data.ToArray();
            return;
        }
        int extra = _parameterSets?.Length ?? 0;
        int slot = Array.IndexOf(_tags, result.Tag);
        long timestamp = slot >= 0 ? _times[slot] : System.Diagnostics.Stopwatch.GetTimestamp();
        // The driver's flag, or the stream's own word for it (vicodec flags only what it decodes).
        bool key = result.IsKeyFrame || (h264 ? H264Nal.ContainsIdr(data) : IsFwhtIntra(data));
        var frame = Frame.Rent(extra + data.Length, h264 ? PixelFormat.H264 : PixelFormat.Fwht, _options.Width, _options.Height, result.Tag,
            timestamp, keyFrame: key);
        _parameterSets?.CopyTo(frame.Buffer);
        data.CopyTo(frame.Buffer[extra..]);
        _parameterSets = null;
        _ready.Enqueue(frame);
        // A caller that stopped taking them: the oldest go (never more than the driver's buffers).
        while (_ready.Count > Buffers) _ready.Dequeue().Release();
    }

    // struct fwht_cframe_hdr: big-endian flags at byte 20; V4L2_FWHT_FL_I_FRAME is bit 10.
    private static bool IsFwhtIntra(ReadOnlySpan<byte> frame)
        => frame.Length >= 24 && (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame[20..]) & V4l2Codecs.FwhtIntraFrame) != 0;

    public void Dispose()
    {
        while (_ready.TryDequeue(out var frame)) frame.Release();
        _node.Dispose();
    }
}
