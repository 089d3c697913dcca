// latency: state change -> subscriber arrival latency over WebSocket /api (Edge or node-server.js).
//
// One thread, non-blocking sockets, epoll, so the tool's own cost per pushed frame is a read() and a
// short scan (~1-2 us), not a JavaScript event and a string (the Node.js tool it replaces cost several
// us per frame, which at 500 clients was a large part of what it measured).
//
// Opens N subscriber connections (in batches of 50), each sends
//   {"id":1,"method":"state.subscribe","params":{"prefixes":[KEY]}}
// and waits for its reply; one more "writer" connection then sends WARMUP unmeasured state.set of KEY
// (value {"run":"warmup","seq":i}, each awaited, 2 ms apart), waits 200 ms, and sends ROUNDS
// state.set of KEY, INTERVAL ms apart, with the value {"run":RUN,"seq":i} (RUN is random per run).
// The send time is CLOCK_MONOTONIC just before the writer's send(); an arrival time is
// CLOCK_MONOTONIC right after the read() that completed the frame. A sample is one (round,
// subscriber) pair; p50/p99 are over all of them (nearest-rank: sorted[ceil(p/100*n)-1]).
//
// Edge coalesces pushes per key per client: if a newer value replaces an unsent older one, that older
// sample never arrives. Such samples are counted as "coalesced" (a later seq reached that client) or
// "missing" (nothing later arrived before the deadline); neither is in the percentiles.
//
// Usage: latency --url ws://127.0.0.1:PORT/api [--clients 100] [--rounds 300] [--interval 10]
//          [--key user.bench] [--warmup 50] [--label edge] [--rss-pid PID] [--settle 1000]
//          [--timeout 10000]
// Prints one JSON line with the results on stdout; problems go to stderr. Exits 1 on a failed run.
// Build: gcc -O2 -Wall -Wextra -Werror -o latency latency.c
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "ws.h"

// ---- options -----------------------------------------------------------------------------------

static struct {
  const char *url, *key, *label;
  long clients, rounds, warmup, rss_pid;
  double interval, settle, timeout;
} opt = {"", "user.bench", "", 100, 300, 50, 0, 10, 1000, 10000};

static char host[256], port[16], path[1024];

static double number_arg(const char *name, const char *v) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v || *end || !isfinite(d) || d < 0) die("--%s: not a number >= 0: '%s'", name, v);
  return d;
}

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i += 2) {
    const char *name = argv[i];
    if (strncmp(name, "--", 2) == 0) name += 2;
    if (i + 1 >= argc) die("option %s needs a value", argv[i]);
    const char *v = argv[i + 1];
    if (!strcmp(name, "url")) opt.url = v;
    else if (!strcmp(name, "key")) opt.key = v;
    else if (!strcmp(name, "label")) opt.label = v;
    else if (!strcmp(name, "clients")) opt.clients = (long)number_arg(name, v);
    else if (!strcmp(name, "rounds")) opt.rounds = (long)number_arg(name, v);
    else if (!strcmp(name, "warmup")) opt.warmup = (long)number_arg(name, v);
    else if (!strcmp(name, "rss-pid") || !strcmp(name, "rssPid")) opt.rss_pid = (long)number_arg(name, v);
    else if (!strcmp(name, "interval")) opt.interval = number_arg(name, v);
    else if (!strcmp(name, "settle")) opt.settle = number_arg(name, v);
    else if (!strcmp(name, "timeout")) opt.timeout = number_arg(name, v);
    else die("unknown option %s", argv[i]);
  }
  if (!*opt.url) die("--url is required");
  if (opt.clients < 1 || opt.clients > 100000) die("--clients must be 1..100000");
  if (opt.rounds > 10000000 || opt.clients * opt.rounds > 200000000L) die("--rounds too large");
  // ws://HOST[:PORT][/PATH]
  const char *u = opt.url;
  if (strncmp(u, "ws://", 5) != 0) die("--url must start with ws:// (no TLS): %s", opt.url);
  u += 5;
  const char *slash = strchr(u, '/');
  size_t hp = slash ? (size_t)(slash - u) : strlen(u);
  if (hp == 0 || hp >= sizeof host) die("bad host in --url %s", opt.url);
  memcpy(host, u, hp);
  host[hp] = 0;
  snprintf(path, sizeof path, "%s", slash ? slash : "/");
  char *colon = strrchr(host, ':');
  if (colon && !strchr(colon, ']')) {
    *colon = 0;
    snprintf(port, sizeof port, "%s", colon + 1);
  } else {
    snprintf(port, sizeof port, "80");
  }
}

