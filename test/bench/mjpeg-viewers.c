// MJPEG viewers for the camera benchmark (docs/BENCHMARKS.md, "Camera"): opens N connections to a
// multipart/x-mixed-replace stream, reads everything (one thread, epoll, non-blocking sockets), and
// counts whole parts per viewer; while they watch it samples the CPU time of given processes.
//
// Usage: mjpeg-viewers --port P [--path /stream.mjpg] --viewers N [--warmup 3] [--seconds 10]
//                      [--pid LABEL=PID]...
// After --warmup seconds it takes utime+stime of each PID (/proc/PID/stat) and of itself, and each
// viewer's part count; --seconds later it takes them again and VmRSS of each PID, and prints one JSON
// line: viewers, seconds, fps_min/fps_median/fps_mean/fps_max (whole parts per second per viewer),
// mbit_per_s (all viewers, body bytes), bad_parts, problems, and per PID LABEL_cpu (% of one core)
// and LABEL_rss_kb, plus tool_cpu. HTTP/1.1 with chunked transfer coding (what Kestrel sends) or a
// plain body; every part must carry a Content-Length and start with a JPEG SOI marker.
// Build: gcc -O2 -o mjpeg-viewers mjpeg-viewers.c
#define _GNU_SOURCE // strcasestr
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

enum http_stage { HTTP_HEAD, CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF, PLAIN_BODY, CLOSED };
enum part_stage { PART_HEAD, PART_BODY, PART_CRLF };

typedef struct {
  int fd;
  enum http_stage http;
  char head[4096];
  size_t head_len;
  unsigned long chunk_left;
  int crlf_left;
  enum part_stage part;
  char part_head[1024];
  size_t part_head_len;
  unsigned long body_left, body_seen;
  unsigned char soi[2];
  long parts, parts_at_start;
  unsigned long long bytes, bytes_at_start;
} viewer;

#define MAX_PIDS 8
static struct { const char *label; int pid; double cpu_at_start; } pids[MAX_PIDS];
static int pid_count;
static long bad_parts, problems;

static void problem(viewer *v, const char *format, ...) {
  if (problems++ < 10) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "mjpeg-viewers: viewer fd %d: ", v->fd);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
  }
}

