using Edge.Native;
using static Edge.Camera.V4l2.V4l2Ioctl;
using static Edge.Camera.V4l2.V4l2Native;
using static Edge.Native.Libc;

namespace Edge.Camera.V4l2;

/// <summary>The two queues of a mem-to-mem node: OUTPUT takes what the caller gives, CAPTURE gives the result back.</summary>
public enum M2mQueue { Output, Capture }

/// <summary>A queue's format as the driver set it: sizes, the first plane's line length and buffer size.</summary>
// Plain structs, not records: the generated equality and printing cost binary nobody uses.
public readonly struct M2mFormat(uint fourcc, int width, int height, int bytesPerLine, int sizeImage)
{
    public uint Fourcc { get; } = fourcc;
    public int Width { get; } = width;
    public int Height { get; } = height;
    public int BytesPerLine { get; } = bytesPerLine;
    public int SizeImage { get; } = sizeImage;
}

/// <summary>
/// A V4L2 stateful mem-to-mem codec node (the Raspberry Pi's bcm2835-codec encoder at /dev/video11,
/// vicodec, …), through the single- or multi-planar API, whichever it has (one plane per buffer:
/// Edge's formats are contiguous), with MMAP buffers on both queues. For an encoder the OUTPUT queue
/// takes raw pictures and CAPTURE gives the coded stream; a decoder the other way round. Frames are
/// told apart by their timestamps, which the driver copies from OUTPUT to CAPTURE. Blocking calls;
/// not thread-safe: one worker at a time.
/// </summary>
public sealed unsafe class V4l2MemToMem : IDisposable
{
    private int _fd;
    private readonly Side _output = new(), _capture = new();
    // Events polled out of the driver while waiting for buffers, oldest first (a few at most).
    private readonly List<uint> _events = [];

    private V4l2MemToMem(string path, int fd, string driver, string card, bool multiplanar)
    {
        Path = path;
        _fd = fd;
        Driver = driver;
        Card = card;
        Multiplanar = multiplanar;
        _output.Type = multiplanar ? V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE : V4L2_BUF_TYPE_VIDEO_OUTPUT;
        _capture.Type = multiplanar ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
    }

    public string Path { get; }
    public string Driver { get; }
    public string Card { get; }

    /// <summary>The node uses the multi-planar API (V4L2_CAP_VIDEO_M2M_MPLANE), as bcm2835-codec does.</summary>
    public bool Multiplanar { get; }

