/*
 * ks-exec: the small process that starts each job for kickstart, so the job's
 * wait4 rusage is exact.
 *
 * Linux's exec records the replaced mm's RSS high-water mark into the
 * process's maxrss (fs/exec.c, exec_mmap -> setmax_mm_hiwater_rss). A job
 * spawned straight from Node starts as a copy of Node's ~45 MB address space,
 * so its ru_maxrss could never be below Node's. ks-exec is ~1 MB: the job is
 * forked from it, and its rusage is the kernel's own accounting of the job,
 * as /usr/bin/time reports it.
 *
 * Usage: ks-exec REPORT_FD PGROUP PATH ARGV0 [ARGS...]
 *
 * Fds 0, 1 and 2, the working directory and the environment are the job's
 * already. PGROUP is 1 to make the job lead a process group of its own
 * (kickstart signals -pgid), 0 to leave it in ks-exec's group. REPORT_FD gets
 * text lines, in this order:
 *
 *   pid PID                 right after fork: the job's pid (and pgid)
 *   exec 0 | exec ERRNO     whether execv succeeded; on failure nothing follows
 *   exit STATUS UTIME STIME MAXRSS MINFLT MAJFLT NSWAP INBLOCK OUBLOCK
 *        MSGSND MSGRCV NSIGNALS NVCSW NIVCSW      (one line) after wait4
 *
 * If fork itself fails the report is a lone "exec ERRNO" with no pid line.
 * UTIME and STIME are seconds with six decimals. ks-exec ignores the signals
 * aimed at kickstart's process group (it must live to report), and exits 0
 * once the report is written; 2 on bad usage.
 *
 * The job never outlives kickstart: while it runs, ks-exec watches REPORT_FD,
 * and when its reader is gone (kickstart was SIGKILLed, or crashed) it sends
 * SIGTERM to the job (its process group with PGROUP 1), so an app that saves
 * its state on TERM still does, then SIGKILL to the group ORPHAN_GRACE_S
 * seconds later if the job is still there, and once more to the group after
 * the job ended, for what it left. Unsupervised, a job would run on with no
 * deadline and nothing shipped, next to the attempt that replaces it (a retry
 * on the same node writes the same files). A REPORT_FD that is a regular file
 * (a test, a shell) never reports a gone reader: the job just runs.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static const int ignored[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE};
#define NIGNORED (sizeof(ignored) / sizeof(ignored[0]))

/* Seconds between the SIGTERM and the SIGKILL a job gets when kickstart is gone (as -K's default). */
#define ORPHAN_GRACE_S 5

