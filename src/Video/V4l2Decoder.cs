using Edge.Camera;
using Edge.Camera.V4l2;

namespace Edge.Video;

/// <summary>
/// A stateful V4L2 mem-to-mem decoder (vicodec's, in the VM test of the encoder path): coded frames
/// in on OUTPUT; the driver reads the stream's headers and says so with a source-change event, then
/// the CAPTURE queue is set up (I420 at the size the stream has) and gives the pictures back.
/// Blocking calls, one thread.
/// </summary>
public sealed class V4l2Decoder : IDisposable
{
    private const int Buffers = 4;
    private const int WaitMs = 1000;
    private readonly V4l2MemToMem _node;
    private M2mFormat _picture;
    // The pictures that came back (I420), numbered as the frames that went in.
    private readonly List<Frame> _decoded = [];

    public V4l2Decoder(string device, uint coded, int width, int height)
    {
        _node = V4l2MemToMem.Open(device);
        try
        {
            if (!_node.TrySubscribe(V4l2Codecs.EventSourceChange))
                throw new V4l2Exception($"{device}: the decoder has no source-change event");
            _node.TrySubscribe(V4l2Codecs.EventEndOfStream);
            _node.SetFormat(M2mQueue.Output, coded, width, height, Math.Max(width * height * 3 / 2, 64 << 10));
            _node.Start(M2mQueue.Output, Buffers);
        }
        catch
        {
            _node.Dispose();
            throw;
        }
    }

    public string Card => _node.Card;

    /// <summary>Decodes <paramref name="frame"/> (tagged with its frame number); pictures that came back are kept.</summary>
    public void Decode(Frame frame)
    {
        if (!_node.TryTakeOutput(out int index, out var memory))
        {
            Collect(WaitMs);
            if (!_node.TryTakeOutput(out index, out memory)) throw new V4l2Exception($"{_node.Path}: the decoder took no frame");
        }
        frame.Data.CopyTo(memory);
        _node.QueueOutput(index, frame.Length, frame.Sequence);
        Collect(0);
    }

    /// <summary>
    /// Ends the stream (V4L2_DEC_CMD_STOP) and returns every picture (I420, numbered as the coded
    /// frames, held by the decoder until it is disposed), in the order they came; the end-of-stream
    /// event or the last buffer ends the wait.
    /// </summary>
    public List<Frame> Finish()
    {
        _node.Drain(encoder: false);
        while (Collect(WaitMs)) { }
        return _decoded;
    }

    // True while pictures keep coming and the stream has not ended.
    private bool Collect(int timeoutMs)
    {
        bool any = false;
        int wait = timeoutMs;
        while (true)
        {
            bool got = _node.TryDequeueCapture(wait, out var result), changed = false;
            while (_node.TryTakeEvent(out uint type))
            {
                if (type == V4l2Codecs.EventSourceChange)
                {
                    SetUpPictures();
                    changed = true;
                }
                else if (type == V4l2Codecs.EventEndOfStream) return false;
            }
            // Pictures can come only once they are set up: wait for them then, not for nothing.
            if (!got && changed) continue;
            if (!got) return any;
            any = true;
            wait = 0;
            if (result.Length > 0 && !result.HasError)
            {
                _decoded.Add(Picture(_node.Data(result), result.Tag));
            }
            if (result.IsLast) return false;
            _node.RequeueCapture(result.Index);
        }
    }

    // The driver's I420 (planes at its line length) as a packed I420 frame.
    private Frame Picture(ReadOnlySpan<byte> data, long tag)
    {
        int width = _picture.Width, height = _picture.Height, stride = _picture.BytesPerLine;
        var picture = Frame.Rent(PixelFormats.PlanarBytes(PixelFormat.I420, width, height), PixelFormat.I420, width, height, tag, 0);
        var target = picture.Buffer;
        for (int y = 0; y < height; y++) data.Slice(y * stride, width).CopyTo(target[(y * width)..]);
        int chroma = stride * height, chromaPlane = stride / 2 * (height / 2), at = width * height;
        for (int plane = 0; plane < 2; plane++)
            for (int y = 0; y < height / 2; y++, at += width / 2)
                data.Slice(chroma + plane * chromaPlane + y * (stride / 2), width / 2).CopyTo(target[at..]);
        return picture;
    }

    // The stream's size is known: (re)start the CAPTURE queue in I420 at that size.
    private void SetUpPictures()
    {
        _node.Stop(M2mQueue.Capture);
        var found = _node.GetFormat(M2mQueue.Capture);
        _picture = _node.SetFormat(M2mQueue.Capture, V4l2Codecs.I420, found.Width, found.Height);
        _node.Start(M2mQueue.Capture, Buffers);
    }

    public void Dispose()
    {
        foreach (var picture in _decoded) picture.Release();
        _decoded.Clear();
        _node.Dispose();
    }
}
