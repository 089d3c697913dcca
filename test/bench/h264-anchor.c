// The anchor of `edge bench-encode --codec h264` (test/bench/h264.sh): OpenH264 called in a tight loop on
// one thread, on the same frames converted the same way, with the same settings, and nothing around it
// (no pool, no copy of the access unit).
//
// Usage: h264-anchor FILE WIDTHxHEIGHT [SECONDS=5] [BITRATE_KBPS=2000] [FPS=30]
// FILE holds raw YUYV frames; the first 16 at most (as Edge loads them) are converted once to planar I420
// up front (yuv.h, Edge's conversion), then one encoder configured as src/Video/OpenH264Encoder.cs's
// Configure does (baseline, key frames every 2 × FPS frames, as bench-encode asks) encodes them in turn
// for SECONDS. Prints the JSON line edge bench-encode prints, with "workers":0.
// Build: gcc -O2 -o h264-anchor h264-anchor.c -lopenh264
// (the shared libopenh264.so.7, the library Edge loads at run time: the same code on both sides)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wels/codec_api.h>

#include "proc.h"
#include "yuv.h"

// EncodeBenchCommand.MaxFrames: more at 720p would cross the Edge binary's heap limit.
enum { MAX_FRAMES = 16 };

// OpenH264Encoder.Configure, field for field, on top of GetDefaultParams (profile "baseline").
static void configure(SEncParamExt *p, int w, int h, int fps, int kbps, int keyframe_interval) {
  int bps = kbps * 1000;
  p->iUsageType = CAMERA_VIDEO_REAL_TIME;
  p->iPicWidth = p->sSpatialLayers[0].iVideoWidth = w;
  p->iPicHeight = p->sSpatialLayers[0].iVideoHeight = h;
  p->fMaxFrameRate = p->sSpatialLayers[0].fFrameRate = (float)fps;
  p->iTargetBitrate = p->sSpatialLayers[0].iSpatialBitrate = bps;
  p->iMaxBitrate = p->sSpatialLayers[0].iMaxSpatialBitrate = bps * 3 / 2;
  p->iRCMode = RC_BITRATE_MODE;
  p->bEnableFrameSkip = false;
  p->iTemporalLayerNum = 1;
  p->iSpatialLayerNum = 1;
  p->uiIntraPeriod = (unsigned)keyframe_interval;
  p->iNumRefFrame = 1;
  p->eSpsPpsIdStrategy = CONSTANT_ID;
  p->bPrefixNalAddingCtrl = false;
  p->iMultipleThreadIdc = 1;
  p->sSpatialLayers[0].sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
  p->sSpatialLayers[0].sSliceArgument.uiSliceNum = 1;
  p->sSpatialLayers[0].uiProfileIdc = PRO_BASELINE;
  p->iEntropyCodingModeFlag = 0; // CAVLC
  p->bEnableDenoise = false;
  p->bEnableBackgroundDetection = true;
  p->bEnableAdaptiveQuant = true;
  p->bEnableSceneChangeDetect = true;
}

