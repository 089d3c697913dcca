// Writes raw YUYV frames as planar I420 the way Edge and the encode anchors convert them (yuv.h: chroma
// from the even rows), for the encoders that read I420 from a file (ffmpeg's libx264 in h264.sh): every
// encoder then gets the same planes, byte for byte. ffmpeg's own conversion averages the chroma rows.
//
// Usage: yuyv-to-i420 IN WIDTHxHEIGHT OUT
// Build: gcc -O2 -o yuyv-to-i420 yuyv-to-i420.c
#include <stdio.h>
#include <stdlib.h>

#include "proc.h"
#include "yuv.h"

int main(int argc, char **argv) {
  snprintf(die_prefix, sizeof die_prefix, "yuyv-to-i420");
  if (argc != 4) die("usage: yuyv-to-i420 IN WIDTHxHEIGHT OUT");
  int w, h;
  if (sscanf(argv[2], "%dx%d", &w, &h) != 2 || w < 16 || h < 16 || (w | h) & 1) die("bad size (even WIDTHxHEIGHT)");
  FILE *in = fopen(argv[1], "rb");
  if (!in) die("cannot open %s", argv[1]);
  FILE *out = fopen(argv[3], "wb");
  if (!out) die("cannot create %s", argv[3]);
  size_t raw_bytes = (size_t)w * h * 2, planar_bytes = (size_t)w * h * 3 / 2;
  unsigned char *raw = malloc(raw_bytes), *planar = malloc(planar_bytes);
  int count = 0;
  size_t got;
  while ((got = fread(raw, 1, raw_bytes, in)) == raw_bytes) {
    yuyv_to_i420(raw, w, h, planar);
    if (fwrite(planar, 1, planar_bytes, out) != planar_bytes) die("cannot write %s", argv[3]);
    count++;
  }
  if (got != 0 || count == 0) die("%s is not a whole number of YUYV frames of that size", argv[1]);
  if (fclose(out) != 0) die("cannot write %s", argv[3]);
  fclose(in);
  free(raw);
  free(planar);
  return 0;
}