// ---- small helpers -----------------------------------------------------------------------------

static uint64_t rng_state;
static uint64_t rng(void) { // xorshift64*: mask keys only need to be unpredictable to proxies, not secret
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

static void random_bytes(void *buf, size_t n) {
  if (getrandom(buf, n, 0) != (ssize_t)n) die("getrandom: %s", strerror(errno));
}

static long problems;
static int closing; // set once the result is out: closes from then on are expected
static void problem(const char *fmt, ...) {
  if (problems < 20) {
    va_list ap;
    va_start(ap, fmt);
    vsay(fmt, ap);
    va_end(ap);
  }
  problems++;
}

// Appends s as a JSON string (quotes included) to out; returns the new end.
static char *json_quote(char *out, const char *s) {
  *out++ = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') { *out++ = '\\'; *out++ = *p; }
    else if (*p == '\n') { *out++ = '\\'; *out++ = 'n'; }
    else if (*p == '\r') { *out++ = '\\'; *out++ = 'r'; }
    else if (*p == '\t') { *out++ = '\\'; *out++ = 't'; }
    else if (*p == '\b') { *out++ = '\\'; *out++ = 'b'; }
    else if (*p == '\f') { *out++ = '\\'; *out++ = 'f'; }
    else if (*p < 0x20) out += sprintf(out, "\\u%04x", *p);
    else *out++ = *p;
  }
  *out++ = '"';
  *out = 0;
  return out;
}

// ---- a minimal JSON reader (only for replies and pushes that miss the fast path) ----------------
// Validates a whole value; lookups then walk the validated text. Spans are [s, e).

#include "json.h"

// Parses a whole message (surrounding spaces allowed); 0 if it is not valid JSON.
static int jparse(const char *p, size_t n, span *out) {
  const char *e = p + n;
  p = jws(p, e);
  const char *end = jvalue(p, e, 0);
  if (!end || jws(end, e) != e) return 0;
  out->s = p;
  out->e = end;
  return 1;
}

// Is the (validated) JSON string token [s, e) equal to the UTF-8 text want, escapes decoded?
static int jstr_eq(span v, const char *want) {
  if (!v.s || *v.s != '"') return 0;
  char buf[1024];
  long n = jdecode(v, buf, sizeof buf);
  return n >= 0 && (size_t)n == strlen(want) && !memcmp(buf, want, (size_t)n);
}

// Member name of a (validated) object, last one wins as in JSON.parse; {NULL, NULL} if absent.
static span jget(span obj, const char *name) {
  span r = {NULL, NULL};
  if (!obj.s || *obj.s != '{') return r;
  const char *e = obj.e, *p = jws(obj.s + 1, e);
  if (*p == '}') return r;
  for (;;) {
    span k = {p, jstring(p, e)};
    p = jws(jws(k.e, e) + 1, e);
    span v = {p, jvalue(p, e, 0)};
    if (jstr_eq(k, name)) r = v;
    p = jws(v.e, e);
    if (*p != ',') return r;
    p = jws(p + 1, e);
  }
}

static int jis_number(span v) { return v.s && (*v.s == '-' || isdigit((unsigned char)*v.s)); }

static double jnum(span v) {
  char buf[64];
  size_t n = (size_t)(v.e - v.s);
  if (n >= sizeof buf) n = sizeof buf - 1; // a number token that long is far outside every range used here
  memcpy(buf, v.s, n);
  buf[n] = 0;
  return strtod(buf, NULL);
}

static int jtruthy(span v) { // JavaScript truthiness of a present member
  if (!v.s) return 0;
  if (*v.s == 'n' || *v.s == 'f') return 0;
  if (*v.s == '"') return v.e - v.s > 2;
  if (jis_number(v)) return jnum(v) != 0;
  return 1;
}

static int jis_integer(span v, double *out) {
  if (!jis_number(v)) return 0;
  double d = jnum(v);
  if (!isfinite(d) || d != floor(d)) return 0;
  *out = d;
  return 1;
}

