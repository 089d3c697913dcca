// What the encode anchors share with Edge's capture path: its YUYV → I420 conversion, in plain C.
#ifndef EDGE_BENCH_YUV_H
#define EDGE_BENCH_YUV_H

#include <stddef.h>

// Packed YUYV to planar I420: every row's Y, U and V of even rows only (chroma from the even rows, as
// Edge's YuvConvert.YuyvToPlanar does: the planes are byte for byte Edge's).
static inline void yuyv_to_i420(const unsigned char *in, int w, int h, unsigned char *out) {
  unsigned char *y = out, *u = out + w * h, *v = u + (w / 2) * (h / 2);
  for (int row = 0; row < h; row++) {
    const unsigned char *line = in + (size_t)row * w * 2;
    for (int x = 0; x < w; x++) y[row * w + x] = line[x * 2];
    if (row & 1) continue;
    for (int x = 0; x < w / 2; x++) {
      u[(row / 2) * (w / 2) + x] = line[x * 4 + 1];
      v[(row / 2) * (w / 2) + x] = line[x * 4 + 3];
    }
  }
}

#endif
