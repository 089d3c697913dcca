// RFC 6455 §5.2 frame headers, as the benchmark's WebSocket client (latency.c) and server
// (floor-server.c) write and read them: FIN always set on what they send, no extensions.
#ifndef EDGE_BENCH_WS_H
#define EDGE_BENCH_WS_H

#include <stddef.h>
#include <stdint.h>

// Writes the header of a final frame with a payload of n bytes into h (room for 10 bytes); with
// masked, sets the mask bit and the caller writes the 4-byte key after it. Returns 2, 4 or 10.
static inline size_t ws_header(unsigned char *h, int opcode, size_t n, int masked) {
  unsigned char mask = masked ? 0x80 : 0;
  h[0] = (unsigned char)(0x80 | opcode);
  if (n < 126) { h[1] = (unsigned char)(mask | n); return 2; }
  if (n < 65536) { h[1] = mask | 126; h[2] = (unsigned char)(n >> 8); h[3] = (unsigned char)n; return 4; }
  h[1] = mask | 127;
  for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
  return 10;
}

// Reads the payload length of the frame at f, of which avail (>= 2) bytes have arrived. Returns the
// header's size without a mask key (2, 4 or 10), or 0 when the length's bytes have not all arrived.
static inline size_t ws_length(const unsigned char *f, size_t avail, uint64_t *len) {
  *len = f[1] & 0x7F;
  if (*len == 126) {
    if (avail < 4) return 0;
    *len = (uint64_t)f[2] << 8 | f[3];
    return 4;
  }
  if (*len == 127) {
    if (avail < 10) return 0;
    *len = 0;
    for (int i = 0; i < 8; i++) *len = *len << 8 | f[2 + i];
    return 10;
  }
  return 2;
}

#endif