// ---- connections -------------------------------------------------------------------------------

enum { CONNECTING, HANDSHAKE, OPEN, CLOSED };

typedef struct {
  int fd, index, state;
  int subscribed; // subscriber: its subscribe reply came
  int sent_close;
  uint32_t events;
  unsigned char *in;
  size_t in_len, in_cap;
  unsigned char *out;
  size_t out_len, out_cap;
  unsigned char *frag; // a fragmented message being assembled
  size_t frag_len, frag_cap;
  int in_frag;
} conn;

static conn *conns; // 0..N-1 subscribers, N the writer
static long N, R;
static int ep, tfd;
static struct addrinfo *addr;
static int setup_phase = 1; // any failure before the measured rounds aborts the run
static long open_conns;

static const char *who(const conn *c, char *buf, size_t n) {
  if (c->index == N) snprintf(buf, n, "writer");
  else snprintf(buf, n, "subscriber %d", c->index);
  return buf;
}

static void set_events(conn *c, uint32_t ev) {
  if (c->events == ev) return;
  struct epoll_event e = {.events = ev, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) < 0) die("epoll_ctl: %s", strerror(errno));
  c->events = ev;
}

static void conn_close(conn *c) {
  if (c->state == CLOSED) return;
  epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  c->fd = -1;
  c->state = CLOSED;
  c->out_len = 0;
  open_conns--;
}

// Connection lost outside the closing phase: fatal while setting up, a counted problem afterwards.
static void conn_lost(conn *c, const char *fmt, ...) {
  char name[32], msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  conn_close(c);
  if (closing) return;
  if (setup_phase) die("%s: %s", who(c, name, sizeof name), msg);
  problem("%s %s", who(c, name, sizeof name), msg);
}

static void grow(unsigned char **buf, size_t *cap, size_t need) {
  if (*cap >= need) return;
  size_t n = *cap ? *cap : 4096;
  while (n < need) n *= 2;
  unsigned char *b = realloc(*buf, n);
  if (!b) die("out of memory");
  *buf = b;
  *cap = n;
}

// Sends what is queued; the rest waits for EPOLLOUT.
static void flush_out(conn *c) {
  size_t off = 0;
  while (off < c->out_len) {
    ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
    if (n > 0) { off += (size_t)n; continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    conn_lost(c, "send: %s", strerror(errno));
    return;
  }
  memmove(c->out, c->out + off, c->out_len - off);
  c->out_len -= off;
  set_events(c, EPOLLIN | (c->out_len ? EPOLLOUT : 0));
}

// Queues bytes and sends them at once if nothing else is waiting.
static void conn_write(conn *c, const void *data, size_t n) {
  if (c->state == CLOSED) return;
  grow(&c->out, &c->out_cap, c->out_len + n);
  memcpy(c->out + c->out_len, data, n);
  c->out_len += n;
  if (c->out_len == n) flush_out(c);
}

// A masked client frame (RFC 6455 5.3) in buf, which has room for len + 14 bytes; returns its size.
static size_t frame(unsigned char *buf, int opcode, const void *payload, size_t len) {
  size_t h = ws_header(buf, opcode, len, 1);
  uint32_t m = (uint32_t)rng();
  unsigned char *mask = buf + h;
  memcpy(mask, &m, 4);
  h += 4;
  const unsigned char *p = payload;
  for (size_t i = 0; i < len; i++) buf[h + i] = p[i] ^ mask[i & 3];
  return h + len;
}

static void ws_send(conn *c, int opcode, const void *payload, size_t len) {
  unsigned char stack[512];
  unsigned char *buf = len + 14 <= sizeof stack ? stack : malloc(len + 14);
  if (!buf) die("out of memory");
  conn_write(c, buf, frame(buf, opcode, payload, len));
  if (buf != stack) free(buf);
}

static void conn_open(conn *c) {
  int fd = socket(addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: %s (raise the open-file limit?)", strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->fd = fd;
  c->state = CONNECTING;
  c->events = EPOLLOUT;
  struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) die("epoll_ctl: %s", strerror(errno));
  open_conns++;
  if (connect(fd, addr->ai_addr, addr->ai_addrlen) < 0 && errno != EINPROGRESS)
    die("connect to %s:%s: %s", host, port, strerror(errno));
}

static void connected(conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) die("connect to %s:%s: %s", host, port, strerror(err));
  unsigned char key[16];
  char b64[32], req[2048];
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  random_bytes(key, sizeof key);
  char *o = b64;
  for (int i = 0; i < 16; i += 3) {
    unsigned v = key[i] << 16 | (i + 1 < 16 ? key[i + 1] << 8 : 0) | (i + 2 < 16 ? key[i + 2] : 0);
    *o++ = tab[v >> 18 & 63];
    *o++ = tab[v >> 12 & 63];
    *o++ = i + 1 < 16 ? tab[v >> 6 & 63] : '=';
    *o++ = i + 2 < 16 ? tab[v & 63] : '=';
  }
  *o = 0;
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
                   path, host, port, b64);
  c->state = HANDSHAKE;
  set_events(c, EPOLLIN);
  conn_write(c, req, (size_t)n);
}

