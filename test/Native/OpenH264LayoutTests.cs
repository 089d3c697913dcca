using Edge.Native;
using Edge.Tests.Support;

namespace Edge.Tests.Native;

/// <summary>The OpenH264 structs Edge declares by hand (src/Native/OpenH264Structs.cs) against Debian's libopenh264-dev headers.</summary>
[TestClass]
public sealed class OpenH264LayoutTests
{
    private static readonly CStruct[] Structs =
    [
        new(typeof(OpenH264EncParamExt), "SEncParamExt", Paths: new Dictionary<string, string>
        {
            ["UsageType"] = "iUsageType", ["PicWidth"] = "iPicWidth", ["PicHeight"] = "iPicHeight", ["TargetBitrate"] = "iTargetBitrate",
            ["RcMode"] = "iRCMode", ["MaxFrameRate"] = "fMaxFrameRate", ["TemporalLayerNum"] = "iTemporalLayerNum",
            ["SpatialLayerNum"] = "iSpatialLayerNum", ["LayerWidth"] = "sSpatialLayers[0].iVideoWidth",
            ["LayerHeight"] = "sSpatialLayers[0].iVideoHeight", ["LayerFrameRate"] = "sSpatialLayers[0].fFrameRate",
            ["LayerBitrate"] = "sSpatialLayers[0].iSpatialBitrate", ["LayerMaxBitrate"] = "sSpatialLayers[0].iMaxSpatialBitrate",
            ["LayerProfile"] = "sSpatialLayers[0].uiProfileIdc", ["LayerLevel"] = "sSpatialLayers[0].uiLevelIdc",
            ["LayerSliceMode"] = "sSpatialLayers[0].sSliceArgument.uiSliceMode",
            ["LayerSliceNum"] = "sSpatialLayers[0].sSliceArgument.uiSliceNum", ["ComplexityMode"] = "iComplexityMode",
            ["IntraPeriod"] = "uiIntraPeriod", ["NumRefFrame"] = "iNumRefFrame", ["SpsPpsIdStrategy"] = "eSpsPpsIdStrategy",
            ["PrefixNalAddingCtrl"] = "bPrefixNalAddingCtrl", ["EntropyCodingModeFlag"] = "iEntropyCodingModeFlag",
            ["EnableFrameSkip"] = "bEnableFrameSkip", ["MaxBitrate"] = "iMaxBitrate", ["MultipleThreadIdc"] = "iMultipleThreadIdc",
            ["EnableDenoise"] = "bEnableDenoise", ["EnableBackgroundDetection"] = "bEnableBackgroundDetection",
            ["EnableAdaptiveQuant"] = "bEnableAdaptiveQuant", ["EnableSceneChangeDetect"] = "bEnableSceneChangeDetect",
        }),
        new(typeof(OpenH264SourcePicture), "SSourcePicture", Paths: new Dictionary<string, string>
        {
            ["ColorFormat"] = "iColorFormat", ["Stride"] = "iStride", ["Y"] = "pData[0]", ["U"] = "pData[1]", ["V"] = "pData[2]",
            ["PicWidth"] = "iPicWidth", ["PicHeight"] = "iPicHeight", ["TimeStamp"] = "uiTimeStamp",
        }),
        new(typeof(OpenH264LayerInfo), "SLayerBSInfo", Paths: new Dictionary<string, string>
        {
            ["FrameType"] = "eFrameType", ["NalCount"] = "iNalCount", ["NalLengths"] = "pNalLengthInByte", ["Bitstream"] = "pBsBuf",
        }),
        new(typeof(OpenH264FrameInfo), "SFrameBSInfo", Paths: new Dictionary<string, string>
        {
            ["LayerNum"] = "iLayerNum", ["FirstLayer"] = "sLayerInfo[0]", ["FrameType"] = "eFrameType",
            ["FrameSizeInBytes"] = "iFrameSizeInBytes", ["TimeStamp"] = "uiTimeStamp",
        }),
        new(typeof(OpenH264DecodingParam), "SDecodingParam", Paths: new Dictionary<string, string>
        {
            ["TargetDqLayer"] = "uiTargetDqLayer", ["ErrorConcealment"] = "eEcActiveIdc", ["ParseOnly"] = "bParseOnly",
            ["VideoPropertySize"] = "sVideoProperty.size", ["BitstreamType"] = "sVideoProperty.eVideoBsType",
        }),
        new(typeof(OpenH264BufferInfo), "SBufferInfo", Paths: new Dictionary<string, string>
        {
            ["BufferStatus"] = "iBufferStatus", ["InTimeStamp"] = "uiInBsTimeStamp", ["OutTimeStamp"] = "uiOutYuvTimeStamp",
            ["Width"] = "UsrData.sSystemBuffer.iWidth", ["Height"] = "UsrData.sSystemBuffer.iHeight",
            ["Format"] = "UsrData.sSystemBuffer.iFormat", ["LumaStride"] = "UsrData.sSystemBuffer.iStride[0]",
            ["ChromaStride"] = "UsrData.sSystemBuffer.iStride[1]", ["Y"] = "pDst[0]", ["U"] = "pDst[1]", ["V"] = "pDst[2]",
        }),
    ];

    private static readonly (string Name, ulong Value)[] Constants =
    [
        ("CAMERA_VIDEO_REAL_TIME", OpenH264.CameraVideoRealTime),
        ("RC_BITRATE_MODE", OpenH264.RcBitrateMode),
        ("PRO_BASELINE", OpenH264.ProfileBaseline),
        ("PRO_MAIN", OpenH264.ProfileMain),
        ("PRO_HIGH", OpenH264.ProfileHigh),
        ("videoFormatI420", OpenH264.VideoFormatI420),
        ("videoFrameTypeInvalid", OpenH264.FrameTypeInvalid),
        ("videoFrameTypeIDR", OpenH264.FrameTypeIdr),
        ("videoFrameTypeSkip", OpenH264.FrameTypeSkip),
        ("CONSTANT_ID", OpenH264.ConstantId),
        ("ENCODER_OPTION_TRACE_LEVEL", OpenH264.EncoderOptionTraceLevel),
        ("DECODER_OPTION_TRACE_LEVEL", OpenH264.DecoderOptionTraceLevel),
        ("WELS_LOG_QUIET", OpenH264.LogQuiet),
        ("ERROR_CON_DISABLE", OpenH264.ErrorConcealmentDisable),
        ("cmResultSuccess", OpenH264.CmResultSuccess),
        ("MAX_LAYER_NUM_OF_FRAME", OpenH264FrameInfo.MaxLayers),
    ];

    [TestMethod]
    public void TheStructsAndConstantsMatchTheOpenH264Headers()
    {
        int compared = CLayout.AssertMatchesHeaders(["stdbool.h", "wels/codec_api.h"], Structs, Constants);
        Assert.IsTrue(compared > 100, $"{compared} values compared");
    }

    [TestMethod]
    public void TheLibraryLoadsAtRunTimeAndIsOpenH264Two()
    {
        Assert.IsNull(OpenH264.Problem);
        StringAssert.StartsWith(OpenH264.Version, "OpenH264 2.");
    }
}
