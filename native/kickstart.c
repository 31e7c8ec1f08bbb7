/*
 * The few system calls kickstart needs and Node does not offer: spawning a job
 * in its own process group with exact stdio, reaping it with wait4 so its
 * rusage is the kernel's own accounting, and becoming a child subreaper so
 * descendants that escape the job's group come back to be killed and reaped.
 * Every function reports failure as an errno value, never by aborting.
 */
#include <node_api.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cdc.h"

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "kickstart native: " #call " failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static napi_value make_int(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_set_named_property(env, obj, key, make_int(env, v));
}

static double tv_seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static napi_value rusage_object(napi_env env, const struct rusage *ru) {
  napi_value o;
  napi_create_object(env, &o);
  set_num(env, o, "utime", tv_seconds(ru->ru_utime));
  set_num(env, o, "stime", tv_seconds(ru->ru_stime));
  set_num(env, o, "maxrss", (double)ru->ru_maxrss);
  set_num(env, o, "minflt", (double)ru->ru_minflt);
  set_num(env, o, "majflt", (double)ru->ru_majflt);
  set_num(env, o, "nswap", (double)ru->ru_nswap);
  set_num(env, o, "inblock", (double)ru->ru_inblock);
  set_num(env, o, "outblock", (double)ru->ru_oublock);
  set_num(env, o, "msgsnd", (double)ru->ru_msgsnd);
  set_num(env, o, "msgrcv", (double)ru->ru_msgrcv);
  set_num(env, o, "nsignals", (double)ru->ru_nsignals);
  set_num(env, o, "nvcsw", (double)ru->ru_nvcsw);
  set_num(env, o, "nivcsw", (double)ru->ru_nivcsw);
  return o;
}

/* Copies a JS string into a malloc'd C string; NULL on failure. */
static char *dup_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (!s) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static char **dup_string_array(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc(n + 1, sizeof(char *));
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_get_element(env, arr, i, &item);
    out[i] = dup_string(env, item);
    if (!out[i]) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_string_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

/*
 * spawn(path, argv, envp, cwd|null, [fd0, fd1, fd2], fd3?) -> pid (> 0) or -errno.
 * The optional fd3 is placed at fd 3 in the child (ks-exec's report pipe);
 * dup2 clears its close-on-exec flag there, and only there.
 * posix_spawn (vfork-like in glibc) is safe in a threaded process where fork
 * is not, and glibc reports exec failures (ENOENT, EACCES) as its result.
 * The child starts a process group of its own, with an empty signal mask and
 * default dispositions: Node ignores SIGPIPE, and a job must not inherit that.
 */
static napi_value spawn_job(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "spawn(path, argv, envp, cwd, fds)");
    return NULL;
  }
  char *path = dup_string(env, args[0]);
  char **argv = dup_string_array(env, args[1]);
  char **envp = dup_string_array(env, args[2]);
  napi_valuetype cwd_type;
  napi_typeof(env, args[3], &cwd_type);
  char *cwd = cwd_type == napi_string ? dup_string(env, args[3]) : NULL;
  int fds[3] = {0, 1, 2};
  for (uint32_t i = 0; i < 3; i++) {
    napi_value v;
    napi_get_element(env, args[4], i, &v);
    napi_get_value_int32(env, v, &fds[i]);
  }
  int fd3 = -1;
  napi_valuetype fd3_type = napi_undefined;
  if (argc >= 6) napi_typeof(env, args[5], &fd3_type);
  if (fd3_type == napi_number) napi_get_value_int32(env, args[5], &fd3);

  int rc = ENOMEM;
  pid_t pid = 0;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  if (path && argv && envp) {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&fa, fds[i], i);
    if (fd3 >= 0) posix_spawn_file_actions_adddup2(&fa, fd3, 3);
    if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  free(path);
  free(cwd);
  free_string_array(argv);
  free_string_array(envp);
  return make_int(env, rc == 0 ? (double)pid : -(double)rc);
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  pid_t want;
  int peek;
  pid_t got;
  int status;
  int err;
  struct rusage ru;
} wait_job;

static void wait_execute(napi_env env, void *data) {
  wait_job *w = data;
  if (w->peek) {
    /* Leaves the zombie in place: the caller reaps it unless another part of
       the process (libuv, for a child spawned through Node) owns that pid. */
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    int rc;
    do {
      rc = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT | __WALL);
    } while (rc < 0 && errno == EINTR);
    w->got = rc < 0 ? -1 : si.si_pid;
    w->err = rc < 0 ? errno : 0;
    return;
  }
  do {
    w->got = wait4(w->want, &w->status, __WALL, &w->ru);
  } while (w->got < 0 && errno == EINTR);
  w->err = w->got < 0 ? errno : 0;
}

