namespace Edge.Camera.V4l2;

/// <summary>
/// What other parts name when they drive a mem-to-mem codec (<see cref="V4l2MemToMem"/>): formats,
/// codec controls and their values, events. The kernel's values (V4l2LayoutTests checks them).
/// </summary>
public static class V4l2Codecs
{
    public const uint H264 = V4l2Ioctl.V4L2_PIX_FMT_H264;
    public const uint Fwht = V4l2Ioctl.V4L2_PIX_FMT_FWHT;
    public const uint I420 = V4l2Ioctl.V4L2_PIX_FMT_YUV420;
    public const uint Nv12 = V4l2Ioctl.V4L2_PIX_FMT_NV12;

    public const uint GopSize = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_GOP_SIZE;
    public const uint BitrateMode = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_BITRATE_MODE;
    public const uint Bitrate = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_BITRATE;
    public const uint RepeatSequenceHeader = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_REPEAT_SEQ_HEADER;
    public const uint ForceKeyFrame = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_FORCE_KEY_FRAME;
    public const uint H264IPeriod = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_H264_I_PERIOD;
    public const uint H264Level = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_H264_LEVEL;
    public const uint H264Profile = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_H264_PROFILE;
    public const uint PrependSpsPpsToIdr = V4l2Ioctl.V4L2_CID_MPEG_VIDEO_PREPEND_SPSPPS_TO_IDR;

    public const int BitrateModeCbr = V4l2Ioctl.V4L2_MPEG_VIDEO_BITRATE_MODE_CBR;
    public const int ProfileConstrainedBaseline = V4l2Ioctl.V4L2_MPEG_VIDEO_H264_PROFILE_CONSTRAINED_BASELINE;
    public const int ProfileMain = V4l2Ioctl.V4L2_MPEG_VIDEO_H264_PROFILE_MAIN;
    public const int ProfileHigh = V4l2Ioctl.V4L2_MPEG_VIDEO_H264_PROFILE_HIGH;
    public const int Level40 = V4l2Ioctl.V4L2_MPEG_VIDEO_H264_LEVEL_4_0;

    /// <summary>V4L2_FWHT_FL_I_FRAME in an FWHT frame header's flags.</summary>
    public const uint FwhtIntraFrame = V4l2Ioctl.V4L2_FWHT_FL_I_FRAME;

    public const uint EventEndOfStream = V4l2Ioctl.V4L2_EVENT_EOS;
    public const uint EventSourceChange = V4l2Ioctl.V4L2_EVENT_SOURCE_CHANGE;
}