// ---- the measurement -----------------------------------------------------------------------------

static char run_id[9];
static char fast_prefix[1024]; // {"state":KEY,"value":{"run":"RUN","seq":
static size_t fast_len;
static char subscribe_body[1024];
static size_t subscribe_len;

static int64_t *send_ns;   // [R]
static int64_t *lat_ns;    // [R * N], -1 = no sample
static int32_t *last_seq;  // [N]
static long out_of_order, duplicates, done, subscribed;

enum { W_IDLE, W_WARMUP, W_MEASURE };
static int writer_phase = W_IDLE;
static long warm_id, warm_done; // the warm-up set being awaited, and whether its reply came
static long first_id;            // id of measured round 0
static int64_t *pending_ns;      // [R] send time while its reply is outstanding, else 0
static long pending, set_errors;
static int64_t *reply_ns;        // [R]
static long replies;

static void preview(const char *p, size_t n, size_t max, char *out) { // first max bytes, for messages
  if (n > max) n = max;
  memcpy(out, p, n);
  out[n] = 0;
}

// A subscriber's seq for a push of KEY in this run, -1 for anything to ignore, -2 for a reply.
static long seq_of(const char *p, size_t n) {
  if (n > fast_len && memcmp(p, fast_prefix, fast_len) == 0) { // how both servers write it
    const char *q = p + fast_len, *e = p + n;
    if (q < e && isdigit((unsigned char)*q)) {
      long v = 0;
      for (; q < e && isdigit((unsigned char)*q); q++) v = v < 100000000000L ? v * 10 + (*q - '0') : v;
      return v;
    }
  }
  char text[301];
  span m;
  if (!jparse(p, n, &m)) {
    preview(p, n, 200, text);
    problem("unparsable message: %s", text);
    return -1;
  }
  span state = jget(m, "state");
  if (state.s) {
    if (!jstr_eq(state, opt.key)) {
      preview(p, n, 200, text);
      problem("push for a key not subscribed: %s", text);
      return -1;
    }
    span value = jget(m, "value"); // earlier runs and the warm-up are ignored
    double seq;
    if (jstr_eq(jget(value, "run"), run_id) && jis_integer(jget(value, "seq"), &seq))
      return seq < 0 ? -1 : seq > 1e11 ? 100000000000L : (long)seq;
    return -1;
  }
  if (jtruthy(jget(m, "error"))) {
    preview(p, n, 300, text);
    problem("error reply: %s", text);
  }
  return -2;
}

