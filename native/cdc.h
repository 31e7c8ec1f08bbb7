#ifndef KS_CDC_H
#define KS_CDC_H
#include <node_api.h>
#include <stdint.h>

typedef struct {
  uint64_t min, avg, max;
  uint64_t mask_s, mask_l;
} ks_cdc_params;

void ks_cdc_register(napi_env env, napi_value exports);
#endif
