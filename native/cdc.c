/*
 * Content-defined chunking (FastCDC with normalized chunking, level 2): the
 * cut points of a byte stream depend only on the bytes near them, so an
 * insertion or a shifted archive member moves the cuts around it and no
 * others. In C because the per-byte gear loop costs ~1 s per GiB in
 * JavaScript and ~0.3 s here (see find_cut).
 */
#include <stdint.h>

#include "cdc.h"

static uint64_t gear[256];

/* Fixed seed: the same bytes must cut at the same places in every build. */
void ks_cdc_init(void) {
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
int64_t ks_cdc_find_cut(const uint8_t *buf, size_t from, size_t len, uint64_t have, uint64_t *fp, const ks_cdc_params *p) {
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

int ks_cdc_params_init(ks_cdc_params *p, double min, double avg, double max) {
  if (!(min >= 64 && avg > min && max > avg && max <= 9007199254740992.0)) return -1;
  p->min = (uint64_t)min;
  p->avg = (uint64_t)avg;
  p->max = (uint64_t)max;
  int b = bits_of(p->avg);
  /* Normalized chunking, level 2: harder to cut before avg, easier after. */
  p->mask_s = ~0ULL << (64 - (b + 2));
  p->mask_l = ~0ULL << (64 - (b - 2));
  return 0;
}