static napi_value wait_result(napi_env env, pid_t got, int status, int err,
                              const struct rusage *ru) {
  napi_value o;
  napi_create_object(env, &o);
  set_num(env, o, "pid", (double)got);
  set_num(env, o, "errno", (double)err);
  if (got > 0 && ru != NULL) {
    set_num(env, o, "status", (double)status);
    napi_set_named_property(env, o, "rusage", rusage_object(env, ru));
  }
  return o;
}

static void wait_complete(napi_env env, napi_status st, void *data) {
  wait_job *w = data;
  napi_resolve_deferred(env, w->deferred, wait_result(env, w->got, w->status, w->err, w->peek ? NULL : &w->ru));
  napi_delete_async_work(env, w->work);
  free(w);
}

/* wait(pid[, peek]) -> Promise<{pid, errno, status?, rusage?}>; pid -1 reaps any child;
   peek: only says which child has exited (waitid WNOWAIT), reaping nothing. */
static napi_value wait_async(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2], promise, name;
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  napi_value arg = args[0];
  wait_job *w = calloc(1, sizeof(*w));
  if (!w) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  int32_t pid = -1;
  napi_get_value_int32(env, arg, &pid);
  w->want = pid;
  bool peek = false;
  if (argc > 1) napi_get_value_bool(env, args[1], &peek);
  w->peek = peek && pid == -1;
  CHECK(napi_create_promise(env, &w->deferred, &promise));
  napi_create_string_utf8(env, "kickstart.wait", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_async_work(env, NULL, name, wait_execute, wait_complete, w, &w->work));
  CHECK(napi_queue_async_work(env, w->work));
  return promise;
}

/* waitNow(pid) -> {pid, errno, ...}: pid 0 when nothing has exited yet. */
static napi_value wait_now(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  CHECK(napi_get_cb_info(env, info, &argc, &arg, NULL, NULL));
  int32_t pid = -1;
  napi_get_value_int32(env, arg, &pid);
  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof(ru));
  pid_t got;
  do {
    got = wait4(pid, &status, WNOHANG | __WALL, &ru);
  } while (got < 0 && errno == EINTR);
  return wait_result(env, got, status, got < 0 ? errno : 0, &ru);
}

/*
 * pipe() -> [readFd, writeFd], both close-on-exec, or [-errno, -errno]. For
 * ks-exec's report: the write end goes to the helper as spawn's fd3.
 */
static napi_value make_pipe(napi_env env, napi_callback_info info) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) p[0] = p[1] = -errno;
  napi_value arr;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  napi_set_element(env, arr, 0, make_int(env, p[0]));
  napi_set_element(env, arr, 1, make_int(env, p[1]));
  return arr;
}

/* setSubreaper() -> 0 or errno. */
static napi_value set_subreaper(napi_env env, napi_callback_info info) {
  int rc = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  return make_int(env, rc == 0 ? 0 : errno);
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
  return rusage_object(env, &ru);
}

/* umask() -> the current umask, read without leaving it changed. */
static napi_value get_umask(napi_env env, napi_callback_info info) {
  mode_t m = umask(022);
  umask(m);
  return make_int(env, (double)m);
}


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
    napi_set_element(env, a, i, make_int(env, c->procs[i]));
    napi_set_element(env, b, i, make_int(env, c->tasks[i]));
  }
  napi_set_named_property(env, o, "procs", a);
  napi_set_named_property(env, o, "tasks", b);
  set_num(env, o, "vsize", c->vsize);
  set_num(env, o, "rss", c->rss);
  napi_resolve_deferred(env, c->deferred, o);
  napi_delete_async_work(env, c->work);
  free(c);
}

/* procScan() -> Promise<{procs: [7 counts], tasks: [7 counts], vsize: bytes, rss: pages}>. */
static napi_value proc_scan(napi_env env, napi_callback_info info) {
  napi_value promise, name;
  proc_census *c = calloc(1, sizeof(*c));
  if (!c) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  CHECK(napi_create_promise(env, &c->deferred, &promise));
  napi_create_string_utf8(env, "kickstart.procScan", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_async_work(env, NULL, name, census_execute, census_complete, c, &c->work));
  CHECK(napi_queue_async_work(env, c->work));
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, spawn_job, NULL, NULL, NULL, napi_default, NULL},
      {"wait", NULL, wait_async, NULL, NULL, NULL, napi_default, NULL},
      {"waitNow", NULL, wait_now, NULL, NULL, NULL, napi_default, NULL},
      {"pipe", NULL, make_pipe, NULL, NULL, NULL, napi_default, NULL},
      {"setSubreaper", NULL, set_subreaper, NULL, NULL, NULL, napi_default, NULL},
      {"rusage", NULL, get_rusage, NULL, NULL, NULL, napi_default, NULL},
      {"umask", NULL, get_umask, NULL, NULL, NULL, napi_default, NULL},
      {"procScan", NULL, proc_scan, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  ks_cdc_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
