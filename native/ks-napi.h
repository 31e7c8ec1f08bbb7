#ifndef KS_NAPI_H
#define KS_NAPI_H
/* The few Node-API helpers the addon's files share. */
#include <node_api.h>
#include <sys/resource.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "kickstart native: " #call " failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* A JS number. */
napi_value ks_num(napi_env env, double v);
void ks_set_num(napi_env env, napi_value obj, const char *key, double v);
/* getrusage()'s fields as src/native/addon.ts's Rusage names them. */
napi_value ks_rusage_object(napi_env env, const struct rusage *ru);

/* A promise settled by complete() after execute() ran on the thread pool:
   the deferred and work handles land in *deferred and *work. NULL (with a
   pending exception) when Node-API refused. */
napi_value ks_queue_work(napi_env env, const char *name, napi_async_execute_callback execute,
                         napi_async_complete_callback complete, void *data, napi_deferred *deferred,
                         napi_async_work *work);

/* Rejects d with an Error of msg. */
void ks_reject(napi_env env, napi_deferred d, const char *msg);
/* The bytes of a Uint8Array argument, or NULL after throwing a TypeError that says what. */
void *ks_bytes_of(napi_env env, napi_value v, size_t *len, const char *what);

/* Each file's functions, defined on the addon's exports. */
void ks_spawn_register(napi_env env, napi_value exports);
void ks_census_register(napi_env env, napi_value exports);
void ks_chunk_hash_register(napi_env env, napi_value exports);
void ks_sha256_register(napi_env env, napi_value exports);
#endif
