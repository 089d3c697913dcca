// floor-server: the fastest honest server for the push-latency job, an anchor for the machine's floor.
//
// What latency.c asks of Edge and node-server.js, and nothing more, in one thread of C: epoll
// (level-triggered), non-blocking sockets, no allocation on the push path. It shows how low push
// latency can go on this machine when the server costs (almost) nothing but its system calls, the
// way nginx serving a static file shows the throughput ceiling.
//
// - HTTP/1.1 upgrade on GET /api (RFC 6455: Sec-WebSocket-Key -> SHA-1 + base64 accept, version 13);
//   any other request gets 400/404 and is closed. No extensions, no subprotocols.
// - Masked client frames, fragmented messages reassembled, ping -> pong, close echoed then the
//   connection closed; unmasked frames, RSV bits, bad opcodes and messages over 1 MiB close it.
// - Edge's envelope: {"id":N,"method":M,"params":{...}}. Methods: state.subscribe {"prefixes":[...]}
//   (reply {"id":N,"result":{"prefixes":[all of the client's]}}, then the current value of every key
//   that starts with a newly added prefix), state.set {"key":K,"value":V} (only "user.*" keys as in
//   node-server.js, key [A-Za-z0-9._-]{1,128}, value <= 4096 bytes, kept as the bytes received;
//   setting the bytes a key already holds is not a change; reply {"id":N,"result":{"key":K,"version":V}})
//   and ping (reply "pong"). Others get a JSON-RPC style error. Every message is fully validated as JSON.
// - A change builds its push frame {"state":K,"value":V} once; each matching subscriber gets it with
//   one send(MSG_NOSIGNAL). What the socket does not take (EAGAIN, short write) is queued per client
//   and sent on EPOLLOUT; later frames queue behind it, so order is kept. Pushes go out before the
//   writer's reply, as in node-server.js. Nothing is coalesced.
//
// - SENDERS 2 (optional): a fan-out to 16 or more subscribers whose queues are empty is split in two
//   halves; this thread sends to the first, a helper thread (woken by a futex) sends the same frame
//   to the second, still one send() per client. Short writes and errors are then handled here as
//   with one thread; clients with queued bytes are only ever written by this thread. Everything else
//   (epoll, parsing, the state) stays on this thread. With 1 (the default) there is no other thread.
//
// Usage: floor-server PORT [SENDERS]   (127.0.0.1:PORT; SENDERS 1 or 2; SIGTERM/SIGINT: exit code 0)
// Build: gcc -O2 -Wall -Wextra -Werror -pthread -o floor-server floor-server.c
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "ws.h"

#define MAX_MESSAGE (1u << 20)
#define MAX_VALUE 4096
#define MAX_HEADER 8192

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n);
  if (!p) die("out of memory");
  return p;
}

// ---- SHA-1 (FIPS 180-4) and base64, for Sec-WebSocket-Accept only ------------------------------

static uint32_t rol(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = (len + 9 + 63) / 64 * 64;
  for (size_t off = 0; off < total; off += 64) {
    unsigned char b[64];
    for (size_t i = 0; i < 64; i++) {
      size_t k = off + i;
      b[i] = k < len ? msg[k] : k == len ? 0x80 : 0;
    }
    if (off + 64 == total) // message length in bits, big-endian, in the last block
      for (int i = 0; i < 8; i++) b[63 - i] = (unsigned char)((uint64_t)len * 8 >> (8 * i));
    uint32_t w[80];
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)b[4 * i] << 24 | b[4 * i + 1] << 16 | b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) f = (bb & c) | (~bb & d), k = 0x5A827999;
      else if (i < 40) f = bb ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60) f = (bb & c) | (bb & d) | (c & d), k = 0x8F1BBCDC;
      else f = bb ^ c ^ d, k = 0xCA62C1D6;
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(bb, 30), bb = a, a = t;
    }
    h[0] += a, h[1] += bb, h[2] += c, h[3] += d, h[4] += e;
  }
  for (int i = 0; i < 20; i++) out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static size_t base64(const unsigned char *in, size_t n, char *out) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *o = out;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    *o++ = tab[v >> 18 & 63];
    *o++ = tab[v >> 12 & 63];
    *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? tab[v & 63] : '=';
  }
  *o = 0;
  return (size_t)(o - out);
}

// ---- a small validating JSON reader (spans [s, e) into the message) -----------------------------

#include "json.h"