    /// <summary>Opens a mem-to-mem node; throws <see cref="V4l2Exception"/> when it is missing or not one.</summary>
    public static V4l2MemToMem Open(string path)
    {
        int fd = V4l2Device.OpenNode(path, out var capability, out uint capabilities);
        if ((capabilities & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE)) == 0 || (capabilities & V4L2_CAP_STREAMING) == 0)
        {
            Close(fd);
            throw new V4l2Exception($"{path}: not a V4L2 mem-to-mem device (capabilities 0x{capabilities:x})");
        }
        return new V4l2MemToMem(path, fd, CString.Read(capability.driver, 16), CString.Read(capability.card, 32),
            (capabilities & V4L2_CAP_VIDEO_M2M_MPLANE) != 0);
    }

    /// <summary>
    /// The mem-to-mem nodes among <paramref name="paths"/> whose CAPTURE side offers <paramref name="coded"/>
    /// and whose OUTPUT side offers I420 or NV12: encoders of that format, described as camera.list
    /// describes devices (no formats). Nodes that cannot be opened are left out.
    /// </summary>
    public static List<CameraDeviceInfo> FindEncoders(IEnumerable<string> paths, uint coded)
    {
        var found = new List<CameraDeviceInfo>();
        foreach (string path in paths)
        {
            try
            {
                using var node = Open(path);
                if (node.Formats(M2mQueue.Capture).Contains(coded) && node.RawInputFormat() != 0)
                    found.Add(new(path, node.Card, node.Driver, "", []));
            }
            catch (V4l2Exception) { }
        }
        return found;
    }

    /// <summary>The raw format an encoder takes that Edge can fill: I420 (preferred) or NV12; 0 for neither.</summary>
    public uint RawInputFormat()
    {
        var formats = Formats(M2mQueue.Output);
        return formats.Contains(V4L2_PIX_FMT_YUV420) ? V4L2_PIX_FMT_YUV420 : formats.Contains(V4L2_PIX_FMT_NV12) ? V4L2_PIX_FMT_NV12 : 0;
    }

    private Side Of(M2mQueue queue) => queue == M2mQueue.Output ? _output : _capture;

    /// <summary>The fourccs a queue offers.</summary>
    public List<uint> Formats(M2mQueue queue)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var formats = new List<uint>();
        for (uint index = 0; index < 64; index++)
        {
            var description = new v4l2_fmtdesc { index = index, type = Of(queue).Type };
            if (TryIoctl(_fd, VIDIOC_ENUM_FMT, &description) != 0) break;
            formats.Add(description.pixelformat);
        }
        return formats;
    }

    /// <summary>
    /// Sets a queue's format (<paramref name="sizeImage"/> 0: the driver's choice); returns what the driver made of it.
    /// </summary>
    public M2mFormat SetFormat(M2mQueue queue, uint fourcc, int width, int height, int sizeImage = 0)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var format = new v4l2_format { type = Of(queue).Type };
        if (Multiplanar)
        {
            format.fmt.pix_mp.width = (uint)width;
            format.fmt.pix_mp.height = (uint)height;
            format.fmt.pix_mp.pixelformat = fourcc;
            format.fmt.pix_mp.field = V4L2_FIELD_NONE;
            format.fmt.pix_mp.num_planes = 1;
            format.fmt.pix_mp.plane_fmt.sizeimage = (uint)sizeImage;
        }
        else
        {
            format.fmt.pix.width = (uint)width;
            format.fmt.pix.height = (uint)height;
            format.fmt.pix.pixelformat = fourcc;
            format.fmt.pix.field = V4L2_FIELD_NONE;
            format.fmt.pix.sizeimage = (uint)sizeImage;
        }
        Ioctl(Path, _fd, VIDIOC_S_FMT, "VIDIOC_S_FMT", &format);
        var set = Read(format);
        if (set.Fourcc != fourcc)
            throw new V4l2Exception($"{Path}: the driver has no {V4l2Device.FourccText(fourcc)} on its {queue} queue " +
                $"(it chose {V4l2Device.FourccText(set.Fourcc)})");
        return set;
    }

    /// <summary>A queue's current format (a decoder's CAPTURE format once the stream's headers were read).</summary>
    public M2mFormat GetFormat(M2mQueue queue)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var format = new v4l2_format { type = Of(queue).Type };
        Ioctl(Path, _fd, VIDIOC_G_FMT, "VIDIOC_G_FMT", &format);
        return Read(format);
    }

    private M2mFormat Read(in v4l2_format format) => Multiplanar
        ? new(format.fmt.pix_mp.pixelformat, (int)format.fmt.pix_mp.width, (int)format.fmt.pix_mp.height,
            (int)format.fmt.pix_mp.plane_fmt.bytesperline, (int)format.fmt.pix_mp.plane_fmt.sizeimage)
        : new(format.fmt.pix.pixelformat, (int)format.fmt.pix.width, (int)format.fmt.pix.height, (int)format.fmt.pix.bytesperline,
            (int)format.fmt.pix.sizeimage);

    /// <summary>Tells an encoder the input's frame rate (for its rate control); false when the driver takes none.</summary>
    public bool TrySetFrameRate(int fps)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        // struct v4l2_outputparm has the capture parameters' layout: timeperframe at the same place.
        var parameters = new v4l2_streamparm { type = _output.Type };
        parameters.parm.capture.timeperframe = new v4l2_fract { numerator = 1, denominator = (uint)fps };
        return TryIoctl(_fd, VIDIOC_S_PARM, &parameters) == 0;
    }

    /// <summary>
    /// Sets a control; false when the driver does not have it or refuses the value (codecs differ in what they offer).
    /// </summary>
    public bool TrySetControl(uint id, int value)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var control = new v4l2_control { id = id, value = value };
        int errno = TryIoctl(_fd, VIDIOC_S_CTRL, &control);
        if (errno is 0 or EINVAL or ERANGE or ENOTTY or EACCES) return errno == 0;
        throw V4l2Exception.FromErrno(Path, "VIDIOC_S_CTRL", errno);
    }

    /// <summary>
    /// Subscribes to an event (V4L2_EVENT_EOS, V4L2_EVENT_SOURCE_CHANGE); false when the driver has none of that kind.
    /// </summary>
    public bool TrySubscribe(uint type)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var subscription = new v4l2_event_subscription { type = type };
        return TryIoctl(_fd, VIDIOC_SUBSCRIBE_EVENT, &subscription) == 0;
    }

    /// <summary>
    /// Allocates and maps <paramref name="count"/> buffers (the driver may grant more) and starts the
    /// queue; CAPTURE buffers are all handed to the driver at once, OUTPUT ones wait for the caller.
    /// </summary>
    public void Start(M2mQueue queue, int count)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var side = Of(queue);
        if (side.Streaming) throw new InvalidOperationException($"{Path}: the {queue} queue is already streaming");
        var request = new v4l2_requestbuffers { count = (uint)count, type = side.Type, memory = V4L2_MEMORY_MMAP };
        Ioctl(Path, _fd, VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request);
        try
        {
            if (request.count < 1) throw new V4l2Exception($"{Path}: the driver granted no {queue} buffer");
            side.Buffers = new Mapping[request.count];
            side.Free = new int[request.count];
            for (uint i = 0; i < request.count; i++)
            {
                v4l2_plane plane;
                var buffer = Describe(side, i, &plane);
                Ioctl(Path, _fd, VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer);
                var (length, offset) = Multiplanar ? (plane.length, plane.m.mem_offset) : (buffer.length, buffer.m.offset);
                side.Buffers[i] = new Mapping(MapShared(Path, _fd, (int)length, offset), (int)length);
            }
            if (queue == M2mQueue.Capture)
                for (int i = 0; i < side.Buffers.Length; i++) Queue(side, i, 0, default);
            else
                for (int i = side.Buffers.Length - 1; i >= 0; i--) side.Free[side.FreeCount++] = i;
            uint type = side.Type;
            Ioctl(Path, _fd, VIDIOC_STREAMON, "VIDIOC_STREAMON", &type);
            side.Streaming = true;
        }
        catch
        {
            Release(side);
            throw;
        }
    }

    /// <summary>Stops a queue and frees its buffers (a decoder's CAPTURE queue, to set it up again after a source change).</summary>
    public void Stop(M2mQueue queue)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        Release(Of(queue));
    }

    // A buffer description for an ioctl; in multi-planar mode its one plane lives in the caller's stack frame.
    private v4l2_buffer Describe(Side side, uint index, v4l2_plane* plane)
    {
        var buffer = new v4l2_buffer { index = index, type = side.Type, memory = V4L2_MEMORY_MMAP };
        if (Multiplanar)
        {
            *plane = default;
            buffer.m.planes = (nint)plane;
            buffer.length = 1;
        }
        return buffer;
    }

    /// <summary>
    /// An OUTPUT buffer the driver is done with (or never had), to fill: its index and memory; false
    /// when all are still with the driver.
    /// </summary>
    public bool TryTakeOutput(out int index, out Span<byte> memory)
    {
        if (!_output.Streaming) throw new InvalidOperationException($"{Path}: the OUTPUT queue is not streaming");
        while (_output.FreeCount == 0 && TryDequeue(_output, out var done, out _)) _output.Free[_output.FreeCount++] = (int)done.index;
        if (_output.FreeCount == 0)
        {
            index = -1;
            memory = default;
            return false;
        }
        index = _output.Free[--_output.FreeCount];
        var mapping = _output.Buffers[index];
        memory = new Span<byte>(mapping.Address, mapping.Length);
        return true;
    }

    /// <summary>
    /// Hands a filled OUTPUT buffer to the driver; <paramref name="tag"/> comes back as the CAPTURE buffer's timestamp.
    /// </summary>
    public void QueueOutput(int index, int bytesUsed, long tag) => Queue(_output, index, bytesUsed, Timestamp(tag));

    /// <summary>Hands a CAPTURE buffer back to the driver to be filled again; its data is no longer valid.</summary>
    public void RequeueCapture(int index) => Queue(_capture, index, 0, default);

    private void Queue(Side side, int index, int bytesUsed, timeval timestamp)
    {
        v4l2_plane plane;
        var buffer = Describe(side, (uint)index, &plane);
        buffer.timestamp = timestamp;
        buffer.field = V4L2_FIELD_NONE;
        if (Multiplanar) plane.bytesused = (uint)bytesUsed;
        else buffer.bytesused = (uint)bytesUsed;
        Ioctl(Path, _fd, VIDIOC_QBUF, "VIDIOC_QBUF", &buffer);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a filled CAPTURE buffer (events that arrive meanwhile
    /// are kept for <see cref="TryTakeEvent"/>); false on timeout or when an event came first. The tag is
    /// the one its OUTPUT buffer was queued with. Throws when the device fails or is gone.
    /// </summary>
    public bool TryDequeueCapture(int timeoutMs, out M2mResult result)
    {
        result = default;
        if (!_capture.Streaming) return WaitForEvent(timeoutMs);
        short revents = Poll(Path, _fd, POLLIN | POLLPRI, timeoutMs);
        if ((revents & POLLPRI) != 0) TakeEvents();
        if (revents == 0 || !TryDequeue(_capture, out var filled, out uint used))
        {
            if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (revents & POLLPRI) == 0)
                throw new V4l2Exception($"{Path}: the device stopped (poll reported an error)");
            return false;
        }
        int bytes = (int)Math.Min(used, (uint)_capture.Buffers[filled.index].Length);
        result = new M2mResult((int)filled.index, bytes, Tag(filled.timestamp), filled.flags);
        return true;
    }

    /// <summary>A dequeued CAPTURE buffer's bytes, in the driver's memory: valid until it is requeued.</summary>
    public ReadOnlySpan<byte> Data(in M2mResult result) => new(_capture.Buffers[result.Index].Address, result.Length);

    // A decoder's CAPTURE queue starts only after its source-change event: until then only events can come.
    private bool WaitForEvent(int timeoutMs)
    {
        if ((Poll(Path, _fd, POLLPRI, timeoutMs) & POLLPRI) != 0) TakeEvents();
        return false;
    }

    private void TakeEvents()
    {
        var happened = new v4l2_event();
        while (TryIoctl(_fd, VIDIOC_DQEVENT, &happened) == 0) _events.Add(happened.type);
    }

    /// <summary>The oldest event not yet taken (V4L2_EVENT_EOS, V4L2_EVENT_SOURCE_CHANGE).</summary>
    public bool TryTakeEvent(out uint type)
    {
        if (_events.Count == 0) TakeEvents();
        type = 0;
        if (_events.Count == 0) return false;
        type = _events[0];
        _events.RemoveAt(0);
        return true;
    }

    /// <summary>
    /// Asks the codec to finish what it has (V4L2_ENC_CMD_STOP or V4L2_DEC_CMD_STOP): the last CAPTURE
    /// buffer then carries V4L2_BUF_FLAG_LAST.
    /// </summary>
    public void Drain(bool encoder)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (encoder)
        {
            var command = new v4l2_encoder_cmd { cmd = V4L2_ENC_CMD_STOP };
            Ioctl(Path, _fd, VIDIOC_ENCODER_CMD, "VIDIOC_ENCODER_CMD", &command);
        }
        else
        {
            var command = new v4l2_decoder_cmd { cmd = V4L2_DEC_CMD_STOP };
            Ioctl(Path, _fd, VIDIOC_DECODER_CMD, "VIDIOC_DECODER_CMD", &command);
        }
    }

    // Non-blocking DQBUF: false when the driver has nothing done on that queue. The plane (multi-planar)
    // lives in this frame: the bytes used are read from it before it returns.
    private bool TryDequeue(Side side, out v4l2_buffer done, out uint bytesUsed)
    {
        v4l2_plane plane;
        done = Describe(side, 0, &plane);
        bytesUsed = 0;
        int errno;
        fixed (v4l2_buffer* buffer = &done) errno = TryIoctl(_fd, VIDIOC_DQBUF, buffer);
        uint planeBytes = plane.bytesused;
        done.m.planes = 0; // it pointed into this frame
        if (errno is EAGAIN) return false;
        // The last buffer was given after a stop: nothing more comes until the queue restarts.
        if (errno == EPIPE) return false;
        if (errno == ENODEV) throw new V4l2Exception($"{Path}: device disconnected: VIDIOC_DQBUF failed: {Errno.Describe(errno)}", errno);
        if (errno != 0) throw V4l2Exception.FromErrno(Path, "VIDIOC_DQBUF", errno);
        if (done.index >= side.Buffers.Length)
            throw new V4l2Exception($"{Path}: the driver returned buffer {done.index} of {side.Buffers.Length}");
        bytesUsed = Multiplanar ? planeBytes : done.bytesused;
        return true;
    }

    private static timeval Timestamp(long tag) => new() { tv_sec = tag / 1_000_000, tv_usec = tag % 1_000_000 };

    private static long Tag(timeval timestamp) => timestamp.tv_sec * 1_000_000 + timestamp.tv_usec;

    // Errors are ignored here: this also runs after the device has gone away.
    private void Release(Side side)
    {
        if (side.Streaming)
        {
            uint type = side.Type;
            TryIoctl(_fd, VIDIOC_STREAMOFF, &type);
            side.Streaming = false;
        }
        foreach (var mapping in side.Buffers)
            if (mapping.Address != null) Munmap(mapping.Address, (nuint)mapping.Length);
        if (side.Buffers.Length > 0)
        {
            var request = new v4l2_requestbuffers { count = 0, type = side.Type, memory = V4L2_MEMORY_MMAP };
            TryIoctl(_fd, VIDIOC_REQBUFS, &request);
        }
        side.Buffers = [];
        side.FreeCount = 0;
    }

    /// <summary>Stops both queues, unmaps the buffers and closes the node. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        Release(_output);
        Release(_capture);
        Close(_fd);
        _fd = -1;
    }

    private sealed class Side
    {
        public uint Type;
        public Mapping[] Buffers = [];
        // OUTPUT buffers the caller may fill: a stack of indexes.
        public int[] Free = [];
        public int FreeCount;
        public bool Streaming;
    }

    private readonly struct Mapping(byte* address, int length)
    {
        public byte* Address { get; } = address;
        public int Length { get; } = length;
    }
}

/// <summary>
/// A filled CAPTURE buffer (its bytes: <see cref="V4l2MemToMem.Data"/>; it goes back to the driver with
/// <see cref="V4l2MemToMem.RequeueCapture"/>).
/// </summary>
public readonly struct M2mResult(int index, int length, long tag, uint flags)
{
    public int Index { get; } = index;
    public int Length { get; } = length;
    public long Tag { get; } = tag;
    public uint Flags { get; } = flags;

    public bool IsKeyFrame => (Flags & V4l2Ioctl.V4L2_BUF_FLAG_KEYFRAME) != 0;

    /// <summary>The codec's last buffer after a drain (V4L2_BUF_FLAG_LAST).</summary>
    public bool IsLast => (Flags & V4l2Ioctl.V4L2_BUF_FLAG_LAST) != 0;

    public bool HasError => (Flags & V4l2Ioctl.V4L2_BUF_FLAG_ERROR) != 0;
}
