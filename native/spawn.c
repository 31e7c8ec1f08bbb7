/*
 * Spawning a job in its own process group with exact stdio, and reaping it
 * with wait4 so its rusage is the kernel's own accounting. Failures are
 * errno values, never aborts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ks-napi.h"

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
  return ks_num(env, rc == 0 ? (double)pid : -(double)rc);
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
  ks_set_num(env, o, "pid", (double)got);
  ks_set_num(env, o, "errno", (double)err);
  if (got > 0 && ru != NULL) {
    ks_set_num(env, o, "status", (double)status);
    napi_set_named_property(env, o, "rusage", ks_rusage_object(env, ru));
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
  napi_value args[2];
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
  return ks_queue_work(env, "kickstart.wait", wait_execute, wait_complete, w, &w->deferred, &w->work);
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
  napi_set_element(env, arr, 0, ks_num(env, p[0]));
  napi_set_element(env, arr, 1, ks_num(env, p[1]));
  return arr;
}

void ks_spawn_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"spawn", NULL, spawn_job, NULL, NULL, NULL, napi_default, NULL},
      {"wait", NULL, wait_async, NULL, NULL, NULL, napi_default, NULL},
      {"waitNow", NULL, wait_now, NULL, NULL, NULL, napi_default, NULL},
      {"pipe", NULL, make_pipe, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