// Writes s as a JSON string (quotes included); out needs 6 * strlen(s) + 3 bytes.
static char *jquote(char *out, const char *s) {
  *out++ = '"';
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') *out++ = '\\', *out++ = (char)*p;
    else if (*p < 0x20) out += sprintf(out, "\\u%04x", *p);
    else *out++ = (char)*p;
  }
  *out++ = '"';
  return out;
}

// Member of a validated object, the last one winning as in JSON.parse; {NULL, NULL} if absent.
static span jget(span obj, const char *name) {
  span r = {NULL, NULL};
  if (!obj.s || *obj.s != '{') return r;
  size_t nl = strlen(name);
  const char *e = obj.e, *p = jws(obj.s + 1, e);
  if (*p == '}') return r;
  for (;;) {
    const char *ke = jstring(p, e);
    // Member names used here have no escapes; a name written with escapes is compared decoded.
    int match;
    if (memchr(p, '\\', (size_t)(ke - p))) {
      char buf[64];
      match = jdecode((span){p, ke}, buf, sizeof buf) == (long)nl && !memcmp(buf, name, nl);
    } else {
      match = (size_t)(ke - p - 2) == nl && !memcmp(p + 1, name, nl);
    }
    p = jws(jws(ke, e) + 1, e);
    span v = {p, jvalue(p, e, 0)};
    if (match) r = v;
    p = jws(v.e, e);
    if (*p != ',') return r;
    p = jws(p + 1, e);
  }
}

// ---- connections --------------------------------------------------------------------------------

enum { HTTP, OPEN, DONE };

typedef struct conn {
  int fd, state, dead, sub_index; // sub_index: place in subs[], -1 if not subscribed
  unsigned char *in;
  size_t in_len, in_cap;
  unsigned char *out; // what the socket did not take yet
  size_t out_off, out_len, out_cap;
  unsigned char *msg; // a fragmented message being assembled
  size_t msg_len, msg_cap;
  int in_msg;
  int msg_op;
  char **prefixes;
  int nprefixes;
  int want_out; // EPOLLOUT registered
  struct conn *next_dead;
} conn;

static int ep;
static conn **subs; // subscribed connections, dense
static int nsubs, subs_cap;
static conn *dead_list;
static volatile sig_atomic_t stopping;

static void set_out(conn *c, int on) {
  if (c->want_out == on) return;
  struct epoll_event e = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
  c->want_out = on;
}

static void kill_conn(conn *c) { // closed after the current batch of events, so pointers stay valid
  if (c->dead) return;
  c->dead = 1;
  if (c->sub_index >= 0) {
    subs[c->sub_index] = subs[--nsubs];
    subs[c->sub_index]->sub_index = c->sub_index;
    c->sub_index = -1;
  }
  c->next_dead = dead_list;
  dead_list = c;
}

static void reap(void) {
  while (dead_list) {
    conn *c = dead_list;
    dead_list = c->next_dead;
    close(c->fd); // also removes it from epoll
    for (int i = 0; i < c->nprefixes; i++) free(c->prefixes[i]);
    free(c->prefixes);
    free(c->in);
    free(c->out);
    free(c->msg);
    free(c);
  }
}

static void queue(conn *c, const void *data, size_t n) { // sent on EPOLLOUT, after what is queued
  if (c->out_len + n > c->out_cap) {
    if (c->out_off) { // compact first
      memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
      c->out_len -= c->out_off;
      c->out_off = 0;
    }
    if (c->out_len + n > c->out_cap) {
      size_t cap = c->out_cap ? c->out_cap : 4096;
      while (cap < c->out_len + n) cap *= 2;
      c->out = xrealloc(c->out, cap);
      c->out_cap = cap;
    }
  }
  memcpy(c->out + c->out_len, data, n);
  c->out_len += n;
  set_out(c, 1);
}

static long send1(int fd, const void *data, size_t n) { // bytes taken, or -errno
  ssize_t r = send(fd, data, n, MSG_NOSIGNAL);
  return r >= 0 ? (long)r : -(long)errno;
}

// Handles what send1() of n bytes returned for c, whose queue was empty: the rest is queued.
static void after_send(conn *c, const void *data, size_t n, long r) {
  if (r < 0 && r != -EAGAIN && r != -EWOULDBLOCK && r != -EINTR) { kill_conn(c); return; }
  size_t sent = r > 0 ? (size_t)r : 0;
  if (sent == n) return;
  c->out_off = c->out_len = 0;
  queue(c, (const char *)data + sent, n - sent);
}

