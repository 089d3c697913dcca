// starttime: time from exec of a server to its first HTTP 200, then its RSS, then its exit on SIGTERM.
//
// Usage: starttime PORT PATH RSS_DELAY_MS -- COMMAND [ARGS...]
// Starts COMMAND (stdout to /dev/null, stderr inherited), polls GET PATH on 127.0.0.1:PORT every
// 100 us (a refused connect on loopback costs a few us, so the poll adds at most ~0.1 ms), waits
// RSS_DELAY_MS after the first 200, reads VmRSS from /proc/PID/status, sends SIGTERM and waits.
// Prints one line: start_ms=… rss_kb=… exit=… (exit=-N means killed by signal N).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

static double now_ms(void) { return now() * 1e3; }

static void sleep_us(long us) {
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

static int port_busy(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int busy = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  if (fd >= 0) close(fd);
  return busy;
}

// 1 = got HTTP 200, 0 = not (yet).
static int probe(int port, const char *path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = 0;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, n) == n) {
      char buf[64] = {0};
      size_t got = 0;
      while (got < 12) {
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) break;
        got += r;
      }
      ok = got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) == 0;
    }
  }
  close(fd);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 6 || strcmp(argv[4], "--") != 0) {
    fprintf(stderr, "usage: starttime PORT PATH RSS_DELAY_MS -- COMMAND [ARGS...]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  const char *path = argv[2];
  long rss_delay = atol(argv[3]);

  if (port_busy(port)) {
    fprintf(stderr, "starttime: something already listens on 127.0.0.1:%d\n", port);
    return 1;
  }
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 2; }
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 1);
    execv(argv[5], argv + 5);
    perror("starttime: exec");
    _exit(127);
  }

  double started = -1;
  int status;
  while (now_ms() - t0 < 10000) {
    if (probe(port, path)) { started = now_ms() - t0; break; }
    if (waitpid(pid, &status, WNOHANG) == pid) {
      fprintf(stderr, "starttime: server exited before answering (status %d)\n", status);
      return 1;
    }
    sleep_us(100);
  }
  if (started < 0) {
    fprintf(stderr, "starttime: no HTTP 200 from 127.0.0.1:%d%s within 10 s\n", port, path);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 1;
  }
  long rss = -1;
  if (rss_delay > 0) {
    sleep_us(rss_delay * 1000);
    rss = rss_kb(pid);
  }
  kill(pid, SIGTERM);
  double stop_by = now_ms() + 10000;
  int exited = 0;
  while (now_ms() < stop_by) {
    if (waitpid(pid, &status, WNOHANG) == pid) { exited = 1; break; }
    sleep_us(1000);
  }
  if (!exited) {
    fprintf(stderr, "starttime: server still running 10 s after SIGTERM; killing it\n");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  printf("start_ms=%.2f rss_kb=%ld exit=%d\n", started, rss, exited ? code : -9);
  return 0;
}
