#ifndef KS_SHA256_H
#define KS_SHA256_H
#include <node_api.h>
#include <openssl/evp.h>

/* SHA-256 from node's OpenSSL provider, fetched once (a lookup per init costs); NULL when unavailable. */
const EVP_MD *ks_sha256_md(void);
/* A 32-byte digest as a JS string of 64 hex digits. */
napi_value ks_hex_value(napi_env env, const unsigned char *md);
#endif