// One send() if nothing is queued; what the socket does not take is queued for EPOLLOUT.
static void conn_send(conn *c, const void *data, size_t n) {
  if (c->dead) return;
  if (c->out_len != c->out_off) queue(c, data, n);
  else after_send(c, data, n, send1(c->fd, data, n));
}

static void flush_out(conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (r > 0) { c->out_off += (size_t)r; continue; }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    kill_conn(c);
    return;
  }
  c->out_off = c->out_len = 0;
  set_out(c, 0);
  if (c->state == DONE) kill_conn(c); // close frame is out
}

static void ws_send(conn *c, int opcode, const void *payload, size_t n) {
  unsigned char stack[1024];
  unsigned char *buf = n + 10 <= sizeof stack ? stack : xrealloc(NULL, n + 10);
  size_t h = ws_header(buf, opcode, n, 0);
  memcpy(buf + h, payload, n);
  conn_send(c, buf, h + n);
  if (buf != stack) free(buf);
}

static void ws_close(conn *c, int code) { // sends a close frame, closes once it is out
  if (c->state == DONE) return;
  unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
  ws_send(c, 0x8, p, code ? 2 : 0);
  c->state = DONE;
  if (!c->dead && c->out_len == c->out_off) kill_conn(c);
}

// ---- the state and the methods ------------------------------------------------------------------

typedef struct {
  char key[129];
  size_t key_len;
  char *value; // the JSON bytes received
  size_t value_len;
  long version;
  unsigned char *push; // the whole push frame, header included, built once per change
  size_t push_len;
} entry;

static entry *entries;
static int nentries, entries_cap;

static int has_prefix(const conn *c, const char *key, size_t key_len) {
  for (int i = 0; i < c->nprefixes; i++) {
    size_t pl = strlen(c->prefixes[i]);
    if (pl <= key_len && !memcmp(key, c->prefixes[i], pl)) return 1;
  }
  return 0;
}

static void reply_raw(conn *c, span id, const char *fmt_result, size_t n) { // {"id":ID,"result":RESULT}
  char stack[2048];
  size_t idn = id.s ? (size_t)(id.e - id.s) : 4, need = idn + n + 32;
  char *buf = need <= sizeof stack ? stack : xrealloc(NULL, need);
  size_t len = 0;
  memcpy(buf, "{\"id\":", 6), len = 6;
  memcpy(buf + len, id.s ? id.s : "null", idn), len += idn;
  memcpy(buf + len, ",\"result\":", 10), len += 10;
  memcpy(buf + len, fmt_result, n), len += n;
  buf[len++] = '}';
  ws_send(c, 0x1, buf, len);
  if (buf != stack) free(buf);
}

static void fail(conn *c, span id, int code, const char *message) { // message: plain ASCII, no quotes
  char buf[256];
  int n = snprintf(buf, sizeof buf, "{\"code\":%d,\"message\":\"%s\"}", code, message);
  size_t idn = id.s ? (size_t)(id.e - id.s) : 4, need = idn + (size_t)n + 32;
  char *out = xrealloc(NULL, need);
  size_t len = (size_t)sprintf(out, "{\"id\":%.*s,\"error\":%s}", (int)idn, id.s ? id.s : "null", buf);
  ws_send(c, 0x1, out, len);
  free(out);
}

// ---- the fan-out: one send() per matching subscriber, optionally on two threads ------------------

#define SPLIT_MIN 16
static int senders = 1;
static struct { // the helper's half of a fan-out
  const int *fds;
  long *res;
  int n;
  const unsigned char *buf;
  size_t len;
} job;
static atomic_int job_seq, job_done;

