using System.Runtime.InteropServices;

// Mirrors of <linux/videodev2.h> for 64-bit Linux (x86_64 and arm64 share these layouts).
// Type and field names are the kernel's so each can be checked against the header
// (test/Camera/V4l2LayoutTests.cs compiles the header and compares every offset and size).
// An anonymous C union appears either as overlapping explicit fields or, where only one
// member is used, as that member alone.
namespace Edge.Camera.V4l2;

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_capability
{
    public fixed byte driver[16];
    public fixed byte card[32];
    public fixed byte bus_info[32];
    public uint version;
    public uint capabilities;
    public uint device_caps;
    public fixed uint reserved[3];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_fmtdesc
{
    public uint index;
    public uint type;
    public uint flags;
    public fixed byte description[32];
    public uint pixelformat;
    public uint mbus_code;
    public fixed uint reserved[3];
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_fract
{
    public uint numerator;
    public uint denominator;
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_frmsize_discrete
{
    public uint width;
    public uint height;
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_frmsize_stepwise
{
    public uint min_width;
    public uint max_width;
    public uint step_width;
    public uint min_height;
    public uint max_height;
    public uint step_height;
}

[StructLayout(LayoutKind.Explicit, Size = 44)]
internal unsafe struct v4l2_frmsizeenum
{
    [FieldOffset(0)] public uint index;
    [FieldOffset(4)] public uint pixel_format;
    [FieldOffset(8)] public uint type;
    [FieldOffset(12)] public v4l2_frmsize_discrete discrete;
    [FieldOffset(12)] public v4l2_frmsize_stepwise stepwise;
    [FieldOffset(36)] public fixed uint reserved[2];
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_frmival_stepwise
{
    public v4l2_fract min;
    public v4l2_fract max;
    public v4l2_fract step;
}

[StructLayout(LayoutKind.Explicit, Size = 52)]
internal unsafe struct v4l2_frmivalenum
{
    [FieldOffset(0)] public uint index;
    [FieldOffset(4)] public uint pixel_format;
    [FieldOffset(8)] public uint width;
    [FieldOffset(12)] public uint height;
    [FieldOffset(16)] public uint type;
    [FieldOffset(20)] public v4l2_fract discrete;
    [FieldOffset(20)] public v4l2_frmival_stepwise stepwise;
    [FieldOffset(44)] public fixed uint reserved[2];
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_pix_format
{
    public uint width;
    public uint height;
    public uint pixelformat;
    public uint field;
    public uint bytesperline;
    public uint sizeimage;
    public uint colorspace;
    public uint priv;
    public uint flags;
    public uint ycbcr_enc; // union with hsv_enc
    public uint quantization;
    public uint xfer_func;
}

/// <summary>The <c>fmt</c> union of <see cref="v4l2_format"/>: 200 bytes, of which Edge uses <c>pix</c> and <c>pix_mp</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 200)]
internal struct v4l2_format_fmt
{
    [FieldOffset(0)] public v4l2_pix_format pix;
    [FieldOffset(0)] public v4l2_pix_format_mplane pix_mp;
}

// The fmt union holds pointers (struct v4l2_window), so it is 8-byte aligned: 4 bytes of
// padding follow type, and the struct is 208 bytes, not 204.
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal struct v4l2_format
{
    [FieldOffset(0)] public uint type;
    [FieldOffset(8)] public v4l2_format_fmt fmt;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_captureparm
{
    public uint capability;
    public uint capturemode;
    public v4l2_fract timeperframe;
    public uint extendedmode;
    public uint readbuffers;
    public fixed uint reserved[4];
}

/// <summary>The <c>parm</c> union of <see cref="v4l2_streamparm"/>: 200 bytes, of which capture uses <c>capture</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 200)]
internal struct v4l2_streamparm_parm
{
    [FieldOffset(0)] public v4l2_captureparm capture;
}

// No pointers in this union: 4-byte aligned, 204 bytes in all.
[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_streamparm
{
    public uint type;
    public v4l2_streamparm_parm parm;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_requestbuffers
{
    public uint count;
    public uint type;
    public uint memory;
    public uint capabilities;
    public byte flags;
    public fixed byte reserved[3];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_timecode
{
    public uint type;
    public uint flags;
    public byte frames;
    public byte seconds;
    public byte minutes;
    public byte hours;
    public fixed byte userbits[4];
}

#pragma warning disable CS8981 // the C name
/// <summary>struct timeval of 64-bit Linux: two longs.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct timeval
{
    public long tv_sec;
    public long tv_usec;
}
#pragma warning restore CS8981

/// <summary>The <c>m</c> union of <see cref="v4l2_buffer"/>; 8 bytes because of the pointer members.</summary>
[StructLayout(LayoutKind.Explicit)]
internal struct v4l2_buffer_m
{
    [FieldOffset(0)] public uint offset;
    [FieldOffset(0)] public nuint userptr;
    [FieldOffset(0)] public nint planes; // struct v4l2_plane *
    [FieldOffset(0)] public int fd;
}

// 88 bytes: timestamp is 8-byte aligned (offset 24) and the struct is padded from 84 to 88.
[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_buffer
{
    public uint index;
    public uint type;
    public uint bytesused;
    public uint flags;
    public uint field;
    public timeval timestamp;
    public v4l2_timecode timecode;
    public uint sequence;
    public uint memory;
    public v4l2_buffer_m m;
    public uint length;
    public uint reserved2;
    public int request_fd; // union with __u32 reserved
}

// Mem-to-mem codecs (V4l2MemToMem): the multi-planar format and buffer planes, controls, events and commands.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_plane_pix_format
{
    public uint sizeimage;
    public uint bytesperline;
    public fixed ushort reserved[6];
}

[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct v4l2_pix_format_mplane
{
    [FieldOffset(0)] public uint width;
    [FieldOffset(4)] public uint height;
    [FieldOffset(8)] public uint pixelformat;
    [FieldOffset(12)] public uint field;
    [FieldOffset(16)] public uint colorspace;
    [FieldOffset(20)] public v4l2_plane_pix_format plane_fmt; // the first of VIDEO_MAX_PLANES (8); Edge's formats have one plane
    [FieldOffset(180)] public byte num_planes;
}

/// <summary>The <c>m</c> union of <see cref="v4l2_plane"/>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct v4l2_plane_m
{
    [FieldOffset(0)] public uint mem_offset;
    [FieldOffset(0)] public nuint userptr;
    [FieldOffset(0)] public int fd;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_plane
{
    public uint bytesused;
    public uint length;
    public v4l2_plane_m m;
    public uint data_offset;
    public fixed uint reserved[11];
}

[StructLayout(LayoutKind.Sequential)]
internal struct v4l2_control
{
    public uint id;
    public int value;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_event_subscription
{
    public uint type;
    public uint id;
    public uint flags;
    public fixed uint reserved[5];
}

#pragma warning disable CS8981 // the C name
/// <summary>struct timespec of 64-bit Linux.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct timespec
{
    public long tv_sec;
    public long tv_nsec;
}
#pragma warning restore CS8981

// The u union (64 bytes) holds a 64-bit value: 8-byte aligned, after 4 bytes of padding.
[StructLayout(LayoutKind.Explicit, Size = 136)]
internal unsafe struct v4l2_event
{
    [FieldOffset(0)] public uint type;
    [FieldOffset(8)] public fixed byte u[64];
    [FieldOffset(72)] public uint pending;
    [FieldOffset(76)] public uint sequence;
    [FieldOffset(80)] public timespec timestamp;
    [FieldOffset(96)] public uint id;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_encoder_cmd
{
    public uint cmd;
    public uint flags;
    public fixed uint data[8];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct v4l2_decoder_cmd
{
    public uint cmd;
    public uint flags;
    public fixed uint data[16];
}
