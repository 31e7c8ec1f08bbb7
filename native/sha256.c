/*
 * SHA-256 with the OpenSSL node itself carries (see chunk-hash.c), and
 * sha256(buf): one buffer hashed on the thread pool, a chunk read back at
 * stage-in, checked there while the main thread hashes the file it restores.
 */
#include <stdlib.h>

#include "ks-napi.h"
#include "sha256.h"

/* Fetched once: an EVP_sha256() passed to each init would be looked up in the provider every time. */
static EVP_MD *sha256_md;

const EVP_MD *ks_sha256_md(void) {
  if (!sha256_md) sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  return sha256_md;
}

static void hex_of(const unsigned char *md, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    out[2 * i] = digits[md[i] >> 4];
    out[2 * i + 1] = digits[md[i] & 15];
  }
}

napi_value ks_hex_value(napi_env env, const unsigned char *md) {
  char s[64];
  napi_value out;
  hex_of(md, s);
  napi_create_string_latin1(env, s, 64, &out);
  return out;
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
  j->ok = EVP_Digest(j->data, j->len, j->md, &n, ks_sha256_md(), NULL) == 1 && n == 32;
}

static void sha_complete(napi_env env, napi_status st, void *data) {
  sha_job *j = data;
  if (st == napi_ok && j->ok) napi_resolve_deferred(env, j->deferred, ks_hex_value(env, j->md));
  else ks_reject(env, j->deferred, "kickstart native: SHA-256 failed");
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
  const unsigned char *bytes = argc < 1 ? NULL : ks_bytes_of(env, arg, &len, "sha256: buf must be a Uint8Array");
  if (!bytes) {
    if (argc < 1) napi_throw_type_error(env, NULL, "sha256(buf)");
    return NULL;
  }
  if (!ks_sha256_md()) {
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
  return ks_queue_work(env, "kickstart.sha256", sha_execute, sha_complete, j, &j->deferred, &j->work);
}

void ks_sha256_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sha256", NULL, sha256_async, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
