/* The machine block's process census from /proc, on the thread pool. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ks-napi.h"

/* Counts one state letter into c[total, running, sleeping, waiting, zombie, stopped, other]. */
static void count_state(double *c, char state) {
  c[0]++;
  switch (state) {
    case 'R': c[1]++; break;
    case 'S': c[2]++; break;
    case 'D': c[3]++; break;
    case 'Z': c[4]++; break;
    case 'T': case 't': c[5]++; break;
    default: c[6]++;
  }
}

/* Reads /proc/.../stat; returns the text after the command's ')' or NULL. */
static const char *read_stat(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  ssize_t n = read(fd, buf, size - 1);
  close(fd);
  if (n <= 0) return NULL;
  buf[n] = 0;
  char *close_paren = strrchr(buf, ')');
  return close_paren && close_paren[1] == ' ' ? close_paren + 2 : NULL;
}

static int is_pid(const char *name) {
  if (!*name) return 0;
  for (; *name; name++) if (*name < '0' || *name > '9') return 0;
  return 1;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double procs[7], tasks[7], vsize, rss;
} proc_census;

/*
 * The machine block's process census: one read per process (and per thread
 * of multi-threaded ones), ~2 ms on an idle node. It runs on the thread pool
 * while the job runs, so a short job's record does not wait for it.
 */
static void census_execute(napi_env env, void *data) {
  proc_census *c = data;
  char buf[1024], path[300], tpath[600];
  DIR *d = opendir("/proc");
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (!is_pid(e->d_name)) continue;
    snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
    const char *f = read_stat(path, buf, sizeof(buf));
    if (!f) continue;
    char state = f[0];
    long threads = 0;
    unsigned long long vs = 0;
    long long rs = 0;
    /* fields after ')': 3 state ... 20 num_threads, 23 vsize, 24 rss */
    const char *p = f;
    for (int field = 3; *p && field <= 24; field++) {
      if (field == 20) threads = strtol(p, NULL, 10);
      if (field == 23) vs = strtoull(p, NULL, 10);
      if (field == 24) rs = strtoll(p, NULL, 10);
      p = strchr(p, ' ');
      if (!p) break;
      p++;
    }
    count_state(c->procs, state);
    c->vsize += (double)vs;
    c->rss += (double)rs;
    if (threads <= 1) {
      count_state(c->tasks, state);
      continue;
    }
    snprintf(path, sizeof(path), "/proc/%s/task", e->d_name);
    DIR *td = opendir(path);
    struct dirent *t;
    while (td && (t = readdir(td))) {
      if (!is_pid(t->d_name)) continue;
      snprintf(tpath, sizeof(tpath), "%s/%s/stat", path, t->d_name);
      const char *tf = read_stat(tpath, buf, sizeof(buf));
      if (tf) count_state(c->tasks, tf[0]);
    }
    if (td) closedir(td);
  }
  if (d) closedir(d);
}

static void census_complete(napi_env env, napi_status st, void *data) {
  proc_census *c = data;
  napi_value o, a, b;
  napi_create_object(env, &o);
  napi_create_array_with_length(env, 7, &a);
  napi_create_array_with_length(env, 7, &b);
  for (uint32_t i = 0; i < 7; i++) {
    napi_set_element(env, a, i, ks_num(env, c->procs[i]));
    napi_set_element(env, b, i, ks_num(env, c->tasks[i]));
  }
  napi_set_named_property(env, o, "procs", a);
  napi_set_named_property(env, o, "tasks", b);
  ks_set_num(env, o, "vsize", c->vsize);
  ks_set_num(env, o, "rss", c->rss);
  napi_resolve_deferred(env, c->deferred, o);
  napi_delete_async_work(env, c->work);
  free(c);
}

/* procScan() -> Promise<{procs: [7 counts], tasks: [7 counts], vsize: bytes, rss: pages}>. */
static napi_value proc_scan(napi_env env, napi_callback_info info) {
  proc_census *c = calloc(1, sizeof(*c));
  if (!c) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  return ks_queue_work(env, "kickstart.procScan", census_execute, census_complete, c, &c->deferred, &c->work);
}

void ks_census_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"procScan", NULL, proc_scan, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
