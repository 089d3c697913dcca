using System.Runtime.InteropServices;

namespace Edge.Native;

// OpenH264 2.x structs (wels/codec_app_def.h, codec_def.h), declared with the offsets the C compiler
// gives them on LP64 Linux (the same on x86-64 and arm64). Only the fields Edge reads or writes are
// named; the sizes are whole, so the library never writes past them. OpenH264LayoutTests compiles
// test/native/openh264-layout.c against the installed headers and compares every offset.

/// <summary><c>SEncParamExt</c>: filled by <c>GetDefaultParams</c>, then adjusted; spatial layer 0 only.</summary>
[StructLayout(LayoutKind.Explicit, Size = 920)]
internal struct OpenH264EncParamExt
{
    [FieldOffset(0)] public int UsageType;
    [FieldOffset(4)] public int PicWidth;
    [FieldOffset(8)] public int PicHeight;
    [FieldOffset(12)] public int TargetBitrate;
    [FieldOffset(16)] public int RcMode;
    [FieldOffset(20)] public float MaxFrameRate;
    [FieldOffset(24)] public int TemporalLayerNum;
    [FieldOffset(28)] public int SpatialLayerNum;
    [FieldOffset(32)] public int LayerWidth;
    [FieldOffset(36)] public int LayerHeight;
    [FieldOffset(40)] public float LayerFrameRate;
    [FieldOffset(44)] public int LayerBitrate;
    [FieldOffset(48)] public int LayerMaxBitrate;
    [FieldOffset(52)] public int LayerProfile;
    [FieldOffset(56)] public int LayerLevel;
    [FieldOffset(64)] public uint LayerSliceMode;
    [FieldOffset(68)] public uint LayerSliceNum;
    [FieldOffset(832)] public int ComplexityMode;
    [FieldOffset(836)] public uint IntraPeriod;
    [FieldOffset(840)] public int NumRefFrame;
    [FieldOffset(844)] public int SpsPpsIdStrategy;
    [FieldOffset(848)] public byte PrefixNalAddingCtrl;
    [FieldOffset(856)] public int EntropyCodingModeFlag;
    [FieldOffset(860)] public byte EnableFrameSkip;
    [FieldOffset(864)] public int MaxBitrate;
    [FieldOffset(892)] public ushort MultipleThreadIdc;
    [FieldOffset(908)] public byte EnableDenoise;
    [FieldOffset(909)] public byte EnableBackgroundDetection;
    [FieldOffset(910)] public byte EnableAdaptiveQuant;
    [FieldOffset(912)] public byte EnableSceneChangeDetect;
}

/// <summary><c>SSourcePicture</c>: one planar picture to encode.</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct OpenH264SourcePicture
{
    [FieldOffset(0)] public int ColorFormat;
    [FieldOffset(4)] public fixed int Stride[4];
    [FieldOffset(24)] public byte* Y;
    [FieldOffset(32)] public byte* U;
    [FieldOffset(40)] public byte* V;
    [FieldOffset(56)] public int PicWidth;
    [FieldOffset(60)] public int PicHeight;
    [FieldOffset(64)] public long TimeStamp;
}

/// <summary><c>SLayerBSInfo</c>: the NAL units of one layer of an encoded frame.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct OpenH264LayerInfo
{
    [FieldOffset(4)] public int FrameType;
    [FieldOffset(16)] public int NalCount;
    [FieldOffset(24)] public int* NalLengths;
    [FieldOffset(32)] public byte* Bitstream;
}

/// <summary><c>SFrameBSInfo</c>: an encoded frame, as layers (up to 128) of NAL units in Annex B form.</summary>
[StructLayout(LayoutKind.Explicit, Size = 5144)]
internal struct OpenH264FrameInfo
{
    public const int MaxLayers = 128;

    [FieldOffset(0)] public int LayerNum;
    [FieldOffset(8)] public OpenH264LayerInfo FirstLayer;
    [FieldOffset(5128)] public int FrameType;
    [FieldOffset(5132)] public int FrameSizeInBytes;
    [FieldOffset(5136)] public long TimeStamp;
}

/// <summary><c>SDecodingParam</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct OpenH264DecodingParam
{
    [FieldOffset(12)] public byte TargetDqLayer;
    [FieldOffset(16)] public int ErrorConcealment;
    [FieldOffset(20)] public byte ParseOnly;
    [FieldOffset(24)] public uint VideoPropertySize;
    [FieldOffset(28)] public int BitstreamType;
}

/// <summary><c>SBufferInfo</c>: a decoded picture (planes owned by the decoder until its next call).</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct OpenH264BufferInfo
{
    [FieldOffset(0)] public int BufferStatus;
    [FieldOffset(8)] public ulong InTimeStamp;
    [FieldOffset(16)] public ulong OutTimeStamp;
    [FieldOffset(24)] public int Width;
    [FieldOffset(28)] public int Height;
    [FieldOffset(32)] public int Format;
    [FieldOffset(36)] public int LumaStride;
    [FieldOffset(40)] public int ChromaStride;
    [FieldOffset(48)] public byte* Y;
    [FieldOffset(56)] public byte* U;
    [FieldOffset(64)] public byte* V;
}
