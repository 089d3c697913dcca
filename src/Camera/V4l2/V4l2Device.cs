using System.Globalization;
using System.Text;
using Edge.Native;
using static Edge.Camera.V4l2.V4l2Ioctl;
using static Edge.Camera.V4l2.V4l2Native;
using static Edge.Native.Libc;

namespace Edge.Camera.V4l2;

/// <summary>
/// A V4L2 video capture node, opened non-blocking, streaming through driver buffers mapped into
/// this process (no copy until the caller copies). Not thread-safe: one capture thread owns it.
/// </summary>
public sealed unsafe class V4l2Device : IDisposable
{
    private const int MinimumBuffers = 3;
    private const double MinFps = 0.01;
    private const double MaxFps = 10_000;

    // Offered inside stepwise and continuous ranges, which otherwise name no concrete size or rate.
    private static readonly (int Width, int Height)[] CommonSizes = [(640, 480), (1280, 720), (1920, 1080)];
    private static readonly double[] CommonFps = [60, 50, 30, 25, 24, 20, 15, 10, 5];

    private int _fd;
    private Mapping[] _buffers = [];
    private bool _streaming;

    private V4l2Device(string path, int fd, string driver, string card, string busInfo, uint capabilities)
    {
        Path = path;
        _fd = fd;
        Driver = driver;
        Card = card;
        BusInfo = busInfo;
        Capabilities = capabilities;
    }

    public string Path { get; }

    /// <summary>The device's name as its driver reports it (v4l2_capability.card).</summary>
    public string Card { get; }

    public string Driver { get; }
    public string BusInfo { get; }

    /// <summary>V4L2_CAP_* bits of this node: device_caps when the driver reports them, else the whole device's.</summary>
    public uint Capabilities { get; }