static void subscriber_message(conn *c, const char *p, size_t n, int64_t t) {
  long seq = seq_of(p, n);
  if (seq == -2 && !c->subscribed) {
    span m, v;
    double id;
    if (!jparse(p, n, &m) || !jis_integer(jget(m, "id"), &id) || id != 1) return;
    if (jtruthy(jget(m, "error"))) {
      char text[301];
      preview(p, n, 300, text);
      die("state.subscribe: error reply %s", text);
    }
    int ok = 0;
    span prefixes = jget(jget(m, "result"), "prefixes");
    if (prefixes.s && *prefixes.s == '[') { // validated array: walk its items
      const char *q = jws(prefixes.s + 1, prefixes.e);
      while (*q != ']') {
        v.s = q;
        v.e = jvalue(q, prefixes.e, 0);
        if (jstr_eq(v, opt.key)) ok = 1;
        q = jws(v.e, prefixes.e);
        if (*q == ',') q = jws(q + 1, prefixes.e);
      }
    }
    if (!ok) {
      char text[301];
      preview(p, n, 300, text);
      problem("unexpected subscribe reply: %s", text);
    }
    c->subscribed = 1;
    subscribed++;
    return;
  }
  if (seq < 0 || seq >= R) return;
  int64_t *slot = &lat_ns[seq * N + c->index];
  if (*slot >= 0) { duplicates++; return; }
  if (seq < last_seq[c->index]) out_of_order++;
  *slot = t - send_ns[seq];
  if (seq > last_seq[c->index]) last_seq[c->index] = (int32_t)seq;
  if (seq == R - 1) done++;
}

static void writer_message(const char *p, size_t n, int64_t t) {
  span m;
  double id;
  char text[301];
  if (writer_phase == W_WARMUP) {
    if (!jparse(p, n, &m) || !jis_integer(jget(m, "id"), &id) || id != warm_id) return;
    if (jtruthy(jget(m, "error"))) {
      preview(p, n, 300, text);
      die("state.set: error reply %s", text);
    }
    warm_done = 1;
    return;
  }
  if (writer_phase != W_MEASURE) return;
  if (!jparse(p, n, &m)) { problem("writer: unparsable reply"); return; }
  if (!jis_integer(jget(m, "id"), &id) || id < first_id || id >= first_id + R) return;
  long seq = (long)id - first_id;
  if (!pending_ns[seq]) return;
  int64_t sent = pending_ns[seq];
  pending_ns[seq] = 0;
  pending--;
  span result = jget(m, "result");
  if (jtruthy(jget(m, "error")) || !result.s || *result.s != '{' || !jis_number(jget(result, "version")) ||
      !jstr_eq(jget(result, "key"), opt.key)) {
    set_errors++;
    preview(p, n, 300, text);
    problem("state.set reply: %s", text);
    return;
  }
  reply_ns[replies++] = t - sent;
}

static void message(conn *c, const unsigned char *p, size_t n, int64_t t) {
  if (c->index == N) writer_message((const char *)p, n, t);
  else subscriber_message(c, (const char *)p, n, t);
}

// One complete frame; returns 0 if the connection was closed.
static int on_frame(conn *c, int fin, int op, const unsigned char *p, size_t n, int64_t t) {
  char name[32];
  switch (op) {
  case 0x1: // text
  case 0x2: // binary (neither server sends it; treated like text, as ws's data.toString() would)
    if (c->in_frag) { conn_lost(c, "protocol error: new message inside a fragmented one"); return 0; }
    if (fin) { message(c, p, n, t); return 1; }
    c->in_frag = 1;
    c->frag_len = 0;
    /* fall through */
  case 0x0: // continuation
    if (!c->in_frag) { conn_lost(c, "protocol error: continuation without a message"); return 0; }
    grow(&c->frag, &c->frag_cap, c->frag_len + n);
    memcpy(c->frag + c->frag_len, p, n);
    c->frag_len += n;
    if (fin) {
      c->in_frag = 0;
      message(c, c->frag, c->frag_len, t);
    }
    return 1;
  case 0x8: { // close
    int code = n >= 2 ? p[0] << 8 | p[1] : 1005;
    if (!c->sent_close) ws_send(c, 0x8, p, n >= 2 ? 2 : 0); // echo the code, as a client should
    if (closing || c->sent_close) { conn_close(c); return 0; }
    conn_lost(c, "closed by the server (code %d)", code);
    return 0;
  }
  case 0x9: // ping
    ws_send(c, 0xA, p, n);
    return 1;
  case 0xA: // pong
    return 1;
  default:
    conn_lost(c, "protocol error: opcode %d from the server (%s)", op, who(c, name, sizeof name));
    return 0;
  }
}

