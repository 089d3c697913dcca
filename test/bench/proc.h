// What the benchmark's C tools share: a monotonic clock, a process's resident set size, and how they
// stop on a fatal error.
#ifndef EDGE_BENCH_PROC_H
#define EDGE_BENCH_PROC_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// Seconds on the monotonic clock.
static inline double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Nanoseconds on the monotonic clock.
static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// VmRSS of process PID in kB, or -1 when it cannot be read.
static inline long rss_kb(long pid) {
  char path[64], line[256];
  long kb = -1;
  snprintf(path, sizeof path, "/proc/%ld/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld", &kb) == 1) break;
  fclose(f);
  return kb;
}

// What starts every fatal message: the tool's name, set first thing in main (and more, as latency's label).
static char die_prefix[128] = "bench";

// Prints "PREFIX: message" on stderr.
static inline void vsay(const char *fmt, va_list ap) {
  fprintf(stderr, "%s: ", die_prefix);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
}

// Prints "PREFIX: message" on stderr and exits with status 1.
__attribute__((noreturn, format(printf, 1, 2))) static inline void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay(fmt, ap);
  va_end(ap);
  exit(1);
}

#endif