    /// <summary>Single-planar video capture with streaming I/O: what this class drives.</summary>
    public bool CanCapture
        => (Capabilities & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING)) == (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING);

    /// <summary>The kernel's character-device major number of every V4L2 node (video, vbi, radio, subdev).</summary>
    private const uint VideoMajor = 81;

    /// <summary>Opens a node and queries it; throws <see cref="V4l2Exception"/> when it is missing, busy or not V4L2.</summary>
    public static V4l2Device Open(string path)
    {
        int fd = OpenNode(path, out var capability, out uint capabilities);
        return new V4l2Device(path, fd, CString.Read(capability.driver, 16), CString.Read(capability.card, 32),
            CString.Read(capability.bus_info, 32), capabilities);
    }

    /// <summary>
    /// Opens a V4L2 node (checked to be one before and after the open) non-blocking and queries it;
    /// <paramref name="capabilities"/> are the node's own. Throws <see cref="V4l2Exception"/>.
    /// </summary>
    internal static int OpenNode(string path, out v4l2_capability capability, out uint capabilities)
    {
        // Edge runs as root on boards: a path that is not a V4L2 node (a FIFO, a watchdog, a file) is never opened.
        CheckNode(path, AT_FDCWD, path);
        int fd = V4l2Native.Open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        try
        {
            // The node could have been replaced between the check and the open.
            CheckNode(path, fd, "");
        }
        catch (V4l2Exception)
        {
            Close(fd);
            throw;
        }
        capability = new v4l2_capability();
        int errno;
        fixed (v4l2_capability* query = &capability) errno = TryIoctl(fd, VIDIOC_QUERYCAP, query);
        if (errno != 0)
        {
            Close(fd);
            throw errno == ENOTTY
                ? new V4l2Exception($"{path}: not a V4L2 device: VIDIOC_QUERYCAP failed: {Errno.Describe(errno)}", errno)
                : V4l2Exception.FromErrno(path, "VIDIOC_QUERYCAP", errno);
        }
        capabilities = (capability.capabilities & V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities;
        return fd;
    }

    /// <summary>Why <paramref name="path"/> is not a V4L2 device node (symbolic links followed), or null when it is one.</summary>
    public static string? NodeProblem(string path)
    {
        try
        {
            CheckNode(path, AT_FDCWD, path);
            return null;
        }
        catch (V4l2Exception e)
        {
            return e.Message;
        }
    }

    // Throws unless fd/path is a character device with V4L2's major number.
    private static void CheckNode(string name, int fd, string path)
    {
        int errno = TryStatx(fd, path, out var node);
        if (errno != 0) throw V4l2Exception.FromErrno(name, "stat", errno);
        if ((node.stx_mode & S_IFMT) != S_IFCHR) throw new V4l2Exception($"{name}: not a V4L2 device: not a device node", ENOTTY);
        if (node.stx_rdev_major != VideoMajor)
            throw new V4l2Exception($"{name}: not a V4L2 device: character device {node.stx_rdev_major}:{node.stx_rdev_minor} " +
                $"(V4L2 devices are {VideoMajor}:N)", ENOTTY);
    }

    /// <summary>
    /// Describes a capture device for camera.list. Null when the node is not one (e.g. the
    /// metadata node of a UVC camera) or cannot be opened or queried; never throws for that.
    /// </summary>
    public static CameraDeviceInfo? Describe(string path)
    {
        try
        {
            using var device = Open(path);
            if (!device.CanCapture) return null;
            var formats = device.EnumerateFormats().Select(format => new CameraFormatInfo(
                FormatName(format.Fourcc), format.Description, format.Compressed,
                format.Sizes.Select(size => new CameraSizeInfo(size.Width, size.Height, size.Fps)).ToList())).ToList();
            return new CameraDeviceInfo(path, device.Card, device.Driver, device.BusInfo, formats);
        }
        catch (V4l2Exception)
        {
            return null;
        }
    }

    /// <summary>The /dev/video* nodes in numeric order (video2 before video10).</summary>
    public static IReadOnlyList<string> FindDevices() => SortDeviceNodes(Directory.EnumerateFiles("/dev", "video*"));

    /// <summary>Keeps the paths named "video" and a number, ordered by that number.</summary>
    internal static IReadOnlyList<string> SortDeviceNodes(IEnumerable<string> paths)
    {
        // A plain sort, not LINQ over (path, number) tuples: native AOT would compile its iterators anew for the tuple.
        var nodes = new List<string>();
        foreach (var path in paths)
        {
            if (NodeNumber(path) >= 0) nodes.Add(path);
        }
        nodes.Sort((a, b) => NodeNumber(a).CompareTo(NodeNumber(b)));
        return nodes;
    }

    private static int NodeNumber(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        return name.StartsWith("video", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : -1;
    }

    /// <summary>The capture formats with their frame sizes and rates, in the driver's order.</summary>
    public IReadOnlyList<V4l2FormatInfo> EnumerateFormats()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var formats = new List<V4l2FormatInfo>();
        for (uint i = 0; ; i++)
        {
            var description = new v4l2_fmtdesc { index = i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
            if (!Enumerate(VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", &description)) return formats;
            var (sizes, range) = EnumerateSizes(description.pixelformat);
            bool compressed = (description.flags & V4L2_FMT_FLAG_COMPRESSED) != 0;
            formats.Add(new V4l2FormatInfo(description.pixelformat, CString.Read(description.description, 32), compressed, sizes, range));
        }
    }

    private (List<V4l2FrameSize> Sizes, V4l2SizeRange? Range) EnumerateSizes(uint fourcc)
    {
        var sizes = new List<V4l2FrameSize>();
        for (uint i = 0; ; i++)
        {
            var size = new v4l2_frmsizeenum { index = i, pixel_format = fourcc };
            if (!Enumerate(VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES", &size)) return (sizes, null);
            if (size.type == V4L2_FRMSIZE_TYPE_DISCRETE)
            {
                sizes.Add(FrameSize(fourcc, size.discrete.width, size.discrete.height));
                continue;
            }
            // Stepwise and continuous come as one entry that describes the whole range.
            var step = size.stepwise;
            var range = new V4l2SizeRange(
                (int)step.min_width, (int)step.max_width, (int)step.step_width,
                (int)step.min_height, (int)step.max_height, (int)step.step_height);
            foreach (var (width, height) in SizesWithin(range)) sizes.Add(FrameSize(fourcc, (uint)width, (uint)height));
            return (sizes, range);
        }
    }

    private V4l2FrameSize FrameSize(uint fourcc, uint width, uint height)
    {
        var fps = new List<double>();
        V4l2FpsRange? range = null;
        for (uint i = 0; ; i++)
        {
            var interval = new v4l2_frmivalenum { index = i, pixel_format = fourcc, width = width, height = height };
            if (!Enumerate(VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS", &interval)) break;
            if (interval.type == V4L2_FRMIVAL_TYPE_DISCRETE)
            {
                fps.Add(Fps(interval.discrete));
                continue;
            }
            // One entry for the whole range; the longest interval is the slowest rate.
            range = new V4l2FpsRange(Fps(interval.stepwise.max), Fps(interval.stepwise.min));
            fps.AddRange(RatesWithin(range.Value));
            break;
        }
        return new V4l2FrameSize((int)width, (int)height, FastestFirst(fps), range);
    }

    // Positive rates, each once, fastest first. Loops, not LINQ: native AOT compiles LINQ anew for double.
    private static List<double> FastestFirst(List<double> rates)
    {
        var result = new List<double>();
        foreach (double rate in rates)
        {
            if (rate > 0 && !result.Contains(rate)) result.Add(rate);
        }
        result.Sort((a, b) => b.CompareTo(a));
        return result;
    }

    /// <summary>The common sizes a stepwise or continuous range can produce.</summary>
    internal static List<(int Width, int Height)> SizesWithin(V4l2SizeRange range)
    {
        var sizes = new List<(int Width, int Height)>();
        foreach (var size in CommonSizes)
        {
            if (Fits(size.Width, range.MinWidth, range.MaxWidth, range.StepWidth)
                && Fits(size.Height, range.MinHeight, range.MaxHeight, range.StepHeight)) sizes.Add(size);
        }
        return sizes;
    }

    private static bool Fits(int value, int min, int max, int step) =>
        value >= min && value <= max && (value - min) % Math.Max(step, 1) == 0;

    /// <summary>The range's maximum and the common rates below it.</summary>
    internal static List<double> RatesWithin(V4l2FpsRange range)
    {
        var rates = new List<double> { range.Max };
        foreach (double rate in CommonFps)
        {
            if (rate >= range.Min && rate < range.Max) rates.Add(rate);
        }
        return rates;
    }

    internal static double Fps(v4l2_fract interval) =>
        interval.numerator == 0 ? 0 : Math.Round((double)interval.denominator / interval.numerator, 2);

    // Whole rates as 1/fps, which every driver matches exactly; others (29.97) to a thousandth.
    internal static v4l2_fract TimePerFrame(double fps) => fps == Math.Floor(fps)
        ? new v4l2_fract { numerator = 1, denominator = (uint)fps }
        : new v4l2_fract { numerator = 1000, denominator = (uint)Math.Round(fps * 1000) };

    // EINVAL ends a V4L2 enumeration; ENOTTY means the driver does not enumerate this at all.
    private bool Enumerate(nuint request, string name, void* argument)
    {
        int errno = TryIoctl(_fd, request, argument);
        if (errno == 0) return true;
        if (errno is EINVAL or ENOTTY) return false;
        throw V4l2Exception.FromErrno(Path, name, errno);
    }

    /// <summary>
    /// Asks for a pixel format and size; returns what the driver chose, which may differ in
    /// format, size or both (drivers adjust to the nearest they support).
    /// </summary>
    public (uint Fourcc, int Width, int Height, int BytesPerLine, int SizeImage) SetFormat(uint fourcc, int width, int height)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (_streaming) throw new InvalidOperationException($"{Path}: the format cannot change while streaming");
        var format = new v4l2_format { type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
        format.fmt.pix = new v4l2_pix_format { width = (uint)width, height = (uint)height, pixelformat = fourcc, field = V4L2_FIELD_ANY };
        Ioctl(Path, _fd, VIDIOC_S_FMT, "VIDIOC_S_FMT", &format);
        var pix = format.fmt.pix;
        return (pix.pixelformat, (int)pix.width, (int)pix.height, (int)pix.bytesperline, (int)pix.sizeimage);
    }

    /// <summary>
    /// Asks for a frame rate; returns the rate the driver settled on, or 0 when the driver does
    /// not let applications choose (no V4L2_CAP_TIMEPERFRAME).
    /// </summary>
    public double SetFrameRate(double fps)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (!(fps >= MinFps && fps <= MaxFps))
            throw new ArgumentOutOfRangeException(nameof(fps), fps, $"expected {MinFps} to {MaxFps} frames per second");
        var parameters = new v4l2_streamparm { type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
        int errno = TryIoctl(_fd, VIDIOC_G_PARM, &parameters);
        if (errno is ENOTTY or EINVAL) return 0; // the driver has no streaming parameters
        if (errno != 0) throw V4l2Exception.FromErrno(Path, "VIDIOC_G_PARM", errno);
        if ((parameters.parm.capture.capability & V4L2_CAP_TIMEPERFRAME) == 0) return 0;
        parameters.parm.capture.timeperframe = TimePerFrame(fps);
        Ioctl(Path, _fd, VIDIOC_S_PARM, "VIDIOC_S_PARM", &parameters);
        return Fps(parameters.parm.capture.timeperframe);
    }

    /// <summary>
    /// Allocates <paramref name="bufferCount"/> driver buffers (at least three), maps and queues
    /// them all, and starts capture. Throws when the driver grants fewer than two: one buffer
    /// cannot stream, the driver would have nothing to fill while the caller holds it.
    /// </summary>
    public void StartStreaming(int bufferCount)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (_streaming) throw new InvalidOperationException($"{Path}: already streaming");
        var request = new v4l2_requestbuffers
        {
            count = (uint)Math.Max(bufferCount, MinimumBuffers),
            type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
            memory = V4L2_MEMORY_MMAP,
        };
        Ioctl(Path, _fd, VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request);
        try
        {
            if (request.count < 2)
                throw new V4l2Exception($"{Path}: the driver granted {request.count} buffer(s); streaming needs at least 2");
            _buffers = new Mapping[request.count];
            for (uint i = 0; i < request.count; i++)
            {
                var buffer = new v4l2_buffer { index = i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, memory = V4L2_MEMORY_MMAP };
                Ioctl(Path, _fd, VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer);
                _buffers[i] = new Mapping(MapShared(Path, _fd, (int)buffer.length, buffer.m.offset), (int)buffer.length);
            }
            for (int i = 0; i < _buffers.Length; i++) Queue(i);
            uint type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            Ioctl(Path, _fd, VIDIOC_STREAMON, "VIDIOC_STREAMON", &type);
            _streaming = true;
        }
        catch
        {
            ReleaseBuffers();
            throw;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (negative: forever) for a filled buffer; false on
    /// timeout. Throws <see cref="V4l2Exception"/> when the device fails or is unplugged (then
    /// <see cref="V4l2Exception.Disconnected"/> is true). Hand the buffer back with <see cref="Requeue"/>.
    /// </summary>
    public bool TryDequeue(int timeoutMs, out V4l2Buffer buffer)
    {
        ThrowIfNotStreaming();
        buffer = default;
        short revents = Poll(Path, _fd, POLLIN, timeoutMs);
        if (revents == 0) return false;
        // Dequeue even on POLLERR: the ioctl's errno tells what went wrong (ENODEV once unplugged).
        var filled = new v4l2_buffer { type = V4L2_BUF_TYPE_VIDEO_CAPTURE, memory = V4L2_MEMORY_MMAP };
        int errno = TryIoctl(_fd, VIDIOC_DQBUF, &filled);
        if (errno == EAGAIN)
        {
            if ((revents & (POLLERR | POLLHUP | POLLNVAL)) == 0) return false;
            throw new V4l2Exception($"{Path}: the device stopped delivering frames (poll reported an error)");
        }
        if (errno == ENODEV) throw new V4l2Exception($"{Path}: device disconnected: VIDIOC_DQBUF failed: {Errno.Describe(errno)}", errno);
        if (errno != 0) throw V4l2Exception.FromErrno(Path, "VIDIOC_DQBUF", errno);
        if (filled.index >= _buffers.Length)
            throw new V4l2Exception($"{Path}: the driver returned buffer {filled.index} of {_buffers.Length}");

        var mapping = _buffers[filled.index];
        int bytesUsed = (int)Math.Min(filled.bytesused, (uint)mapping.Length);
        var timestamp =
            TimeSpan.FromTicks(filled.timestamp.tv_sec * TimeSpan.TicksPerSecond + filled.timestamp.tv_usec * TimeSpan.TicksPerMicrosecond);
        buffer = new V4l2Buffer((int)filled.index, mapping.Address, bytesUsed, filled.sequence, filled.flags, timestamp);
        return true;
    }

    /// <summary>Hands a dequeued buffer back to the driver to be filled again; its data is no longer valid.</summary>
    public void Requeue(int index)
    {
        ThrowIfNotStreaming();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _buffers.Length);
        Queue(index);
    }

    private void Queue(int index)
    {
        var buffer = new v4l2_buffer { index = (uint)index, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, memory = V4L2_MEMORY_MMAP };
        Ioctl(Path, _fd, VIDIOC_QBUF, "VIDIOC_QBUF", &buffer);
    }

    private void ThrowIfNotStreaming()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (!_streaming) throw new InvalidOperationException($"{Path}: not streaming");
    }

    // Errors are ignored here: this also runs after the device has gone away.
    private void ReleaseBuffers()
    {
        foreach (var mapping in _buffers)
        {
            if (mapping.Address != null) Munmap(mapping.Address, (nuint)mapping.Length);
        }
        _buffers = [];
        var request = new v4l2_requestbuffers { count = 0, type = V4L2_BUF_TYPE_VIDEO_CAPTURE, memory = V4L2_MEMORY_MMAP };
        TryIoctl(_fd, VIDIOC_REQBUFS, &request);
    }

    /// <summary>Stops streaming, unmaps the buffers and closes the node. Safe to call twice.</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        if (_streaming)
        {
            uint type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            TryIoctl(_fd, VIDIOC_STREAMOFF, &type);
            _streaming = false;
        }
        if (_buffers.Length > 0) ReleaseBuffers();
        Close(_fd);
        _fd = -1;
    }

    /// <summary>Edge's name for a pixel format: "mjpeg", "yuyv", "nv12", "i420", "h264", else the fourcc text.</summary>
    internal static string FormatName(uint fourcc) => fourcc switch
    {
        V4L2_PIX_FMT_MJPEG => "mjpeg",
        V4L2_PIX_FMT_YUYV => "yuyv",
        V4L2_PIX_FMT_NV12 => "nv12",
        V4L2_PIX_FMT_YUV420 => "i420",
        V4L2_PIX_FMT_H264 => "h264",
        _ => FourccText(fourcc),
    };

    /// <summary>The four characters of a fourcc ("MJPG"); unprintable bytes show as '?'.</summary>
    public static string FourccText(uint fourcc)
    {
        Span<char> text = stackalloc char[4];
        for (int i = 0; i < 4; i++)
        {
            byte character = (byte)(fourcc >> (8 * i));
            text[i] = character is >= 0x20 and < 0x7f ? (char)character : '?';
        }
        return new string(text);
    }

    /// <summary>The fourcc of four ASCII characters, built like the kernel's v4l2_fourcc.</summary>
    public static uint Fourcc(string text)
    {
        if (text.Length != 4 || !Ascii.IsValid(text))
            throw new ArgumentException($"a fourcc is four ASCII characters, not \"{text}\"", nameof(text));
        return text[0] | (uint)text[1] << 8 | (uint)text[2] << 16 | (uint)text[3] << 24;
    }

    private readonly struct Mapping(byte* address, int length)
    {
        public byte* Address { get; } = address;
        public int Length { get; } = length;
    }
}
