#ifndef KS_CDC_H
#define KS_CDC_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t min, avg, max;
  uint64_t mask_s, mask_l;
} ks_cdc_params;

/* The cut parameters from min/avg/max: 0, or -1 unless 64 <= min < avg < max. */
int ks_cdc_params_init(ks_cdc_params *p, double min, double avg, double max);
/*
 * The end of the current chunk in buf[from..len) (an index into buf,
 * exclusive), which already holds `have` bytes, or -1 when it goes on past
 * buf. `fp` carries the rolling fingerprint from call to call.
 */
int64_t ks_cdc_find_cut(const uint8_t *buf, size_t from, size_t len, uint64_t have, uint64_t *fp, const ks_cdc_params *p);
/* Fills the gear table: once, before any cut. */
void ks_cdc_init(void);
#endif
