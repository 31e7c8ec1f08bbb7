/*
 * Chunks cut and SHA-256'd on the thread pool, with the OpenSSL node itself
 * carries (its headers ship with node's, and the node binary exports the
 * symbols, the single-file binary's stripped copy included). A stage-out's
 * main thread then only hashes the whole file, while a pool thread cuts the
 * same read buffer and hashes its chunks; both only read it.
 *
 * cdcHash(hasher, buf) cuts buf (cdc.c) and hashes the bytes up to each
 * cut. The chunk that goes on past buf keeps its hash state, fingerprint and
 * size in the hasher for the next call; cdcHashEnd finishes it at the end of
 * the data.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "cdc.h"
#include "ks-napi.h"
#include "sha256.h"

/* One stream's cutting state: what cdcHash carries from one buffer to the next. */
typedef struct {
  ks_cdc_params p;
  uint64_t fp;
  uint64_t have;
  EVP_MD_CTX *ctx;
  /* A cdcHash is in flight: the state is the pool thread's until it completes. */
  int busy;
} hasher;

static void hasher_free(napi_env env, void *data, void *hint) {
  hasher *h = data;
  EVP_MD_CTX_free(h->ctx);
  free(h);
}

/* cdcHasher(min, avg, max) -> an opaque hasher for one stream. */
static napi_value cdc_hasher(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double v[3] = {0, 0, 0};
  for (size_t i = 0; i < argc && i < 3; i++) napi_get_value_double(env, argv[i], &v[i]);
  hasher *h = calloc(1, sizeof(*h));
  if (!h) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  if (argc < 3 || ks_cdc_params_init(&h->p, v[0], v[1], v[2]) != 0) {
    free(h);
    napi_throw_range_error(env, NULL, "cdcHasher: need 64 <= min < avg < max");
    return NULL;
  }
  h->ctx = EVP_MD_CTX_new();
  if (!h->ctx || !ks_sha256_md() || EVP_DigestInit_ex2(h->ctx, ks_sha256_md(), NULL) != 1) {
    hasher_free(env, h, NULL);
    napi_throw_error(env, NULL, "kickstart native: SHA-256 is unavailable");
    return NULL;
  }
  if (napi_create_external(env, h, hasher_free, NULL, &out) != napi_ok) {
    hasher_free(env, h, NULL);
    napi_throw_error(env, NULL, "kickstart native: napi_create_external failed");
    return NULL;
  }
  return out;
}

static hasher *hasher_of(napi_env env, napi_value v) {
  void *h = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_get_value_external(env, v, &h) != napi_ok || !h) {
    napi_throw_type_error(env, NULL, "not a cdcHasher");
    return NULL;
  }
  if (((hasher *)h)->busy) {
    napi_throw_error(env, NULL, "cdcHash: the previous call on this hasher has not completed");
    return NULL;
  }
  return h;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  /* Buffer and hasher stay referenced (the buffer's bytes stay put) until complete. */
  napi_ref keep_buf, keep_hasher;
  hasher *h;
  const uint8_t *data;
  size_t len;
  /* Cuts found in buf and the hashes of the chunks they end. */
  size_t n;
  double *cuts;
  unsigned char (*md)[32];
  int ok;
} cut_job;

static void cut_execute(napi_env env, void *data) {
  cut_job *j = data;
  hasher *h = j->h;
  size_t from = 0;
  while (from < j->len) {
    int64_t at = ks_cdc_find_cut(j->data, from, j->len, h->have, &h->fp, &h->p);
    size_t end = at < 0 ? j->len : (size_t)at;
    if (EVP_DigestUpdate(h->ctx, j->data + from, end - from) != 1) return;
    h->have += end - from;
    if (at < 0) break;
    if (EVP_DigestFinal_ex(h->ctx, j->md[j->n], NULL) != 1 || EVP_DigestInit_ex2(h->ctx, ks_sha256_md(), NULL) != 1) return;
    j->cuts[j->n++] = (double)at;
    h->have = 0;
    from = end;
  }
  j->ok = 1;
}