static void on_readable(conn *c) {
  if (c->in_cap - c->in_len < 4096) grow(&c->in, &c->in_cap, c->in_len + 4096);
  ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
  int64_t t = now_ns();
  if (r < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    conn_lost(c, "read: %s", strerror(errno));
    return;
  }
  if (r == 0) {
    if (c->sent_close || closing) conn_close(c);
    else conn_lost(c, "closed by the server (code 1006, no close frame)");
    return;
  }
  c->in_len += (size_t)r;
  size_t off = 0;
  if (c->state == HANDSHAKE) {
    unsigned char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end) {
      if (c->in_len > 16384) die("upgrade: no end of the HTTP response header");
      return;
    }
    if (c->in_len < 12 || memcmp(c->in, "HTTP/1.", 7) != 0 || memcmp(c->in + 9, "101", 3) != 0) {
      char line[128];
      size_t l = strcspn((char *)c->in, "\r");
      preview((char *)c->in, l, 100, line);
      die("upgrade refused: %s", line);
    }
    off = (size_t)(end + 4 - c->in);
    c->state = OPEN;
    if (c->index < N) ws_send(c, 0x1, subscribe_body, subscribe_len);
    if (c->state == CLOSED) return;
  }
  size_t need = 0;
  while (c->in_len - off >= 2) {
    const unsigned char *f = c->in + off;
    size_t avail = c->in_len - off;
    uint64_t len;
    if (f[0] & 0x70) { conn_lost(c, "protocol error: RSV bits set (no extension was negotiated)"); return; }
    size_t h = ws_length(f, avail, &len);
    if (!h) break;
    if (f[1] & 0x80) { conn_lost(c, "protocol error: masked frame from the server"); return; }
    if (len > (64u << 20)) { conn_lost(c, "frame of %llu bytes", (unsigned long long)len); return; }
    if (avail < h + len) { need = h + (size_t)len; break; }
    if (!on_frame(c, f[0] & 0x80, f[0] & 0x0F, f + h, (size_t)len, t)) return;
    off += h + (size_t)len;
  }
  memmove(c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
  if (need) grow(&c->in, &c->in_cap, need + 4096);
}

// ---- event loop ----------------------------------------------------------------------------------

static int64_t armed = -1;
static struct epoll_event *evs;
static int max_events;

// Handles events until cond() holds (returns 1) or the monotonic time deadline passes (returns 0).
static int pump(int64_t deadline, int (*cond)(void)) {
  for (;;) {
    if (cond && cond()) return 1;
    if (deadline && now_ns() >= deadline) return 0;
    if (armed != deadline) {
      struct itimerspec its = {{0, 0}, {deadline / 1000000000, deadline % 1000000000}};
      if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0) die("timerfd_settime: %s", strerror(errno));
      armed = deadline;
    }
    int n = epoll_wait(ep, evs, max_events, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
      conn *c = evs[i].data.ptr;
      uint32_t ev = evs[i].events;
      if (!c) {
        uint64_t x;
        if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN) die("timerfd read: %s", strerror(errno));
        armed = -1;
        continue;
      }
      if (c->state == CLOSED) continue;
      if (c->state == CONNECTING) { connected(c); continue; }
      if ((ev & EPOLLOUT) && c->out_len) flush_out(c);
      if (c->state != CLOSED && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
    }
  }
}

static long batch_end;
static int batch_ready(void) { return subscribed >= batch_end; }
static int writer_open(void) { return conns[N].state == OPEN; }
static int warm_reply(void) { return warm_done; }
static int finished(void) { return done >= N && pending == 0; }
static int all_closed(void) { return open_conns == 0; }

static void sleep_ms(double ms) { pump(now_ns() + (int64_t)(ms * 1e6), NULL); }

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

// Nearest rank, as latency.js had it: sorted[min(n-1, max(0, ceil(p/100*n)-1))]; NAN if empty.
static double percentile(const int64_t *sorted, long n, double p) {
  if (n == 0) return NAN;
  double r = ceil(p / 100 * (double)n) - 1;
  long i = r < 0 ? 0 : r > n - 1 ? n - 1 : (long)r;
  return (double)sorted[i];
}

// A number the way JavaScript's JSON.stringify writes it (null for NaN).
static void put_num(double v) {
  if (!isfinite(v)) { fputs("null", stdout); return; }
  if (v == floor(v) && fabs(v) < 1e15) { printf("%.0f", v == 0 ? 0.0 : v); return; }
  char buf[40];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  fputs(buf, stdout);
}

