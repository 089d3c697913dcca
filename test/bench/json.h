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

#endif
