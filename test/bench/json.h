// A small validating JSON reader shared by the benchmark's C tools: it validates a whole value and
// hands out spans [s, e) into the text; no allocation, no number conversion.
#ifndef EDGE_BENCH_JSON_H
#define EDGE_BENCH_JSON_H

#include <ctype.h>
#include <string.h>

typedef struct { const char *s, *e; } span;

static const char *jws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char *jstring(const char *p, const char *e) { // p at '"'
  for (p++; p < e;) {
    unsigned char c = (unsigned char)*p;
    if (c == '"') return p + 1;
    if (c < 0x20) return NULL;
    if (c != '\\') { p++; continue; }
    if (++p >= e) return NULL;
    if (*p == 'u') {
      if (e - p < 5) return NULL;
      for (int i = 1; i <= 4; i++) if (hexval(p[i]) < 0) return NULL;
      p += 5;
    } else if (strchr("\"\\/bfnrt", *p) && *p) {
      p++;
    } else {
      return NULL;
    }
  }
  return NULL;
}

static const char *jnumber(const char *p, const char *e) {
  if (p < e && *p == '-') p++;
  if (p >= e || !isdigit((unsigned char)*p)) return NULL;
  if (*p == '0') p++;
  else while (p < e && isdigit((unsigned char)*p)) p++;
  if (p < e && *p == '.') {
    if (++p >= e || !isdigit((unsigned char)*p)) return NULL;
    while (p < e && isdigit((unsigned char)*p)) p++;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < e && (*p == '+' || *p == '-')) p++;
    if (p >= e || !isdigit((unsigned char)*p)) return NULL;
    while (p < e && isdigit((unsigned char)*p)) p++;
  }
  return p;
}

static const char *jvalue(const char *p, const char *e, int depth) { // p at the value (no spaces)
  if (p >= e || depth > 64) return NULL;
  switch (*p) {
  case '"': return jstring(p, e);
  case 't': return e - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
  case 'f': return e - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
  case 'n': return e - p >= 4 && !memcmp(p, "null", 4) ? p + 4 : NULL;
  case '[':
  case '{': {
    char close = *p == '[' ? ']' : '}';
    int object = *p == '{';
    p = jws(p + 1, e);
    if (p < e && *p == close) return p + 1;
    for (;;) {
      if (object) {
        if (p >= e || *p != '"' || !(p = jstring(p, e))) return NULL;
        p = jws(p, e);
        if (p >= e || *p != ':') return NULL;
        p = jws(p + 1, e);
      }
      if (!(p = jvalue(p, e, depth + 1))) return NULL;
      p = jws(p, e);
      if (p >= e) return NULL;
      if (*p == close) return p + 1;
      if (*p != ',') return NULL;
      p = jws(p + 1, e);
    }
  }
  default: return jnumber(p, e);
  }
}

static inline int utf8(unsigned cp, unsigned char *b) {
  if (cp < 0x80) { b[0] = cp; return 1; }
  if (cp < 0x800) { b[0] = 0xC0 | cp >> 6; b[1] = 0x80 | (cp & 0x3F); return 2; }
  if (cp < 0x10000) { b[0] = 0xE0 | cp >> 12; b[1] = 0x80 | (cp >> 6 & 0x3F); b[2] = 0x80 | (cp & 0x3F); return 3; }
  b[0] = 0xF0 | cp >> 18; b[1] = 0x80 | (cp >> 12 & 0x3F); b[2] = 0x80 | (cp >> 6 & 0x3F); b[3] = 0x80 | (cp & 0x3F);
  return 4;
}

static inline unsigned hex4(const char *p) {
  return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

// Decodes a validated string token into out (UTF-8, NUL-terminated, at most cap-1 bytes);
// returns its length, or -1 if it does not fit or holds a NUL.
static inline long jdecode(span v, char *out, size_t cap) {
  size_t n = 0;
  for (const char *p = v.s + 1, *end = v.e - 1; p < end;) {
    unsigned char b[4];
    int k = 1;
    if (*p != '\\') {
      b[0] = (unsigned char)*p++;
    } else {
      p++;
      char c = *p++;
      switch (c) {
      case 'b': b[0] = '\b'; break;
      case 'f': b[0] = '\f'; break;
      case 'n': b[0] = '\n'; break;
      case 'r': b[0] = '\r'; break;
      case 't': b[0] = '\t'; break;
      case 'u': {
        unsigned cp = hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
          unsigned lo = hex4(p + 2);
          if (lo >= 0xDC00 && lo < 0xE000) { cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00); p += 6; }
        }
        if (cp == 0) return -1;
        k = utf8(cp, b);
        break;
      }
      default: b[0] = (unsigned char)c; break; // " \ /
      }
    }
    if (n + (size_t)k >= cap) return -1;
    memcpy(out + n, b, (size_t)k);
    n += (size_t)k;
  }
  out[n] = 0;
  return (long)n;
}

#endif
