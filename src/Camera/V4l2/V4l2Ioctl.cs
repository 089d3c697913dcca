using Edge.Native;

namespace Edge.Camera.V4l2;

/// <summary>
/// Request numbers and constants of <c>&lt;linux/videodev2.h&gt;</c>, under the kernel's names;
/// requests are built from the struct mirrors' sizes (<see cref="IoctlNumber"/>).
/// </summary>
internal static unsafe class V4l2Ioctl
{
    private const uint Type = 'V';

    private static nuint Ior(uint nr, int size) => IoctlNumber.Ior(Type, nr, size);
    private static nuint Iow(uint nr, int size) => IoctlNumber.Iow(Type, nr, size);
    private static nuint Iowr(uint nr, int size) => IoctlNumber.Iowr(Type, nr, size);

    public static readonly nuint VIDIOC_QUERYCAP = Ior(0, sizeof(v4l2_capability));
    public static readonly nuint VIDIOC_ENUM_FMT = Iowr(2, sizeof(v4l2_fmtdesc));
    public static readonly nuint VIDIOC_G_FMT = Iowr(4, sizeof(v4l2_format));
    public static readonly nuint VIDIOC_S_FMT = Iowr(5, sizeof(v4l2_format));
    public static readonly nuint VIDIOC_REQBUFS = Iowr(8, sizeof(v4l2_requestbuffers));
    public static readonly nuint VIDIOC_QUERYBUF = Iowr(9, sizeof(v4l2_buffer));
    public static readonly nuint VIDIOC_QBUF = Iowr(15, sizeof(v4l2_buffer));
    public static readonly nuint VIDIOC_DQBUF = Iowr(17, sizeof(v4l2_buffer));
    public static readonly nuint VIDIOC_STREAMON = Iow(18, sizeof(int));
    public static readonly nuint VIDIOC_STREAMOFF = Iow(19, sizeof(int));
    public static readonly nuint VIDIOC_G_PARM = Iowr(21, sizeof(v4l2_streamparm));
    public static readonly nuint VIDIOC_S_PARM = Iowr(22, sizeof(v4l2_streamparm));
    public static readonly nuint VIDIOC_ENUM_FRAMESIZES = Iowr(74, sizeof(v4l2_frmsizeenum));
    public static readonly nuint VIDIOC_ENUM_FRAMEINTERVALS = Iowr(75, sizeof(v4l2_frmivalenum));
    public static readonly nuint VIDIOC_G_CTRL = Iowr(27, sizeof(v4l2_control));
    public static readonly nuint VIDIOC_S_CTRL = Iowr(28, sizeof(v4l2_control));
    public static readonly nuint VIDIOC_ENCODER_CMD = Iowr(77, sizeof(v4l2_encoder_cmd));
    public static readonly nuint VIDIOC_DQEVENT = Ior(89, sizeof(v4l2_event));
    public static readonly nuint VIDIOC_SUBSCRIBE_EVENT = Iow(90, sizeof(v4l2_event_subscription));
    public static readonly nuint VIDIOC_DECODER_CMD = Iowr(96, sizeof(v4l2_decoder_cmd));

    public const uint V4L2_BUF_TYPE_VIDEO_CAPTURE = 1;
    public const uint V4L2_BUF_TYPE_VIDEO_OUTPUT = 2;
    public const uint V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE = 9;
    public const uint V4L2_BUF_TYPE_VIDEO_OUTPUT_MPLANE = 10;
    public const uint V4L2_MEMORY_MMAP = 1;
    public const uint V4L2_CAP_VIDEO_M2M_MPLANE = 0x00004000;
    public const uint V4L2_CAP_VIDEO_M2M = 0x00008000;
    public const uint V4L2_BUF_FLAG_KEYFRAME = 0x00000008;
    public const uint V4L2_BUF_FLAG_LAST = 0x00100000;
    public const uint V4L2_EVENT_EOS = 2;
    public const uint V4L2_EVENT_SOURCE_CHANGE = 5;
    public const uint V4L2_ENC_CMD_STOP = 1;
    public const uint V4L2_DEC_CMD_STOP = 1;

    // Codec controls (V4L2_CTRL_CLASS_CODEC) and their values.
    public const uint V4L2_CID_MPEG_VIDEO_GOP_SIZE = 0x009909cb;
    public const uint V4L2_CID_MPEG_VIDEO_BITRATE_MODE = 0x009909ce;
    public const uint V4L2_CID_MPEG_VIDEO_BITRATE = 0x009909cf;
    public const uint V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER = 0x009909e2;
    public const uint V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME = 0x009909e5;
    public const uint V4L2_CID_MPEG_VIDEO_H264_I_PERIOD = 0x00990a66;
    public const uint V4L2_CID_MPEG_VIDEO_H264_LEVEL = 0x00990a67;
    public const uint V4L2_CID_MPEG_VIDEO_H264_PROFILE = 0x00990a6b;
    public const uint V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR = 0x00990b84;
    public const int V4L2_MPEG_VIDEO_BITRATE_MODE_CBR = 1;
    public const int V4L2_MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE = 1;
    public const int V4L2_MPEG_VIDEO_H264_PROFILE_MAIN = 2;
    public const int V4L2_MPEG_VIDEO_H264_PROFILE_HIGH = 4;
    public const int V4L2_MPEG_VIDEO_H264_LEVEL_4_0 = 11;

    public const uint V4L2_CAP_VIDEO_CAPTURE = 0x00000001;
    public const uint V4L2_CAP_STREAMING = 0x04000000;
    public const uint V4L2_CAP_DEVICE_CAPS = 0x80000000;
    public const uint V4L2_CAP_TIMEPERFRAME = 0x1000; // in v4l2_captureparm.capability

    public const uint V4L2_FMT_FLAG_COMPRESSED = 0x0001;
    public const uint V4L2_BUF_FLAG_ERROR = 0x00000040;

    public const uint V4L2_FIELD_ANY = 0;
    public const uint V4L2_FIELD_NONE = 1;

    public const uint V4L2_FRMSIZE_TYPE_DISCRETE = 1;
    public const uint V4L2_FRMSIZE_TYPE_CONTINUOUS = 2;
    public const uint V4L2_FRMSIZE_TYPE_STEPWISE = 3;
    public const uint V4L2_FRMIVAL_TYPE_DISCRETE = 1;
    public const uint V4L2_FRMIVAL_TYPE_CONTINUOUS = 2;
    public const uint V4L2_FRMIVAL_TYPE_STEPWISE = 3;

    // v4l2_fourcc(a, b, c, d): the four characters little-endian.
    public const uint V4L2_PIX_FMT_MJPEG = 'M' | 'J' << 8 | 'P' << 16 | 'G' << 24;
    public const uint V4L2_PIX_FMT_JPEG = 'J' | 'P' << 8 | 'E' << 16 | 'G' << 24;
    public const uint V4L2_PIX_FMT_YUYV = 'Y' | 'U' << 8 | 'Y' << 16 | 'V' << 24;
    public const uint V4L2_PIX_FMT_NV12 = 'N' | 'V' << 8 | '1' << 16 | '2' << 24;
    public const uint V4L2_PIX_FMT_YUV420 = 'Y' | 'U' << 8 | '1' << 16 | '2' << 24; // YU12, I420
    public const uint V4L2_PIX_FMT_H264 = 'H' | '2' << 8 | '6' << 16 | '4' << 24;
    public const uint V4L2_PIX_FMT_FWHT = 'F' | 'W' << 8 | 'H' << 16 | 'T' << 24; // vicodec's codec
    public const uint V4L2_FWHT_FL_I_FRAME = 1 << 10;
}
