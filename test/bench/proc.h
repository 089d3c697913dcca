// What the benchmark's C tools share: a monotonic clock and a process's resident set size.
#ifndef EDGE_BENCH_PROC_H
#define EDGE_BENCH_PROC_H

#include <stdio.h>
#include <time.h>

// Seconds on the monotonic clock.
static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// VmRSS of process PID in kB, or -1 when it cannot be read.
static inline long rss_kb(int pid) {
  char path[64], line[256];
  long kb = -1;
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
  fclose(f);
  return kb;
}

#endif