// Seconds of CPU (utime + stime) a process has used; -1 when it is gone.
static double cpu_seconds(int pid) {
  char path[64], line[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[n] = 0;
  char *p = strrchr(line, ')'); // the command name may hold spaces
  unsigned long utime, stime;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return -1;
  return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

static double self_cpu(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

// The multipart layer: "--boundary" headers with Content-Length, the JPEG, CRLF.
static void feed_parts(viewer *v, const unsigned char *p, size_t n) {
  while (n > 0) {
    if (v->part == PART_HEAD) {
      if (v->part_head_len == sizeof v->part_head - 1) {
        problem(v, "part header longer than %zu bytes", sizeof v->part_head);
        v->http = CLOSED;
        return;
      }
      v->part_head[v->part_head_len++] = (char)*p++;
      n--;
      v->part_head[v->part_head_len] = 0;
      if (v->part_head_len < 4 || memcmp(v->part_head + v->part_head_len - 4, "\r\n\r\n", 4) != 0) continue;
      char *length = strcasestr(v->part_head, "\r\nContent-Length:");
      if (strncmp(v->part_head, "--", 2) != 0 || !length) {
        problem(v, "bad part header: %.80s", v->part_head);
        v->http = CLOSED;
        return;
      }
      v->body_left = strtoul(length + 17, NULL, 10);
      v->body_seen = 0;
      v->part_head_len = 0;
      v->part = PART_BODY;
    } else if (v->part == PART_BODY) {
      size_t take = n < v->body_left ? n : v->body_left;
      for (size_t i = 0; i < take && v->body_seen + i < 2; i++) v->soi[v->body_seen + i] = p[i];
      v->body_seen += take;
      v->body_left -= take;
      v->bytes += take;
      p += take;
      n -= take;
      if (v->body_left == 0) {
        if (v->body_seen < 2 || v->soi[0] != 0xFF || v->soi[1] != 0xD8) bad_parts++;
        v->parts++;
        v->part = PART_CRLF;
        v->crlf_left = 2;
      }
    } else {
      if (*p != "\r\n"[2 - v->crlf_left]) {
        problem(v, "no CRLF after a part");
        v->http = CLOSED;
        return;
      }
      p++;
      n--;
      if (--v->crlf_left == 0) v->part = PART_HEAD;
    }
  }
}

// The HTTP layer: response head, then the chunked or plain body.
static void feed_http(viewer *v, const unsigned char *p, size_t n) {
  while (n > 0 && v->http != CLOSED) {
    switch (v->http) {
    case HTTP_HEAD:
      if (v->head_len == sizeof v->head - 1) {
        problem(v, "response head too long");
        v->http = CLOSED;
        return;
      }
      v->head[v->head_len++] = (char)*p++;
      n--;
      v->head[v->head_len] = 0;
      if (v->head_len < 4 || memcmp(v->head + v->head_len - 4, "\r\n\r\n", 4) != 0) break;
      if (strncmp(v->head, "HTTP/1.1 200", 12) != 0) {
        problem(v, "response %.40s", v->head);
        v->http = CLOSED;
        return;
      }
      v->http = strcasestr(v->head, "\r\nTransfer-Encoding: chunked") ? CHUNK_SIZE : PLAIN_BODY;
      v->head_len = 0;
      break;
    case CHUNK_SIZE: // hex digits, then (extensions and) CRLF
      if (v->head_len == 64) {
        problem(v, "chunk size line too long");
        v->http = CLOSED;
        return;
      }
      v->head[v->head_len++] = (char)*p++;
      n--;
      if (v->head[v->head_len - 1] != '\n') break;
      v->head[v->head_len] = 0;
      v->chunk_left = strtoul(v->head, NULL, 16);
      v->head_len = 0;
      if (v->chunk_left == 0) {
        problem(v, "the stream ended");
        v->http = CLOSED;
        return;
      }
      v->http = CHUNK_DATA;
      break;
    case CHUNK_DATA: {
      size_t take = n < v->chunk_left ? n : v->chunk_left;
      feed_parts(v, p, take);
      p += take;
      n -= take;
      v->chunk_left -= take;
      if (v->chunk_left == 0 && v->http == CHUNK_DATA) {
        v->http = CHUNK_CRLF;
        v->crlf_left = 2;
      }
      break;
    }
    case CHUNK_CRLF:
      if (*p != "\r\n"[2 - v->crlf_left]) {
        problem(v, "no CRLF after a chunk");
        v->http = CLOSED;
        return;
      }
      p++;
      n--;
      if (--v->crlf_left == 0) v->http = CHUNK_SIZE;
      break;
    case PLAIN_BODY:
      feed_parts(v, p, n);
      return;
    case CLOSED:
      return;
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void run_until(int epoll, viewer *viewers, double deadline) {
  static unsigned char buffer[256 * 1024];
  struct epoll_event events[64];
  double left;
  while ((left = deadline - now()) > 0) {
    int ready = epoll_wait(epoll, events, 64, (int)(left * 1000) + 1);
    if (ready < 0 && errno != EINTR) { perror("epoll_wait"); exit(1); }
    for (int i = 0; i < ready; i++) {
      viewer *v = &viewers[events[i].data.u32];
      while (v->http != CLOSED) {
        ssize_t got = read(v->fd, buffer, sizeof buffer);
        if (got > 0) {
          feed_http(v, buffer, (size_t)got);
          if (v->http == CLOSED) epoll_ctl(epoll, EPOLL_CTL_DEL, v->fd, NULL);
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
        problem(v, got == 0 ? "the server closed the connection" : strerror(errno));
        v->http = CLOSED;
        epoll_ctl(epoll, EPOLL_CTL_DEL, v->fd, NULL);
      }
    }
  }
}

int main(int argc, char **argv) {
  int port = 0, count = 0;
  double warmup = 3, seconds = 10;
  const char *path = "/stream.mjpg";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--path")) path = argv[i + 1];
    else if (!strcmp(argv[i], "--viewers")) count = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--pid") && pid_count < MAX_PIDS && strchr(argv[i + 1], '=')) {
      char *eq = strchr(argv[i + 1], '=');
      *eq = 0;
      pids[pid_count].label = argv[i + 1];
      pids[pid_count++].pid = atoi(eq + 1);
    } else {
      fprintf(stderr, "mjpeg-viewers: unknown or incomplete option %s\n", argv[i]);
      return 2;
    }
  }
  if (port <= 0 || count <= 0 || seconds <= 0 || warmup < 0) {
    fprintf(stderr, "usage: mjpeg-viewers --port P [--path /stream.mjpg] --viewers N [--warmup 3] [--seconds 10] [--pid LABEL=PID]...\n");
    return 2;
  }

  viewer *viewers = calloc((size_t)count, sizeof *viewers);
  int epoll = epoll_create1(0);
  char request[512];
  int request_len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: */*\r\n\r\n", path, port);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; i++) {
    viewer *v = &viewers[i];
    v->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (v->fd < 0 || connect(v->fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); return 1; }
    if (write(v->fd, request, (size_t)request_len) != request_len) { perror("write"); return 1; }
    fcntl(v->fd, F_SETFL, fcntl(v->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event event = {.events = EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(epoll, EPOLL_CTL_ADD, v->fd, &event);
  }

  run_until(epoll, viewers, now() + warmup);
  for (int i = 0; i < count; i++) {
    viewers[i].parts_at_start = viewers[i].parts;
    viewers[i].bytes_at_start = viewers[i].bytes;
  }
  for (int i = 0; i < pid_count; i++) pids[i].cpu_at_start = cpu_seconds(pids[i].pid);
  double tool_at_start = self_cpu(), start = now();
  run_until(epoll, viewers, start + seconds);
  double elapsed = now() - start, tool_cpu = (self_cpu() - tool_at_start) / elapsed * 100;

  double *fps = malloc(sizeof *fps * (size_t)count), sum = 0;
  unsigned long long bytes = 0;
  for (int i = 0; i < count; i++) {
    fps[i] = (viewers[i].parts - viewers[i].parts_at_start) / elapsed;
    sum += fps[i];
    bytes += viewers[i].bytes - viewers[i].bytes_at_start;
  }
  qsort(fps, (size_t)count, sizeof *fps, cmp_double);
  double median = count % 2 ? fps[count / 2] : (fps[count / 2 - 1] + fps[count / 2]) / 2;
  printf("{\"viewers\":%d,\"seconds\":%.3f,\"fps_min\":%.2f,\"fps_median\":%.2f,\"fps_mean\":%.2f,\"fps_max\":%.2f,"
         "\"mbit_per_s\":%.1f,\"bad_parts\":%ld,\"problems\":%ld,\"tool_cpu\":%.1f",
         count, elapsed, fps[0], median, sum / count, fps[count - 1], bytes * 8 / elapsed / 1e6, bad_parts, problems, tool_cpu);
  for (int i = 0; i < pid_count; i++) {
    double end = cpu_seconds(pids[i].pid);
    double cpu = end < 0 || pids[i].cpu_at_start < 0 ? -1 : (end - pids[i].cpu_at_start) / elapsed * 100;
    printf(",\"%s_cpu\":%.1f,\"%s_rss_kb\":%ld", pids[i].label, cpu, pids[i].label, rss_kb(pids[i].pid));
  }
  printf("}\n");
  for (int i = 0; i < count; i++) close(viewers[i].fd);
  return 0;
}