static void cut_complete(napi_env env, napi_status st, void *data) {
  cut_job *j = data;
  j->h->busy = 0;
  if (st == napi_ok && j->ok) {
    napi_value out, cuts, hashes;
    napi_create_object(env, &out);
    napi_create_array_with_length(env, j->n, &cuts);
    napi_create_array_with_length(env, j->n, &hashes);
    for (size_t i = 0; i < j->n; i++) {
      napi_set_element(env, cuts, (uint32_t)i, ks_num(env, j->cuts[i]));
      napi_set_element(env, hashes, (uint32_t)i, ks_hex_value(env, j->md[i]));
    }
    napi_set_named_property(env, out, "cuts", cuts);
    napi_set_named_property(env, out, "hashes", hashes);
    napi_resolve_deferred(env, j->deferred, out);
  } else {
    ks_reject(env, j->deferred, "kickstart native: SHA-256 failed");
  }
  napi_delete_reference(env, j->keep_buf);
  napi_delete_reference(env, j->keep_hasher);
  napi_delete_async_work(env, j->work);
  free(j->cuts);
  free(j->md);
  free(j);
}

/* cdcHash(hasher, buf) -> Promise<{cuts: number[], hashes: string[]}>: one call per hasher at a time. */
static napi_value cdc_hash(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "cdcHash(hasher, buf)");
    return NULL;
  }
  hasher *h = hasher_of(env, argv[0]);
  if (!h) return NULL;
  size_t len;
  const uint8_t *bytes = ks_bytes_of(env, argv[1], &len, "cdcHash: buf must be a Uint8Array");
  if (!bytes) return NULL;
  cut_job *j = calloc(1, sizeof(*j));
  /* At most one cut per min bytes, and one at the start when the carried chunk is already full. */
  size_t most = len / h->p.min + 2;
  if (j) j->cuts = malloc(most * sizeof(*j->cuts));
  if (j) j->md = malloc(most * sizeof(*j->md));
  if (!j || !j->cuts || !j->md) {
    if (j) free(j->cuts), free(j->md), free(j);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  j->h = h;
  j->data = bytes;
  j->len = len;
  CHECK(napi_create_reference(env, argv[1], 1, &j->keep_buf));
  CHECK(napi_create_reference(env, argv[0], 1, &j->keep_hasher));
  napi_value promise = ks_queue_work(env, "kickstart.cdcHash", cut_execute, cut_complete, j, &j->deferred, &j->work);
  if (!promise) return NULL;
  h->busy = 1;
  return promise;
}

/* cdcHashEnd(hasher) -> the SHA-256 of the chunk in progress, or null when there is none; the hasher starts over. */
static napi_value cdc_hash_end(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg, out;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  hasher *h = argc < 1 ? NULL : hasher_of(env, arg);
  if (!h) {
    if (argc < 1) napi_throw_type_error(env, NULL, "cdcHashEnd(hasher)");
    return NULL;
  }
  if (h->have == 0) {
    napi_get_null(env, &out);
    return out;
  }
  unsigned char md[32];
  if (EVP_DigestFinal_ex(h->ctx, md, NULL) != 1 || EVP_DigestInit_ex2(h->ctx, ks_sha256_md(), NULL) != 1) {
    napi_throw_error(env, NULL, "kickstart native: SHA-256 failed");
    return NULL;
  }
  h->have = 0;
  h->fp = 0;
  return ks_hex_value(env, md);
}

void ks_chunk_hash_register(napi_env env, napi_value exports) {
  ks_cdc_init();
  napi_property_descriptor props[] = {
      {"cdcHasher", NULL, cdc_hasher, NULL, NULL, NULL, napi_default, NULL},
      {"cdcHash", NULL, cdc_hash, NULL, NULL, NULL, napi_default, NULL},
      {"cdcHashEnd", NULL, cdc_hash_end, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
