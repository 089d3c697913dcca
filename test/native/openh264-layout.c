/* Prints the sizes and field offsets of OpenH264's structs that Edge's binding (src/Native/OpenH264*.cs)
   declares by hand, one "name value" line each; test/Native/OpenH264LayoutTests compares them. */
#include <stddef.h>
#include <stdio.h>
#include <wels/codec_api.h>

#define SIZE(t) printf("sizeof(%s) %zu\n", #t, sizeof(t))
#define AT(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(t, f))

int main(void) {
    SIZE(SEncParamExt);
    AT(SEncParamExt, iUsageType); AT(SEncParamExt, iPicWidth); AT(SEncParamExt, iPicHeight);
    AT(SEncParamExt, iTargetBitrate); AT(SEncParamExt, iRCMode); AT(SEncParamExt, fMaxFrameRate);
    AT(SEncParamExt, iTemporalLayerNum); AT(SEncParamExt, iSpatialLayerNum);
    AT(SEncParamExt, sSpatialLayers[0].iVideoWidth); AT(SEncParamExt, sSpatialLayers[0].iVideoHeight);
    AT(SEncParamExt, sSpatialLayers[0].fFrameRate); AT(SEncParamExt, sSpatialLayers[0].iSpatialBitrate);
    AT(SEncParamExt, sSpatialLayers[0].iMaxSpatialBitrate); AT(SEncParamExt, sSpatialLayers[0].uiProfileIdc);
    AT(SEncParamExt, sSpatialLayers[0].uiLevelIdc); AT(SEncParamExt, sSpatialLayers[0].sSliceArgument.uiSliceMode);
    AT(SEncParamExt, sSpatialLayers[0].sSliceArgument.uiSliceNum);
    AT(SEncParamExt, iComplexityMode); AT(SEncParamExt, uiIntraPeriod); AT(SEncParamExt, iNumRefFrame);
    AT(SEncParamExt, eSpsPpsIdStrategy); AT(SEncParamExt, bPrefixNalAddingCtrl); AT(SEncParamExt, iEntropyCodingModeFlag);
    AT(SEncParamExt, bEnableFrameSkip); AT(SEncParamExt, iMaxBitrate); AT(SEncParamExt, iMultipleThreadIdc);
    AT(SEncParamExt, bEnableDenoise); AT(SEncParamExt, bEnableBackgroundDetection); AT(SEncParamExt, bEnableAdaptiveQuant);
    AT(SEncParamExt, bEnableSceneChangeDetect);
    SIZE(SSourcePicture);
    AT(SSourcePicture, iColorFormat); AT(SSourcePicture, iStride); AT(SSourcePicture, pData);
    AT(SSourcePicture, iPicWidth); AT(SSourcePicture, iPicHeight); AT(SSourcePicture, uiTimeStamp);
    SIZE(SLayerBSInfo);
    AT(SLayerBSInfo, eFrameType); AT(SLayerBSInfo, iNalCount); AT(SLayerBSInfo, pNalLengthInByte); AT(SLayerBSInfo, pBsBuf);
    SIZE(SFrameBSInfo);
    AT(SFrameBSInfo, iLayerNum); AT(SFrameBSInfo, sLayerInfo); AT(SFrameBSInfo, eFrameType);
    AT(SFrameBSInfo, iFrameSizeInBytes); AT(SFrameBSInfo, uiTimeStamp);
    SIZE(SDecodingParam);
    AT(SDecodingParam, uiTargetDqLayer); AT(SDecodingParam, eEcActiveIdc); AT(SDecodingParam, bParseOnly);
    AT(SDecodingParam, sVideoProperty.size); AT(SDecodingParam, sVideoProperty.eVideoBsType);
    SIZE(SBufferInfo);
    AT(SBufferInfo, iBufferStatus); AT(SBufferInfo, uiInBsTimeStamp); AT(SBufferInfo, uiOutYuvTimeStamp);
    AT(SBufferInfo, UsrData.sSystemBuffer.iWidth); AT(SBufferInfo, UsrData.sSystemBuffer.iHeight);
    AT(SBufferInfo, UsrData.sSystemBuffer.iFormat); AT(SBufferInfo, UsrData.sSystemBuffer.iStride);
    AT(SBufferInfo, pDst);
    printf("ENCODER_OPTION_TRACE_LEVEL %d\n", (int)ENCODER_OPTION_TRACE_LEVEL);
    printf("DECODER_OPTION_TRACE_LEVEL %d\n", (int)DECODER_OPTION_TRACE_LEVEL);
    printf("CAMERA_VIDEO_REAL_TIME %d\n", (int)CAMERA_VIDEO_REAL_TIME);
    printf("RC_BITRATE_MODE %d\n", (int)RC_BITRATE_MODE);
    printf("videoFormatI420 %d\n", (int)videoFormatI420);
    printf("videoFrameTypeIDR %d\n", (int)videoFrameTypeIDR);
    printf("videoFrameTypeSkip %d\n", (int)videoFrameTypeSkip);
    printf("MAX_LAYER_NUM_OF_FRAME %d\n", (int)MAX_LAYER_NUM_OF_FRAME);
    return 0;
}
