/*
 * The few system calls kickstart needs and Node does not offer: spawning a job
 * in its own process group with exact stdio, reaping it with wait4 so its
 * rusage is the kernel's own accounting, and becoming a child subreaper so
 * descendants that escape the job's group come back to be killed and reaped.
 * Every function reports failure as an errno value, never by aborting.
 *
 * This file holds the addon's entry and the one-call functions; spawn.c
 * spawns and reaps, census.c counts /proc for the machine block, cdc.c finds
 * content-defined chunks' cut points, chunk-hash.c cuts and hashes them on
 * the thread pool.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ks-napi.h"

/* setSubreaper() -> 0 or errno. */
static napi_value set_subreaper(napi_env env, napi_callback_info info) {
  int rc = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return ks_num(env, rc == 0 ? 0 : errno);
}

/* rusage('self' | 'children') -> rusage object. */
static napi_value get_rusage(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  char who[16] = {0};
  size_t len = 0;
  napi_get_value_string_utf8(env, arg, who, sizeof(who), &len);
  struct rusage ru;
  getrusage(strcmp(who, "children") == 0 ? RUSAGE_CHILDREN : RUSAGE_SELF, &ru);
  return ks_rusage_object(env, &ru);
}

/* umask() -> the current umask, read without leaving it changed. */
static napi_value get_umask(napi_env env, napi_callback_info info) {
  mode_t m = umask(022);
  umask(m);
  return ks_num(env, (double)m);
}

static napi_value init(napi_env env, napi_value exports) {
  ks_spawn_register(env, exports);
  napi_property_descriptor props[] = {
      {"setSubreaper", NULL, set_subreaper, NULL, NULL, NULL, napi_default, NULL},
      {"rusage", NULL, get_rusage, NULL, NULL, NULL, napi_default, NULL},
      {"umask", NULL, get_umask, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  ks_census_register(env, exports);
  ks_chunk_hash_register(env, exports);
  ks_sha256_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