static void futex_wait(atomic_int *a, int v) { syscall(SYS_futex, a, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0); }
static void futex_wake(atomic_int *a) { syscall(SYS_futex, a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static void *helper(void *arg) {
  (void)arg;
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, NULL); // signals go to the main thread
  int seen = 0;
  for (;;) {
    int seq;
    while ((seq = atomic_load(&job_seq)) == seen) futex_wait(&job_seq, seen);
    seen = seq;
    for (int i = 0; i < job.n; i++) job.res[i] = send1(job.fds[i], job.buf, job.len);
    atomic_store(&job_done, seen);
    futex_wake(&job_done);
  }
  return NULL;
}

static void fan_out(const entry *en) {
  static conn **t;
  static int *fds;
  static long *res;
  static int cap;
  if (cap < nsubs) {
    cap = nsubs;
    t = xrealloc(t, (size_t)cap * sizeof *t);
    fds = xrealloc(fds, (size_t)cap * sizeof *fds);
    res = xrealloc(res, (size_t)cap * sizeof *res);
  }
  // Targets first: kill_conn() reorders subs[], and it is only called once all sends are done.
  int nt = 0;
  for (int i = 0; i < nsubs; i++) {
    conn *c = subs[i];
    if (c->dead || c->state != OPEN || !has_prefix(c, en->key, en->key_len)) continue;
    if (c->out_len != c->out_off) queue(c, en->push, en->push_len); // behind its queue, order kept
    else t[nt] = c, fds[nt] = c->fd, nt++;
  }
  int half = senders > 1 && nt >= SPLIT_MIN ? nt / 2 : nt, seq = 0;
  if (half < nt) {
    job.fds = fds + half, job.res = res + half, job.n = nt - half, job.buf = en->push, job.len = en->push_len;
    seq = atomic_fetch_add(&job_seq, 1) + 1; // publishes job (seq_cst)
    futex_wake(&job_seq);
  }
  for (int i = 0; i < half; i++) res[i] = send1(fds[i], en->push, en->push_len);
  if (half < nt) {
    int d;
    while ((d = atomic_load(&job_done)) != seq) futex_wait(&job_done, d);
  }
  for (int i = 0; i < nt; i++) after_send(t[i], en->push, en->push_len, res[i]);
}

static void state_subscribe(conn *c, span id, span params) {
  span list = jget(params, "prefixes");
  if (!list.s || *list.s != '[') { fail(c, id, -32602, "params.prefixes must be an array of strings."); return; }
  // Check every item first: a bad request changes nothing.
  const char *q = jws(list.s + 1, list.e);
  for (const char *p = q; *p != ']';) {
    const char *ve = jvalue(p, list.e, 0);
    if (*p != '"') { fail(c, id, -32602, "params.prefixes must be an array of strings."); return; }
    p = jws(ve, list.e);
    if (*p == ',') p = jws(p + 1, list.e);
  }
  int first_added = c->nprefixes;
  for (const char *p = q; *p != ']';) {
    span v = {p, jvalue(p, list.e, 0)};
    char buf[1024];
    long n = jdecode(v, buf, sizeof buf);
    if (n < 0) { fail(c, id, -32602, "A prefix is too long or holds NUL."); return; }
    int known = 0;
    for (int i = 0; i < c->nprefixes; i++) known |= !strcmp(c->prefixes[i], buf);
    if (!known) {
      c->prefixes = xrealloc(c->prefixes, (size_t)(c->nprefixes + 1) * sizeof *c->prefixes);
      c->prefixes[c->nprefixes++] = strdup(buf);
    }
    p = jws(v.e, list.e);
    if (*p == ',') p = jws(p + 1, list.e);
  }
  if (c->sub_index < 0 && c->nprefixes) {
    if (nsubs == subs_cap) subs_cap = subs_cap ? subs_cap * 2 : 256, subs = xrealloc(subs, (size_t)subs_cap * sizeof *subs);
    c->sub_index = nsubs;
    subs[nsubs++] = c;
  }
  size_t cap = 32;
  for (int i = 0; i < c->nprefixes; i++) cap += 6 * strlen(c->prefixes[i]) + 3;
  char *res = xrealloc(NULL, cap), *o = res;
  o += sprintf(o, "{\"prefixes\":[");
  for (int i = 0; i < c->nprefixes; i++) {
    if (i) *o++ = ',';
    o = jquote(o, c->prefixes[i]);
  }
  *o++ = ']';
  *o++ = '}';
  reply_raw(c, id, res, (size_t)(o - res));
  free(res);
  // Current values of the keys the new prefixes cover.
  for (int k = 0; k < nentries; k++) {
    entry *en = &entries[k];
    for (int i = first_added; i < c->nprefixes; i++) {
      size_t pl = strlen(c->prefixes[i]);
      if (pl <= en->key_len && !memcmp(en->key, c->prefixes[i], pl)) { conn_send(c, en->push, en->push_len); break; }
    }
  }
}

static void state_set(conn *c, span id, span params) {
  span key = jget(params, "key"), value = jget(params, "value");
  if (!key.s || *key.s != '"') { fail(c, id, -32602, "Invalid key."); return; }
  size_t kl = (size_t)(key.e - key.s - 2);
  const char *k = key.s + 1;
  // Keys are [A-Za-z0-9._-]{1,128}, which JSON never needs to escape; an escaped key is refused.
  int ok = kl >= 1 && kl <= 128;
  for (size_t i = 0; ok && i < kl; i++) {
    char ch = k[i];
    ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
  }
  if (!ok) { fail(c, id, -32602, "Invalid key."); return; }
  if (!value.s) { fail(c, id, -32602, "params.value is required."); return; }
  if (kl <= 5 || memcmp(k, "user.", 5) != 0) { fail(c, id, -32001, "Only user.* keys can be created."); return; }
  size_t vl = (size_t)(value.e - value.s);
  if (vl > MAX_VALUE) { fail(c, id, -32002, "Value too large."); return; }

  entry *en = NULL;
  for (int i = 0; i < nentries && !en; i++)
    if (entries[i].key_len == kl && !memcmp(entries[i].key, k, kl)) en = &entries[i];
  if (!en) {
    if (nentries == entries_cap) entries_cap = entries_cap ? entries_cap * 2 : 16, entries = xrealloc(entries, (size_t)entries_cap * sizeof *entries);
    en = &entries[nentries++];
    memset(en, 0, sizeof *en);
    memcpy(en->key, k, kl);
    en->key_len = kl;
  }
  if (!(en->value && en->value_len == vl && !memcmp(en->value, value.s, vl))) { // a change
    en->value = xrealloc(en->value, vl ? vl : 1);
    memcpy(en->value, value.s, vl);
    en->value_len = vl;
    en->version++;
    // The push frame: {"state":"KEY","value":VALUE}, built once.
    size_t pl = 10 + kl + 10 + vl + 1;
    en->push = xrealloc(en->push, pl + 10);
    size_t h = ws_header(en->push, 0x1, pl, 0);
    unsigned char *o = en->push + h;
    memcpy(o, "{\"state\":\"", 10), o += 10;
    memcpy(o, k, kl), o += kl;
    memcpy(o, "\",\"value\":", 10), o += 10;
    memcpy(o, value.s, vl), o += vl;
    *o++ = '}';
    en->push_len = h + pl;
    fan_out(en);
  }
  char res[200];
  int n = snprintf(res, sizeof res, "{\"key\":\"%.*s\",\"version\":%ld}", (int)kl, k, en->version);
  reply_raw(c, id, res, (size_t)n);
}

static void on_message(conn *c, const unsigned char *data, size_t n) {
  const char *p = (const char *)data, *e = p + n;
  span none = {NULL, NULL};
  p = jws(p, e);
  const char *end = jvalue(p, e, 0);
  if (!end || jws(end, e) != e) { fail(c, none, -32700, "Malformed JSON."); return; }
  span m = {p, end};
  span id = jget(m, "id"), method = jget(m, "method"), params = jget(m, "params");
  if (*p != '{' || !method.s || *method.s != '"') {
    fail(c, id, -32600, "A request is a JSON object with a method.");
    return;
  }
  char name[64];
  if (jdecode(method, name, sizeof name) < 0) name[0] = 0;
  if (params.s && *params.s != '{') params = none;
  if (!strcmp(name, "state.set")) state_set(c, id, params);
  else if (!strcmp(name, "state.subscribe")) state_subscribe(c, id, params);
  else if (!strcmp(name, "ping")) reply_raw(c, id, "\"pong\"", 6);
  else fail(c, id, -32601, "Unknown method.");
}

// ---- HTTP upgrade and frames --------------------------------------------------------------------

static void http_error(conn *c, const char *status) {
  char buf[256];
  int n = snprintf(buf, sizeof buf, "HTTP/1.1 %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
  conn_send(c, buf, (size_t)n);
  c->state = DONE;
  if (!c->dead && c->out_len == c->out_off) kill_conn(c);
}

// Value of header NAME in [hdr, end) (first occurrence), trimmed; 0 if absent.
static int header(const char *hdr, const char *end, const char *name, const char **v, size_t *vl) {
  size_t nl = strlen(name);
  for (const char *line = hdr; line < end;) {
    const char *eol = memmem(line, (size_t)(end - line), "\r\n", 2);
    if (!eol) eol = end;
    if ((size_t)(eol - line) > nl && line[nl] == ':' && !strncasecmp(line, name, nl)) {
      const char *s = line + nl + 1, *t = eol;
      while (s < t && (*s == ' ' || *s == '\t')) s++;
      while (t > s && (t[-1] == ' ' || t[-1] == '\t')) t--;
      *v = s, *vl = (size_t)(t - s);
      return 1;
    }
    line = eol + 2;
  }
  return 0;
}

static int has_token(const char *v, size_t vl, const char *token) { // comma-separated, case-insensitive
  size_t tl = strlen(token);
  for (const char *p = v, *e = v + vl; p < e;) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == ',')) p++;
    const char *s = p;
    while (p < e && *p != ',') p++;
    const char *t = p;
    while (t > s && (t[-1] == ' ' || t[-1] == '\t')) t--;
    if ((size_t)(t - s) == tl && !strncasecmp(s, token, tl)) return 1;
  }
  return 0;
}