int main(int argc, char **argv) {
  snprintf(die_prefix, sizeof die_prefix, "h264-anchor");
  if (argc < 3) die("usage: h264-anchor FILE WIDTHxHEIGHT [SECONDS=5] [BITRATE_KBPS=2000] [FPS=30]");
  int w, h;
  if (sscanf(argv[2], "%dx%d", &w, &h) != 2 || w < 16 || h < 16 || (w | h) & 1) die("bad size (even WIDTHxHEIGHT)");
  double seconds = argc > 3 ? atof(argv[3]) : 5;
  int kbps = argc > 4 ? atoi(argv[4]) : 2000;
  int fps = argc > 5 ? atoi(argv[5]) : 30;
  // The ranges edge bench-encode accepts.
  if (seconds <= 0 || kbps < 64 || kbps > 100000 || fps < 1 || fps > 120) die("bad seconds, bit rate (64-100000) or fps (1-120)");

  FILE *file = fopen(argv[1], "rb");
  if (!file) die("cannot open the input file");
  size_t raw_bytes = (size_t)w * h * 2, planar_bytes = (size_t)w * h * 3 / 2;
  // The whole file is checked, as Edge checks it, though only the first frames are read.
  if (fseek(file, 0, SEEK_END) != 0) die("cannot seek in the input file");
  long length = ftell(file);
  if (length <= 0 || (size_t)length % raw_bytes != 0) die("the file is not a whole number of YUYV frames of that size");
  rewind(file);
  unsigned char *raw = malloc(raw_bytes);
  unsigned char *frames[MAX_FRAMES];
  // Each frame's time stamp in ms, taken as it is converted: Edge's Frame gets Stopwatch.GetTimestamp()
  // there and OpenH264Encoder passes it on in ms. OpenH264's rate control sees the same (non-increasing
  // after the first pass through the frames, which it replaces by the last one plus 1000 / FPS).
  long long stamps[MAX_FRAMES];
  int count = (size_t)length / raw_bytes < MAX_FRAMES ? (int)((size_t)length / raw_bytes) : MAX_FRAMES;
  for (int i = 0; i < count; i++) {
    if (fread(raw, 1, raw_bytes, file) != raw_bytes) die("cannot read the input file");
    stamps[i] = now_ns() / 1000000;
    frames[i] = malloc(planar_bytes);
    yuyv_to_i420(raw, w, h, frames[i]);
  }
  fclose(file);
  free(raw);

  // Made before the clock starts, as bench-encode makes its encoder.
  ISVCEncoder *encoder;
  if (WelsCreateSVCEncoder(&encoder) != 0 || !encoder) die("WelsCreateSVCEncoder failed");
  int quiet = WELS_LOG_QUIET;
  (*encoder)->SetOption(encoder, ENCODER_OPTION_TRACE_LEVEL, &quiet);
  SEncParamExt params;
  int rc = (*encoder)->GetDefaultParams(encoder, &params);
  if (rc != cmResultSuccess) die("GetDefaultParams failed (error %d)", rc);
  configure(&params, w, h, fps, kbps, 2 * fps);
  if ((rc = (*encoder)->InitializeExt(encoder, &params)) != cmResultSuccess) die("InitializeExt failed (error %d)", rc);
  (*encoder)->SetOption(encoder, ENCODER_OPTION_TRACE_LEVEL, &quiet);

  SFrameBSInfo info;
  memset(&info, 0, sizeof info);
  long encoded = 0;
  unsigned long long bytes = 0;
  double start = now(), elapsed;
  while ((elapsed = now() - start) < seconds) {
    int i = (int)(encoded % count);
    unsigned char *frame = frames[i];
    SSourcePicture picture;
    memset(&picture, 0, sizeof picture);
    picture.iColorFormat = videoFormatI420;
    picture.iPicWidth = w;
    picture.iPicHeight = h;
    picture.iStride[0] = w;
    picture.iStride[1] = picture.iStride[2] = w / 2;
    picture.pData[0] = frame;
    picture.pData[1] = frame + w * h;
    picture.pData[2] = frame + w * h + (w / 2) * (h / 2);
    picture.uiTimeStamp = stamps[i];
    if ((rc = (*encoder)->EncodeFrame(encoder, &picture, &info)) != cmResultSuccess) die("EncodeFrame failed (error %d)", rc);
    // The access unit's size as Edge counts it: every NAL unit of every layer; nothing for a skipped frame.
    if (info.eFrameType != videoFrameTypeSkip && info.eFrameType != videoFrameTypeInvalid) {
      for (int layer = 0; layer < info.iLayerNum && layer < MAX_LAYER_NUM_OF_FRAME; layer++)
        for (int nal = 0; nal < info.sLayerInfo[layer].iNalCount; nal++) bytes += info.sLayerInfo[layer].pNalLengthInByte[nal];
    }
    encoded++;
  }
  printf("{\"workers\":0,\"frames\":%ld,\"seconds\":%.3f,\"fps\":%.2f,\"bytes_per_frame\":%llu}\n",
         encoded, elapsed, encoded / elapsed, bytes / (unsigned long long)encoded);
  (*encoder)->Uninitialize(encoder);
  WelsDestroySVCEncoder(encoder);
  for (int i = 0; i < count; i++) free(frames[i]);
  return 0;
}