/* SIGCHLD only interrupts ppoll: the status is collected by wait4. */
static void on_child(int sig) { (void)sig; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the reader of fd (kickstart's end of the report pipe, or socket) is gone. */
static int reader_gone(const struct pollfd *p) {
  return (p->revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

/* Writes all of buf; the report is small, so a short write is only EINTR. */
static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return; /* kickstart is gone (EPIPE): nobody to report to */
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void report(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int fd, const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > 0) write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/*
 * Sets every signal's disposition to SIG_DFL with the raw system call: glibc's
 * sigaction refuses its internal signals 32 and 33, which glibc's posix_spawn
 * (how kickstart started us) leaves ignored, and an ignored signal survives
 * exec. An all-zero kernel sigaction is SIG_DFL, no flags, empty mask, on
 * every architecture's layout.
 */
static void default_all_signals(void) {
  static const unsigned long zero[16];
  for (int sig = 1; sig < _NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, sig, zero, NULL, (size_t)(_NSIG - 1) / 8);
  }
}

/* Marks every fd >= 3 close-on-exec, so nothing but 0, 1 and 2 reaches the job. */
static void cloexec_from_3(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
#endif
  /* Kernels before 5.11: walk the fd table up to the limit. */
  struct rlimit rl;
  long max = 65536;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1048576)
    max = (long)rl.rlim_cur;
  for (long fd = 3; fd < max; fd++) {
    int flags = fcntl((int)fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

static int parse_fd(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < 0 || v > 1 << 20) return -1;
  return (int)v;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    static const char usage[] = "usage: ks-exec REPORT_FD PGROUP PATH ARGV0 [ARGS...]\n";
    write_all(2, usage, sizeof(usage) - 1);
    return 2;
  }
  int rfd = parse_fd(argv[1]);
  if (rfd < 3 || fcntl(rfd, F_GETFD) < 0) {
    static const char bad[] = "ks-exec: REPORT_FD must be an open fd >= 3\n";
    write_all(2, bad, sizeof(bad) - 1);
    return 2;
  }
  int pgroup = strcmp(argv[2], "0") != 0;
  const char *path = argv[3];
  char **job_argv = argv + 4;

  /* Survive whatever is sent to kickstart's group; the job gets defaults back. */
  struct sigaction ign, dfl;
  memset(&ign, 0, sizeof(ign));
  memset(&dfl, 0, sizeof(dfl));
  ign.sa_handler = SIG_IGN;
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&ign.sa_mask);
  sigemptyset(&dfl.sa_mask);
  for (size_t i = 0; i < NIGNORED; i++) sigaction(ignored[i], &ign, NULL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);

  /* The exec result comes back through a close-on-exec pipe: EOF means success. */
  int ep[2];
  if (pipe2(ep, O_CLOEXEC) < 0) {
    report(rfd, "exec %d\n", errno);
    return 0;
  }

  /* SIGCHLD gets a handler (not SIG_IGN: wait4 would lose the status) and is
   * blocked but inside ppoll; the job gets the default and an empty mask back. */
  struct sigaction chld;
  memset(&chld, 0, sizeof(chld));
  chld.sa_handler = on_child;
  sigemptyset(&chld.sa_mask);
  sigaction(SIGCHLD, &chld, NULL);
  sigset_t only_chld;
  sigemptyset(&only_chld);
  sigaddset(&only_chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &only_chld, NULL);

  pid_t child = fork();
  if (child < 0) {
    report(rfd, "exec %d\n", errno);
    return 0;
  }
  if (child == 0) {
    close(ep[0]);
    if (pgroup) setpgid(0, 0);
    for (size_t i = 0; i < NIGNORED; i++) sigaction(ignored[i], &dfl, NULL);
    default_all_signals();
    sigprocmask(SIG_SETMASK, &empty, NULL);
    close(rfd);
    cloexec_from_3();
    execv(path, job_argv);
    int e = errno;
    ssize_t w;
    do {
      w = write(ep[1], &e, sizeof(e));
    } while (w < 0 && errno == EINTR);
    _exit(127);
  }

  /* Both sides set the group, so it exists before kickstart hears the pid. */
  if (pgroup) setpgid(child, child);
  close(ep[1]);
  report(rfd, "pid %ld\n", (long)child);

  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(ep[0], &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof(exec_errno)) exec_errno = 0;
  close(ep[0]);
  report(rfd, "exec %d\n", exec_errno);

  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof(ru));
  pid_t got;
  /* Wait for the job, and watch for kickstart's end meanwhile (see the top). */
  pid_t target = pgroup ? -child : child;
  int orphaned = 0, killed = 0;
  double kill_at = 0;
  for (;;) {
    got = wait4(child, &status, WNOHANG, &ru);
    if (got != 0) {
      if (got < 0 && errno == EINTR) continue;
      break;
    }
    struct pollfd pfd = {.fd = rfd, .events = 0, .revents = 0};
    struct timespec ts, *tp = NULL;
    if (orphaned && !killed) {
      double left = kill_at - now_s();
      if (left <= 0) {
        kill(target, SIGKILL);
        killed = 1;
        continue;
      }
      ts.tv_sec = (time_t)left;
      ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
      tp = &ts;
    }
    /* SIGCHLD is blocked but here: it cuts ppoll short, never lost between wait4 and ppoll. */
    int ready = ppoll(&pfd, orphaned ? 0 : 1, tp, &empty);
    if (ready > 0 && !orphaned && reader_gone(&pfd)) {
      orphaned = 1;
      kill(target, SIGTERM);
      kill_at = now_s() + ORPHAN_GRACE_S;
    }
  }
  /* What the job left in its group, with nobody left to clean up after it. */
  if (orphaned && pgroup) kill(target, SIGKILL);
  if (exec_errno != 0) return 0;
  if (got < 0) {
    report(rfd, "lost %d\n", errno);
    return 0;
  }
  report(rfd, "exit %d %ld.%06ld %ld.%06ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld\n", status,
         (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
         (long)ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt, ru.ru_nswap,
         ru.ru_inblock, ru.ru_oublock, ru.ru_msgsnd, ru.ru_msgrcv, ru.ru_nsignals, ru.ru_nvcsw,
         ru.ru_nivcsw);
  return 0;
}