static double rounded(double v, double scale) { return floor(v * scale + 0.5) / scale; } // Math.round
static double ms(double ns) { return isnan(ns) ? NAN : rounded(ns / 1e3, 1) / 1e3; }

int main(int argc, char **argv) {
  snprintf(die_prefix, sizeof die_prefix, "latency");
  parse_args(argc, argv);
  snprintf(die_prefix, sizeof die_prefix, "latency [%.100s]", opt.label);
  N = opt.clients;
  R = opt.rounds;
  signal(SIGPIPE, SIG_IGN);
  random_bytes(&rng_state, sizeof rng_state);
  rng_state |= 1;
  for (int i = 0; i < 8; i++) run_id[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[rng() % 36];

  char quoted_key[600];
  if (strlen(opt.key) > 128) die("--key too long");
  json_quote(quoted_key, opt.key);
  fast_len = (size_t)snprintf(fast_prefix, sizeof fast_prefix, "{\"state\":%s,\"value\":{\"run\":\"%s\",\"seq\":",
                              quoted_key, run_id);
  subscribe_len = (size_t)snprintf(subscribe_body, sizeof subscribe_body,
                                   "{\"id\":1,\"method\":\"state.subscribe\",\"params\":{\"prefixes\":[%s]}}", quoted_key);

  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)N + 64) {
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)N + 64 ? (rlim_t)N + 64 : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < (rlim_t)N + 8)
      die("open-file limit %llu is too low for %ld connections", (unsigned long long)rl.rlim_cur, N);
  }

  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  int gai = getaddrinfo(host, port, &hints, &addr);
  if (gai) die("%s:%s: %s", host, port, gai_strerror(gai));

  ep = epoll_create1(EPOLL_CLOEXEC);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (ep < 0 || tfd < 0) die("epoll/timerfd: %s", strerror(errno));
  struct epoll_event te = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &te);
  max_events = (int)N + 2;
  evs = calloc((size_t)max_events, sizeof *evs);
  conns = calloc((size_t)N + 1, sizeof *conns);
  send_ns = calloc((size_t)R + 1, sizeof *send_ns);
  pending_ns = calloc((size_t)R + 1, sizeof *pending_ns);
  reply_ns = calloc((size_t)R + 1, sizeof *reply_ns);
  lat_ns = malloc(((size_t)R * N + 1) * sizeof *lat_ns);
  last_seq = malloc((size_t)N * sizeof *last_seq);
  if (!evs || !conns || !send_ns || !pending_ns || !reply_ns || !lat_ns || !last_seq) die("out of memory");
  memset(lat_ns, 0xFF, ((size_t)R * N + 1) * sizeof *lat_ns); // -1
  for (long i = 0; i < N; i++) last_seq[i] = -1;
  for (long i = 0; i <= N; i++) conns[i].index = (int)i, conns[i].fd = -1, conns[i].state = CLOSED;

  // Subscribers, 50 at a time, each subscribed before the next batch starts.
  int64_t setup_ms = (int64_t)opt.timeout;
  for (long i = 0; i < N; i += 50) {
    batch_end = i + 50 < N ? i + 50 : N;
    for (long j = i; j < batch_end; j++) conn_open(&conns[j]);
    if (!pump(now_ns() + setup_ms * 1000000, batch_ready))
      die("subscribers %ld..%ld not subscribed within %lld ms", i, batch_end - 1, (long long)setup_ms);
  }
  conn_open(&conns[N]);
  if (!pump(now_ns() + setup_ms * 1000000, writer_open)) die("writer not open within %lld ms", (long long)setup_ms);

  char body[1200];
  long next_id = 1;
  // Warm-up: values of another run, not recorded (subscribers ignore them).
  writer_phase = W_WARMUP;
  for (long i = 0; i < opt.warmup; i++) {
    warm_id = next_id++;
    warm_done = 0;
    int n = snprintf(body, sizeof body,
                     "{\"id\":%ld,\"method\":\"state.set\",\"params\":{\"key\":%s,\"value\":{\"run\":\"warmup\",\"seq\":%ld}}}",
                     warm_id, quoted_key, i);
    ws_send(&conns[N], 0x1, body, (size_t)n);
    if (!pump(now_ns() + setup_ms * 1000000, warm_reply)) die("no reply to warm-up state.set %ld", i);
    sleep_ms(2);
  }
  sleep_ms(200);

  // Measured rounds on a fixed schedule; replies are checked as they come.
  writer_phase = W_MEASURE;
  setup_phase = 0;
  first_id = next_id;
  int64_t start = now_ns();
  for (long seq = 0; seq < R; seq++) {
    int64_t due = start + (int64_t)rounded((double)seq * opt.interval * 1e6, 1);
    if (due > now_ns()) pump(due, NULL);
    long id = next_id++;
    int n = snprintf(body, sizeof body,
                     "{\"id\":%ld,\"method\":\"state.set\",\"params\":{\"key\":%s,\"value\":{\"run\":\"%s\",\"seq\":%ld}}}",
                     id, quoted_key, run_id, seq);
    unsigned char fr[1300];
    size_t len = frame(fr, 0x1, body, (size_t)n);
    int64_t t = now_ns();
    send_ns[seq] = t;
    pending_ns[seq] = t;
    pending++;
    conn_write(&conns[N], fr, len);
  }
  pump(now_ns() + (int64_t)(opt.timeout * 1e6), finished);
  double elapsed_s = (double)(now_ns() - start) / 1e9;

  long rss = -2;
  if (opt.rss_pid) {
    sleep_ms(opt.settle);
    rss = rss_kb(opt.rss_pid);
  }

  // Lost samples: coalesced (a later value reached that client) or missing (nothing later arrived).
  long coalesced = 0, missing = 0, count = 0;
  for (long seq = 0; seq < R; seq++) {
    for (long c = 0; c < N; c++) {
      int64_t v = lat_ns[seq * N + c];
      if (v >= 0) lat_ns[count++] = v; // compacts in place: count <= seq * N + c
      else if (last_seq[c] > seq) coalesced++;
      else missing++;
    }
  }
  qsort(lat_ns, (size_t)count, sizeof *lat_ns, cmp_i64);
  qsort(reply_ns, (size_t)replies, sizeof *reply_ns, cmp_i64);
  double sum = 0;
  for (long i = 0; i < count; i++) sum += (double)lat_ns[i];

  char label[1024];
  json_quote(label, strlen(opt.label) < 200 ? opt.label : "label too long");
  printf("{\"label\":%s,\"clients\":%ld,\"rounds\":%ld,\"interval_ms\":", label, N, R);
  put_num(opt.interval);
  printf(",\"expected\":%ld,\"samples\":%ld,\"coalesced\":%ld,\"missing\":%ld,\"out_of_order\":%ld,"
         "\"duplicates\":%ld,\"set_errors\":%ld,\"problems\":%ld",
         R * N, count, coalesced, missing, out_of_order, duplicates, set_errors + pending, problems);
  fputs(",\"p50_ms\":", stdout);
  put_num(ms(percentile(lat_ns, count, 50)));
  fputs(",\"p99_ms\":", stdout);
  put_num(ms(percentile(lat_ns, count, 99)));
  fputs(",\"p999_ms\":", stdout);
  put_num(ms(percentile(lat_ns, count, 99.9)));
  fputs(",\"max_ms\":", stdout);
  put_num(ms(count ? (double)lat_ns[count - 1] : NAN));
  fputs(",\"mean_ms\":", stdout);
  put_num(ms(sum / (double)(count ? count : 1)));
  fputs(",\"set_reply_p50_ms\":", stdout);
  put_num(ms(percentile(reply_ns, replies, 50)));
  fputs(",\"elapsed_s\":", stdout);
  put_num(rounded(elapsed_s, 100));
  fputs(",\"rss_kb\":", stdout);
  if (rss < 0) fputs("null", stdout);
  else printf("%ld", rss);
  fputs("}\n", stdout);
  fflush(stdout);

  // Close every connection with 1000 and wait (up to 2 s) for the servers' close replies.
  closing = 1;
  static const unsigned char normal[2] = {0x03, 0xE8};
  for (long i = 0; i <= N; i++) {
    if (conns[i].state != OPEN) { conn_close(&conns[i]); continue; }
    conns[i].sent_close = 1;
    ws_send(&conns[i], 0x8, normal, 2);
  }
  pump(now_ns() + 2000000000, all_closed);
  return missing > 0 && count == 0 ? 1 : 0;
}
