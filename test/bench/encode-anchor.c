// The anchor of `edge bench-encode` (docs/BENCHMARKS.md, "Camera"): TurboJPEG called in a tight loop on
// one thread, on the same frames converted the same way, with nothing around it (no pool, no copies).
//
// Usage: encode-anchor FILE WIDTHxHEIGHT [SECONDS=5] [QUALITY=80]
// FILE holds raw YUYV frames; each is converted once to planar I420 up front (chroma from the even
// rows, as Edge's YuvConvert.YuyvToPlanar does), then tjCompressFromYUVPlanes encodes them in turn into
// one preallocated buffer for SECONDS. Prints the JSON line edge bench-encode prints, with "workers":0.
// Build: gcc -O2 -o encode-anchor encode-anchor.c -lturbojpeg
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

#include "proc.h"
#include "yuv.h"

int main(int argc, char **argv) {
  snprintf(die_prefix, sizeof die_prefix, "encode-anchor");
  if (argc < 3) die("usage: encode-anchor FILE WIDTHxHEIGHT [SECONDS=5] [QUALITY=80]");
  int w, h;
  if (sscanf(argv[2], "%dx%d", &w, &h) != 2 || w < 16 || h < 16 || (w | h) & 1) die("bad size (even WIDTHxHEIGHT)");
  double seconds = argc > 3 ? atof(argv[3]) : 5;
  int quality = argc > 4 ? atoi(argv[4]) : 80;
  if (seconds <= 0 || quality < 1 || quality > 100) die("bad seconds or quality");

  FILE *file = fopen(argv[1], "rb");
  if (!file) die("cannot open the input file");
  size_t raw_bytes = (size_t)w * h * 2, planar_bytes = (size_t)w * h * 3 / 2;
  unsigned char *raw = malloc(raw_bytes);
  unsigned char **frames = NULL;
  int count = 0;
  size_t got;
  while ((got = fread(raw, 1, raw_bytes, file)) == raw_bytes) {
    frames = realloc(frames, sizeof *frames * (count + 1));
    frames[count] = malloc(planar_bytes);
    yuyv_to_i420(raw, w, h, frames[count++]);
  }
  if (got != 0 || count == 0) die("the file is not a whole number of YUYV frames of that size");
  fclose(file);
  free(raw);

  tjhandle tj = tjInitCompress();
  if (!tj) die("tjInitCompress failed");
  unsigned long capacity = tjBufSize(w, h, TJSAMP_420);
  unsigned char *jpeg = tjAlloc((int)capacity);
  int strides[3] = {w, w / 2, w / 2};
  long encoded = 0;
  unsigned long long bytes = 0;
  double start = now(), elapsed;
  while ((elapsed = now() - start) < seconds) {
    unsigned char *frame = frames[encoded % count];
    const unsigned char *planes[3] = {frame, frame + w * h, frame + w * h + (w / 2) * (h / 2)};
    unsigned long size = capacity;
    if (tjCompressFromYUVPlanes(tj, planes, w, strides, h, TJSAMP_420, &jpeg, &size, quality, TJFLAG_NOREALLOC) != 0) {
      fprintf(stderr, "encode-anchor: %s\n", tjGetErrorStr2(tj));
      return 1;
    }
    encoded++;
    bytes += size;
  }
  printf("{\"workers\":0,\"frames\":%ld,\"seconds\":%.3f,\"fps\":%.2f,\"bytes_per_frame\":%llu}\n",
         encoded, elapsed, encoded / elapsed, bytes / (unsigned long long)encoded);
  tjFree(jpeg);
  tjDestroy(tj);
  return 0;
}
