/* The Node-API helpers of ks-napi.h. */
#include <sys/time.h>

#include "ks-napi.h"

napi_value ks_num(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

void ks_set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_set_named_property(env, obj, key, ks_num(env, v));
}

napi_value ks_queue_work(napi_env env, const char *name, napi_async_execute_callback execute,
                         napi_async_complete_callback complete, void *data, napi_deferred *deferred,
                         napi_async_work *work) {
  napi_value promise, resource;
  CHECK(napi_create_promise(env, deferred, &promise));
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource));
  CHECK(napi_create_async_work(env, NULL, resource, execute, complete, data, work));
  CHECK(napi_queue_async_work(env, *work));
  return promise;
}

void ks_reject(napi_env env, napi_deferred d, const char *msg) {
  napi_value m, err;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &err);
  napi_reject_deferred(env, d, err);
}

/* The bytes of a Uint8Array argument, or NULL after throwing a TypeError. */
void *ks_bytes_of(napi_env env, napi_value v, size_t *len, const char *what) {
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

static double tv_seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

napi_value ks_rusage_object(napi_env env, const struct rusage *ru) {
  napi_value o;
  napi_create_object(env, &o);
  ks_set_num(env, o, "utime", tv_seconds(ru->ru_utime));
  ks_set_num(env, o, "stime", tv_seconds(ru->ru_stime));
  ks_set_num(env, o, "maxrss", (double)ru->ru_maxrss);
  ks_set_num(env, o, "minflt", (double)ru->ru_minflt);
  ks_set_num(env, o, "majflt", (double)ru->ru_majflt);
  ks_set_num(env, o, "nswap", (double)ru->ru_nswap);
  ks_set_num(env, o, "inblock", (double)ru->ru_inblock);
  ks_set_num(env, o, "outblock", (double)ru->ru_oublock);
  ks_set_num(env, o, "msgsnd", (double)ru->ru_msgsnd);
  ks_set_num(env, o, "msgrcv", (double)ru->ru_msgrcv);
  ks_set_num(env, o, "nsignals", (double)ru->ru_nsignals);
  ks_set_num(env, o, "nvcsw", (double)ru->ru_nvcsw);
  ks_set_num(env, o, "nivcsw", (double)ru->ru_nivcsw);
  return o;
}
