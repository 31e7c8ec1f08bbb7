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
 * the data. sha256(buf) hashes one buffer: a chunk read back at stage-in,
 * checked on the pool while the main thread hashes the file it restores.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "cdc.h"
#include "ks-napi.h"

/* One stream's cutting state: what cdcHash carries from one buffer to the next. */
typedef struct {
  ks_cdc_params p;
  uint64_t fp;
  uint64_t have;
  EVP_MD_CTX *ctx;
  /* A cdcHash is in flight: the state is the pool thread's until it completes. */
  int busy;
} hasher;

/* Fetched once: an EVP_sha256() passed to each init would be looked up in the provider every time. */
static EVP_MD *sha256_md;

static int fetch_md(void) {
  if (!sha256_md) sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  return sha256_md != NULL;
}

static void hex_of(const unsigned char *md, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = digits[md[i] >> 4];
    out[2 * i + 1] = digits[md[i] & 15];
  }
}

static napi_value hex_value(napi_env env, const unsigned char *md) {
  char s[64];
  napi_value out;
  hex_of(md, s);
  napi_create_string_latin1(env, s, 64, &out);
  return out;
}

static void reject(napi_env env, napi_deferred d, const char *msg) {
  napi_value m, err;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &err);
  napi_reject_deferred(env, d, err);
}

/* The bytes of a Uint8Array argument, or NULL after throwing a TypeError. */
static void *bytes_of(napi_env env, napi_value v, size_t *len, const char *what) {
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  void *data;
  if (napi_get_typedarray_info(env, v, &t, len, &data, &ab, &off) != napi_ok || t != napi_uint8_array) {
    napi_throw_type_error(env, NULL, what);
    return NULL;
  }
  /* An empty array may have no backing store at all. */
  return data ? data : (void *)"";
}

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
  if (!h->ctx || !fetch_md() || EVP_DigestInit_ex2(h->ctx, sha256_md, NULL) != 1) {
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
    if (EVP_DigestFinal_ex(h->ctx, j->md[j->n], NULL) != 1 || EVP_DigestInit_ex2(h->ctx, sha256_md, NULL) != 1) return;
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
      napi_set_element(env, hashes, (uint32_t)i, hex_value(env, j->md[i]));
    }
    napi_set_named_property(env, out, "cuts", cuts);
    napi_set_named_property(env, out, "hashes", hashes);
    napi_resolve_deferred(env, j->deferred, out);
  } else {
    reject(env, j->deferred, "kickstart native: SHA-256 failed");
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
  const uint8_t *bytes = bytes_of(env, argv[1], &len, "cdcHash: buf must be a Uint8Array");
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
  if (EVP_DigestFinal_ex(h->ctx, md, NULL) != 1 || EVP_DigestInit_ex2(h->ctx, sha256_md, NULL) != 1) {
    napi_throw_error(env, NULL, "kickstart native: SHA-256 failed");
    return NULL;
  }
  h->have = 0;
  h->fp = 0;
  return hex_value(env, md);
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep;
  const unsigned char *data;
  size_t len;
  unsigned char md[32];
  int ok;
} sha_job;

static void sha_execute(napi_env env, void *data) {
  sha_job *j = data;
  unsigned int n = 0;
  j->ok = EVP_Digest(j->data, j->len, j->md, &n, sha256_md, NULL) == 1 && n == 32;
}

static void sha_complete(napi_env env, napi_status st, void *data) {
  sha_job *j = data;
  if (st == napi_ok && j->ok) napi_resolve_deferred(env, j->deferred, hex_value(env, j->md));
  else reject(env, j->deferred, "kickstart native: SHA-256 failed");
  napi_delete_reference(env, j->keep);
  napi_delete_async_work(env, j->work);
  free(j);
}

/* sha256(buf) -> Promise<hex string>. */
static napi_value sha256_async(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  size_t len;
  const unsigned char *bytes = argc < 1 ? NULL : bytes_of(env, arg, &len, "sha256: buf must be a Uint8Array");
  if (!bytes) {
    if (argc < 1) napi_throw_type_error(env, NULL, "sha256(buf)");
    return NULL;
  }
  if (!fetch_md()) {
    napi_throw_error(env, NULL, "kickstart native: SHA-256 is unavailable");
    return NULL;
  }
  sha_job *j = calloc(1, sizeof(*j));
  if (!j) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  j->data = bytes;
  j->len = len;
  CHECK(napi_create_reference(env, arg, 1, &j->keep));
  napi_value promise = ks_queue_work(env, "kickstart.sha256", sha_execute, sha_complete, j, &j->deferred, &j->work);
  if (!promise) return NULL;
  return promise;
}

void ks_chunk_hash_register(napi_env env, napi_value exports) {
  ks_cdc_init();
  napi_property_descriptor props[] = {
      {"cdcHasher", NULL, cdc_hasher, NULL, NULL, NULL, napi_default, NULL},
      {"cdcHash", NULL, cdc_hash, NULL, NULL, NULL, napi_default, NULL},
      {"cdcHashEnd", NULL, cdc_hash_end, NULL, NULL, NULL, napi_default, NULL},
      {"sha256", NULL, sha256_async, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
