/*
 * Content-defined chunking (FastCDC with normalized chunking, level 2): the
 * cut points of a byte stream depend only on the bytes near them, so an
 * insertion or a shifted archive member moves the cuts around it and no
 * others. In C because the per-byte gear loop costs ~1 s per GiB in
 * JavaScript and ~0.3 s here (see find_cut).
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "cdc.h"

static uint64_t gear[256];

/* Fixed seed: the same bytes must cut at the same places in every build. */
static void init_gear(void) {
  uint64_t s = 0x6b69636b73746172ULL; /* "kickstar" */
  for (int i = 0; i < 256; i++) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    gear[i] = z ^ (z >> 31);
  }
}

/* Rolls byte i+k into the hash; the chunk ends after it when no bit of `mask` is set. */
#define ROLL(k)                         \
  h = (h << 1) + gear[buf[i + (k)]];    \
  if (!(h & mask)) {                    \
    *fp = h;                            \
    return i + (k) + 1;                 \
  }

/*
 * Rolls the gear hash over buf[i..end) and returns the index just past the
 * byte that ends the chunk, or 0 when none there does (a cut is never at 0).
 * `*fp` carries the hash in and out. The caller has bounded `end` by the
 * chunk's size, so the loop holds nothing else. Eight bytes a turn, each
 * still checked: a one-byte loop body ran at 0.36 or 0.72 s per GiB
 * depending on whether the compiler happened to place it across a 64-byte
 * boundary; eight bytes a turn run at ~0.35 s wherever it lands.
 */
static size_t scan(const uint8_t *buf, size_t i, size_t end, uint64_t *fp, uint64_t mask) {
  uint64_t h = *fp;
  for (; end - i >= 8; i += 8) {
    ROLL(0) ROLL(1) ROLL(2) ROLL(3) ROLL(4) ROLL(5) ROLL(6) ROLL(7)
  }
  for (; i < end; i++) {
    ROLL(0)
  }
  *fp = h;
  return 0;
}
#undef ROLL

static size_t least(size_t a, uint64_t b) {
  return b < a ? (size_t)b : a;
}

/*
 * Scans buf[from..len) for the end of the current chunk, which already holds
 * `have` bytes from earlier buffers. `fp` carries the rolling fingerprint
 * across calls. Returns the cut (an index into buf, exclusive) or -1 when
 * the chunk goes on past this buffer.
 *
 * A chunk's byte at offset k (from the chunk's start) ends it when the hash
 * rolled from offset min to k has no bit of mask_s set (k < avg) or of mask_l
 * (avg <= k < max); offset max starts the next chunk regardless. The offsets
 * before avg and those after are scanned in two loops, each bounded up front
 * (1 GiB of random bytes in 4 MiB buffers through the addon, least CPU time
 * of 5: 0.59 s with one loop checking max and choosing the mask at every
 * byte, 0.30 s so).
 */
static int64_t find_cut(const uint8_t *buf, size_t from, size_t len, uint64_t have, uint64_t *fp, const ks_cdc_params *p) {
  size_t i = from;
  uint64_t h = *fp;
  if (have < p->min) {
    /* Below the minimum no cut is possible: skip without hashing (FastCDC's cut-point skipping). */
    uint64_t skip = p->min - have;
    if (skip >= len - i) {
      *fp = 0;
      return -1;
    }
    i += skip;
    have = p->min;
    h = 0;
  }
  size_t n, at;
  if (have < p->avg) {
    n = least(len - i, p->avg - have);
    if ((at = scan(buf, i, i + n, &h, p->mask_s))) {
      *fp = 0;
      return (int64_t)at;
    }
    i += n;
    have += n;
  }
  n = least(len - i, have < p->max ? p->max - have : 0);
  if ((at = scan(buf, i, i + n, &h, p->mask_l))) {
    *fp = 0;
    return (int64_t)at;
  }
  i += n;
  have += n;
  if (have >= p->max) {
    *fp = 0;
    return (int64_t)i;
  }
  *fp = h;
  return -1;
}

static int bits_of(uint64_t v) {
  int b = 0;
  while (v > 1) v >>= 1, b++;
  return b;
}

/* cdcCut(buf, from, have, state: BigUint64Array(1) holding the fingerprint, min, avg, max) -> cut | -1 */
static napi_value cdc_cut(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value out;
  if (argc < 7) {
    napi_throw_type_error(env, NULL, "cdcCut(buf, from, have, state, min, avg, max)");
    return NULL;
  }
  void *data;
  size_t len;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[0], &t, &len, &data, &ab, &off) != napi_ok || t != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "cdcCut: buf must be a Uint8Array");
    return NULL;
  }
  void *sdata;
  size_t slen;
  if (napi_get_typedarray_info(env, argv[3], &t, &slen, &sdata, &ab, &off) != napi_ok || t != napi_biguint64_array || slen < 1) {
    napi_throw_type_error(env, NULL, "cdcCut: state must be a BigUint64Array(1)");
    return NULL;
  }
  double from, have, min, avg, max;
  napi_get_value_double(env, argv[1], &from);
  napi_get_value_double(env, argv[2], &have);
  napi_get_value_double(env, argv[4], &min);
  napi_get_value_double(env, argv[5], &avg);
  napi_get_value_double(env, argv[6], &max);
  if (!(min >= 64 && avg > min && max > avg) || from < 0 || from > (double)len) {
    napi_throw_range_error(env, NULL, "cdcCut: need 64 <= min < avg < max and 0 <= from <= buf.length");
    return NULL;
  }
  ks_cdc_params p = {(uint64_t)min, (uint64_t)avg, (uint64_t)max, 0, 0};
  int b = bits_of(p.avg);
  /* Normalized chunking, level 2: harder to cut before avg, easier after. */
  p.mask_s = ~0ULL << (64 - (b + 2));
  p.mask_l = ~0ULL << (64 - (b - 2));
  uint64_t fp;
  memcpy(&fp, sdata, 8);
  int64_t cut = find_cut((const uint8_t *)data, (size_t)from, len, (uint64_t)have, &fp, &p);
  memcpy(sdata, &fp, 8);
  napi_create_double(env, (double)cut, &out);
  return out;
}

void ks_cdc_register(napi_env env, napi_value exports) {
  init_gear();
  napi_property_descriptor props[] = {
      {"cdcCut", NULL, cdc_cut, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 1, props);
}