// Returns the bytes used from c->in, 0 if the header is not complete yet.
static size_t on_http(conn *c) {
  unsigned char *eoh = memmem(c->in, c->in_len, "\r\n\r\n", 4);
  if (!eoh) {
    if (c->in_len > MAX_HEADER) http_error(c, "431 Request Header Fields Too Large");
    return 0;
  }
  const char *req = (const char *)c->in, *end = (const char *)eoh + 2;
  const char *eol = memmem(req, (size_t)(end - req), "\r\n", 2);
  const char *sp1 = memchr(req, ' ', (size_t)(eol - req));
  const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
  if (!sp2 || (size_t)(eol - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.1", 8)) { http_error(c, "400 Bad Request"); return 0; }
  size_t plen = (size_t)(sp2 - sp1 - 1);
  const char *path = sp1 + 1, *qm = memchr(path, '?', plen);
  if (qm) plen = (size_t)(qm - path);
  if (plen != 4 || memcmp(path, "/api", 4)) { http_error(c, "404 Not Found"); return 0; }
  if (sp1 - req != 3 || memcmp(req, "GET", 3)) { http_error(c, "405 Method Not Allowed"); return 0; }
  const char *v, *key;
  size_t vl, kl;
  if (!header(eol + 2, end, "Upgrade", &v, &vl) || !has_token(v, vl, "websocket") ||
      !header(eol + 2, end, "Connection", &v, &vl) || !has_token(v, vl, "upgrade") ||
      !header(eol + 2, end, "Sec-WebSocket-Key", &key, &kl) || kl != 24) {
    http_error(c, "400 Bad Request");
    return 0;
  }
  if (!header(eol + 2, end, "Sec-WebSocket-Version", &v, &vl) || vl != 2 || memcmp(v, "13", 2)) {
    http_error(c, "426 Upgrade Required\r\nSec-WebSocket-Version: 13");
    return 0;
  }
  unsigned char src[24 + 36], digest[20];
  memcpy(src, key, 24);
  memcpy(src + 24, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
  sha1(src, sizeof src, digest);
  char accept[32], resp[256];
  base64(digest, 20, accept);
  int n = snprintf(resp, sizeof resp,
                   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  conn_send(c, resp, (size_t)n);
  c->state = OPEN;
  return (size_t)((const unsigned char *)end + 2 - c->in);
}

// One complete frame (payload unmasked); returns 0 if the connection is finished.
static int on_frame(conn *c, int fin, int op, unsigned char *p, size_t n) {
  if (op >= 0x8) { // control: fin set, payload <= 125 (checked by the caller)
    if (op == 0x9) { ws_send(c, 0xA, p, n); return 1; }
    if (op == 0xA) return 1;
    if (op == 0x8) {
      int code = n >= 2 ? p[0] << 8 | p[1] : 0;
      if (n == 1) code = 1002;
      ws_close(c, code);
      return 0;
    }
    ws_close(c, 1002);
    return 0;
  }
  if (op == 0x1 || op == 0x2) {
    if (c->in_msg) { ws_close(c, 1002); return 0; }
    if (fin) {
      if (op == 0x2) { fail(c, (span){NULL, NULL}, -32600, "Requests are text messages holding JSON."); return 1; }
      on_message(c, p, n);
      return !c->dead && c->state == OPEN;
    }
    c->in_msg = 1, c->msg_op = op, c->msg_len = 0;
  } else if (op == 0x0) {
    if (!c->in_msg) { ws_close(c, 1002); return 0; }
  } else {
    ws_close(c, 1002);
    return 0;
  }
  if (c->msg_len + n > MAX_MESSAGE) { ws_close(c, 1009); return 0; }
  if (c->msg_len + n > c->msg_cap) {
    c->msg_cap = c->msg_len + n;
    c->msg = xrealloc(c->msg, c->msg_cap);
  }
  memcpy(c->msg + c->msg_len, p, n);
  c->msg_len += n;
  if (fin) {
    c->in_msg = 0;
    if (c->msg_op == 0x2) fail(c, (span){NULL, NULL}, -32600, "Requests are text messages holding JSON.");
    else on_message(c, c->msg, c->msg_len);
  }
  return !c->dead && c->state == OPEN;
}

static void on_readable(conn *c) {
  if (c->in_cap - c->in_len < 16384) {
    c->in_cap = c->in_cap ? c->in_cap * 2 : 32768;
    c->in = xrealloc(c->in, c->in_cap);
  }
  ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
  if (r < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) kill_conn(c);
    return;
  }
  if (r == 0) { kill_conn(c); return; }
  if (c->state == DONE) return; // after a close: input is dropped
  c->in_len += (size_t)r;
  size_t off = 0;
  if (c->state == HTTP) {
    off = on_http(c);
    if (c->state != OPEN) return;
  }
  while (c->in_len - off >= 2) {
    unsigned char *f = c->in + off;
    size_t avail = c->in_len - off;
    int op = f[0] & 0x0F;
    if ((f[0] & 0x70) || !(f[1] & 0x80)) { ws_close(c, 1002); return; } // RSV bits; client frames are masked
    if (op >= 0x8 && ((f[1] & 0x7F) > 125 || !(f[0] & 0x80))) { ws_close(c, 1002); return; }
    uint64_t len;
    size_t h = ws_length(f, avail, &len);
    if (!h) break;
    if (len > MAX_MESSAGE) { ws_close(c, 1009); return; }
    if (avail < h + 4 + len) {
      if (h + 4 + len > c->in_cap) c->in_cap = h + 4 + len + 16384, c->in = xrealloc(c->in, c->in_cap);
      break;
    }
    unsigned char *mask = f + h, *p = f + h + 4;
    for (size_t i = 0; i < len; i++) p[i] ^= mask[i & 3];
    if (!on_frame(c, f[0] & 0x80, op, p, (size_t)len)) return;
    off += h + 4 + (size_t)len;
  }
  memmove(c->in, c->in + off, c->in_len - off);
  c->in_len -= off;
}

static void on_stop(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv) {
  snprintf(die_prefix, sizeof die_prefix, "floor-server");
  if (argc < 2 || argc > 3 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535 ||
      (argc == 3 && strcmp(argv[2], "1") && strcmp(argv[2], "2"))) {
    fputs("usage: floor-server PORT [SENDERS: 1 or 2]\n", stderr);
    return 2;
  }
  if (argc == 3) senders = atoi(argv[2]);
  struct sigaction sa = {.sa_handler = on_stop}; // no SA_RESTART: epoll_wait returns EINTR
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) die("socket: %s", strerror(errno));
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0) die("bind: %s", strerror(errno));
  if (listen(lfd, 4096) < 0) die("listen: %s", strerror(errno));
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1: %s", strerror(errno));
  struct epoll_event le = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &le);
  if (senders > 1) {
    pthread_t th;
    if (pthread_create(&th, NULL, helper, NULL)) { errno = EAGAIN; die("pthread_create: %s", strerror(errno)); }
  }
  fprintf(stderr, "floor-server listening on ws://127.0.0.1:%s/api (%d sender thread%s)\n", argv[1], senders,
          senders > 1 ? "s" : "");

  struct epoll_event evs[256];
  while (!stopping) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
      conn *c = evs[i].data.ptr;
      if (!c) { // listener
        for (;;) {
          int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn *nc = calloc(1, sizeof *nc);
          if (!nc) { close(fd); continue; }
          nc->fd = fd;
          nc->sub_index = -1;
          struct epoll_event e = {.events = EPOLLIN, .data.ptr = nc};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) { close(fd); free(nc); }
        }
        continue;
      }
      if (c->dead) continue;
      uint32_t ev = evs[i].events;
      if ((ev & EPOLLOUT) && c->out_len > c->out_off) flush_out(c);
      if (!c->dead && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c);
    }
    reap();
  }
  return 0;
}
