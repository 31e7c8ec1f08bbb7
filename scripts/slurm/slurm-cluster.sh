#!/usr/bin/env bash
# slurm-cluster.sh — a real single-node Slurm cluster on 127.0.0.1 for kickstart's engine tests.
#
#   slurm-cluster.sh install          install slurm-wlm + munge + slurm-client (Debian 12) if missing
#   slurm-cluster.sh start DIR        start munged, slurmctld, slurmd with all state under DIR; wait for idle node
#   slurm-cluster.sh stop DIR         cancel jobs, stop every daemon started for DIR (idempotent)
#   slurm-cluster.sh status DIR       print node/queue state (exit 1 if the controller does not answer)
#
# After `start`, point the client commands at the cluster with:
#   export SLURM_CONF=DIR/slurm.conf          (also written to DIR/slurm.env)
#
# Optional environment for `start`:
#   KS_SLURM_CPUS            CPUs of the node               (default: nproc)
#   KS_SLURM_MEMORY_MB       RealMemory of the node in MiB  (default: min(4096, 90% of MemTotal))
#   KS_SLURM_MIN_JOB_AGE     seconds a finished job stays visible to squeue/scontrol (default: 30)
#   KS_SLURM_CRED_EXPIRE     AuthInfo cred_expire = delay before a requeued job may start again (default: 5, Slurm min 5)
#   KS_SLURM_START_TIMEOUT   seconds to wait for the node to become idle (default: 60)
#   KS_SLURMCTLD_PORT / KS_SLURMD_PORT   fixed ports instead of random free ones
set -euo pipefail

PROG=$(basename "$0")

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

usage() {
  cat >&2 <<EOF
usage: $PROG install
       $PROG start DIR
       $PROG stop DIR
       $PROG status DIR
EOF
  exit 2
}

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
cmd_install() {
  local missing=()
  local b
  for b in slurmctld slurmd sbatch munged; do
    command -v "$b" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "slurm and munge already installed ($(slurmctld -V 2>/dev/null || echo '?'))"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "install needs root (missing: ${missing[*]})"
  log "installing slurm-wlm munge slurm-client (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a concurrent apt/dpkg instead of failing on the lock.
  local lockopt=(-o DPkg::Lock::Timeout=600)
  apt-get "${lockopt[@]}" update -q || die "apt-get update failed"
  # policy-rc.d 101 keeps the package scripts from starting the system-wide munge/slurm services.
  local prc=/usr/sbin/policy-rc.d
  if [ ! -e "$prc" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$prc" && chmod 755 "$prc"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local rc=0
  apt-get "${lockopt[@]}" install -y -q --no-install-recommends slurm-wlm munge slurm-client || rc=$?
  [ "$rc" -eq 0 ] || die "apt-get install slurm-wlm munge slurm-client failed (exit $rc)"
  for b in slurmctld slurmd sbatch munged; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$b" >/dev/null 2>&1 || die "$b still missing after install"
  done
  log "installed $(slurmctld -V)"
}

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
export PATH="$PATH:/usr/sbin:/sbin"

abs_dir() { # abs_dir DIR [create] -> absolute physical path
  local d=$1
  if [ "${2:-}" = create ]; then mkdir -p "$d" || die "cannot create $d"; fi
  [ -d "$d" ] || die "no such directory: $d"
  (cd "$d" && pwd -P)
}

tail_log() { # tail_log NAME FILE
  if [ -s "$2" ]; then
    echo "---- last lines of $2 ($1) ----" >&2
    # drop the harmless noise every start logs (pmix plugin, first-start state files)
    grep -avE 'pmix|MPI: Cannot create context|state file|Trying backup state' "$2" | tail -n 15 >&2
    echo "---- end of $2 ----" >&2
  else
    echo "($1 log $2 is empty or missing)" >&2
  fi
}

fail_start() { # fail_start DAEMON LOGFILE MESSAGE
  local daemon=$1 logf=$2; shift 2
  echo "$PROG: error: $daemon: $*" >&2
  tail_log "$daemon" "$logf"
  # with -D the daemons mirror their log on stderr; it only adds something if the log is empty
  if [ ! -s "$logf" ] && [ -s "$D/$daemon.stderr" ]; then tail_log "$daemon stderr" "$D/$daemon.stderr"; fi
  unset KS_SLURM_DIR   # so this script's own helpers are not taken for cluster processes
  cmd_stop "$D" >/dev/null 2>&1 || true
  exit 1
}

port_in_use() { # any TCP socket (listening or not) on this local port
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -qi "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

free_port() { # free_port [EXCLUDE]
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    [ "$p" = "${1:-}" ] && continue
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free TCP port found"
}

pid_alive() { # running and not a zombie (our own background children stay zombies until we exit)
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local stat
  stat=$( { read -r stat <"/proc/$1/stat"; echo "$stat"; } 2>/dev/null ) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

read_pid() { if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi; }

# Processes that belong to the cluster in DIR, found without matching anything by name:
#   - the daemons, whose command line names DIR/slurm.conf or DIR/munge.sock;
#   - processes carrying KS_SLURM_DIR=DIR, which `start` exports to the daemons it launches;
#   - slurmstepd processes whose environment has SLURM_CONF=DIR/slurm.conf (slurmd sets it;
#     they are reparented to init, so this is how orphans are found when slurmd is gone);
#   - every descendant of the above (job scripts and their children, slurmscriptd).
# This script and its ancestors are never listed (a caller may itself export SLURM_CONF).
# Pure bash builtins: it reads every /proc entry and must not fork per process.
cluster_pids() {
  local dir=$1 p cmd arg var stat pp
  local -A kids=() skip=() seen=()
  local roots=()
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    stat=""
    { read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
    stat=${stat##*) }          # fields after "(comm) ": state ppid ...
    pp=${stat#* }; pp=${pp%% *}
    kids[$pp]+=" $p"
    cmd=""
    { while IFS= read -r -d '' arg; do cmd+="$arg "; done <"/proc/$p/cmdline"; } 2>/dev/null || continue
    case "$cmd" in *slurm-cluster.sh*) continue ;; esac   # (other invocations of) this script
    if [[ "$cmd" == *"$dir/slurm.conf"* || "$cmd" == *"$dir/munge.sock"* ]]; then
      roots+=("$p"); continue
    fi
    { while IFS= read -r -d '' var; do
        if [ "$var" = "KS_SLURM_DIR=$dir" ] \
          || { [ "$var" = "SLURM_CONF=$dir/slurm.conf" ] && [[ "$cmd" == slurmstepd* ]]; }; then
          roots+=("$p"); break
        fi
      done <"/proc/$p/environ"; } 2>/dev/null || true
  done
  # never this script, its subshell, or its ancestors
  p=$BASHPID; skip[$p]=1; skip[$$]=1
  p=$$
  while [ -n "$p" ] && [ "$p" != 0 ] && [ "$p" != 1 ]; do
    skip[$p]=1
    stat=""
    { read -r stat <"/proc/$p/stat"; } 2>/dev/null || break
    stat=${stat##*) }; p=${stat#* }; p=${p%% *}
  done
  local queue=("${roots[@]}") q
  while [ ${#queue[@]} -gt 0 ]; do
    q=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$q]:-}" ] && continue
    seen[$q]=1
    [ -z "${skip[$q]:-}" ] && echo "$q"
    # shellcheck disable=SC2206
    [ -n "${kids[$q]:-}" ] && queue+=(${kids[$q]})
  done
  return 0
}

stop_pids() { # stop_pids WAIT_SECONDS PID... : TERM, wait, KILL
  local wait_s=$1; shift
  local pids=() p
  for p in "$@"; do pid_alive "$p" && pids+=("$p"); done
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$(( $(date +%s) + wait_s ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local alive=0
    for p in "${pids[@]}"; do pid_alive "$p" && alive=1; done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do
    local n=0
    while pid_alive "$p" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
  done
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------
cmd_start() {
  [ $# -eq 1 ] || usage
  [ "$(id -u)" -eq 0 ] || die "start needs root (daemons run as SlurmUser=root)"
  local b
  for b in slurmctld slurmd sbatch sinfo munged munge unmunge; do
    command -v "$b" >/dev/null 2>&1 || die "$b not found; run: $PROG install"
  done
  D=$(abs_dir "$1" create)
  local conf=$D/slurm.conf
  # unix socket paths are limited to 107 bytes (sun_path)
  [ ${#D} -le 90 ] || die "DIR path too long for the munge socket (${#D} > 90 chars): $D"
  if pid_alive "$(read_pid "$D/slurmctld.pid")" || pid_alive "$(read_pid "$D/munged.pid")"; then
    die "a cluster is already running in $D (run: $PROG stop $D)"
  fi

  local host cpus mem_total_mb mem_mb min_job_age cred_expire timeout ctld_port slurmd_port
  host=$(hostname -s)
  [ -n "$host" ] || die "hostname -s is empty"
  cpus=${KS_SLURM_CPUS:-$(nproc)}
  mem_total_mb=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)
  mem_mb=$(( mem_total_mb * 9 / 10 )); [ "$mem_mb" -gt 4096 ] && mem_mb=4096
  mem_mb=${KS_SLURM_MEMORY_MB:-$mem_mb}
  min_job_age=${KS_SLURM_MIN_JOB_AGE:-30}
  cred_expire=${KS_SLURM_CRED_EXPIRE:-5}
  timeout=${KS_SLURM_START_TIMEOUT:-60}
  ctld_port=${KS_SLURMCTLD_PORT:-$(free_port)}
  slurmd_port=${KS_SLURMD_PORT:-$(free_port "$ctld_port")}

  mkdir -p "$D/munge" "$D/state" "$D/spool"
  chmod 0700 "$D/munge" "$D/state" "$D/spool"
  rm -f "$D/munge.sock" "$D/munge.sock.lock" "$D/slurmctld.pid" "$D/slurmd.pid" "$D/munged.pid"

  # ---- munge -------------------------------------------------------------------------------
  local key=$D/munge/munge.key mlog=$D/munged.log
  if [ ! -s "$key" ]; then
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none || die "cannot write munge key $key"
  fi
  chmod 0400 "$key"
  : >"$mlog"
  export KS_SLURM_DIR=$D   # marker inherited by every daemon and their children (see cluster_pids)
  munged --force --socket="$D/munge.sock" --key-file="$key" --pid-file="$D/munged.pid" \
    --log-file="$mlog" --seed-file="$D/munge/munged.seed" --num-threads=2 </dev/null >>"$mlog" 2>&1 \
    || fail_start munged "$mlog" "munged failed to start"
  for _ in $(seq 1 100); do
    [ -S "$D/munge.sock" ] && munge -n -S "$D/munge.sock" 2>/dev/null | unmunge -S "$D/munge.sock" >/dev/null 2>&1 && break
    sleep 0.1
  done
  munge -n -S "$D/munge.sock" 2>/dev/null | unmunge -S "$D/munge.sock" >/dev/null 2>&1 \
    || fail_start munged "$mlog" "munge credential round trip on $D/munge.sock failed"

  # ---- slurm.conf ----------------------------------------------------------------------------
  : >"$D/plugstack.conf"        # keep /etc/slurm/plugstack.conf (system SPANK plugins) out
  # no cgroup.conf: with proctrack/linuxproc + task/none, Slurm 22.05 never reads it
  cat >"$conf" <<EOF
# Generated by scripts/slurm/slurm-cluster.sh — single-node test cluster, everything under $D
ClusterName=kstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root

AuthType=auth/munge
CredType=cred/munge
# socket: our private munged; cred_expire: also the delay before a requeued job may start again
AuthInfo=socket=$D/munge.sock,cred_expire=$cred_expire

StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$D/plugstack.conf
MailProg=/bin/true

ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none

SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1,sched_interval=2,sched_min_interval=0,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides

ReturnToService=2
JobRequeue=1
KillWait=2
MinJobAge=$min_job_age
InactiveLimit=0
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
TCPTimeout=5
UnkillableStepTimeout=30

NodeName=$host NodeAddr=127.0.0.1 NodeHostname=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$conf

  # ---- daemons -------------------------------------------------------------------------------
  local t0 clog=$D/slurmctld.log dlog=$D/slurmd.log ctld_pid slurmd_pid
  t0=$(date +%s.%N)
  : >"$clog"; : >"$dlog"; : >"$D/slurmctld.stderr"; : >"$D/slurmd.stderr"
  # Run in the foreground (-D) in a new session, so we know the pids at once and see early deaths;
  # stdin/stdout/stderr are detached from the caller (a caller waiting on our pipes must not hang).
  setsid slurmctld -D -f "$conf" </dev/null >>"$D/slurmctld.stderr" 2>&1 &
  ctld_pid=$!
  for _ in $(seq 1 100); do
    scontrol ping 2>/dev/null | grep -q UP && break
    pid_alive "$ctld_pid" || break
    sleep 0.1
  done
  pid_alive "$ctld_pid" || fail_start slurmctld "$clog" "slurmctld exited at start"
  scontrol ping 2>/dev/null | grep -q UP || fail_start slurmctld "$clog" "slurmctld does not answer on 127.0.0.1:$ctld_port"

  setsid slurmd -D -f "$conf" -N "$host" </dev/null >>"$D/slurmd.stderr" 2>&1 &
  slurmd_pid=$!

  local deadline state=""
  deadline=$(( $(date +%s) + timeout ))
  while :; do
    state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null | head -n1 || true)
    [ "$state" = idle ] && break
    pid_alive "$ctld_pid" || fail_start slurmctld "$clog" "slurmctld exited"
    pid_alive "$slurmd_pid" || fail_start slurmd "$dlog" "slurmd exited (node state: ${state:-unknown})"
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail_start slurmd "$dlog" "node $host not idle after ${timeout}s (state: ${state:-unknown}; $(scontrol show node "$host" 2>/dev/null | grep -o 'Reason=.*' || true))"
    fi
    sleep 0.1
  done
  local elapsed
  elapsed=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')

  echo "SLURM_CONF=$conf" >"$D/slurm.env"
  log "cluster kstest up in ${elapsed}s: node $host idle, slurmctld 127.0.0.1:$ctld_port, slurmd 127.0.0.1:$slurmd_port"
  log "environment file: $D/slurm.env"
  echo "SLURM_CONF=$conf"
}

# ---------------------------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------------------------
cmd_stop() {
  [ $# -eq 1 ] || usage
  [ -d "$1" ] || { log "nothing to stop: $1 does not exist"; return 0; }
  local dir conf
  dir=$(abs_dir "$1")
  conf=$dir/slurm.conf
  export SLURM_CONF=$conf
  local ctld slurmd munged
  ctld=$(read_pid "$dir/slurmctld.pid")
  slurmd=$(read_pid "$dir/slurmd.pid")
  munged=$(read_pid "$dir/munged.pid")

  # 1. cancel all jobs while controller and slurmd are still up, so slurmstepd cleans up.
  if [ -f "$conf" ] && pid_alive "$ctld" && timeout 5 scontrol ping >/dev/null 2>&1; then
    local jobs
    jobs=$(timeout 5 squeue -h -t all -o '%A' 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [ -n "${jobs// /}" ]; then
      # shellcheck disable=SC2086
      timeout 5 scancel $jobs >/dev/null 2>&1 || true
      local deadline=$(( $(date +%s) + 15 ))
      while [ "$(date +%s)" -lt "$deadline" ]; do
        [ -z "$(timeout 5 squeue -h -t running,completing,configuring,suspended -o '%A' 2>/dev/null || true)" ] && break
        sleep 0.2
      done
    fi
  fi

  # 2. slurmd and slurmctld (jobs are gone by now), then munged.
  stop_pids 10 "$slurmd" "$ctld"
  local left
  if pid_alive "$munged"; then
    munged --stop --socket="$dir/munge.sock" >/dev/null 2>&1 || true
    stop_pids 5 "$munged"
  fi

  # 3. anything still tied to DIR (daemons whose pid files were lost, stray children).
  # shellcheck disable=SC2207
  left=($(cluster_pids "$dir" || true))
  [ ${#left[@]} -gt 0 ] && stop_pids 5 "${left[@]}"
  # shellcheck disable=SC2207
  left=($(cluster_pids "$dir" || true))
  rm -f "$dir/slurmctld.pid" "$dir/slurmd.pid" "$dir/munged.pid" "$dir/munge.sock" "$dir/munge.sock.lock"
  if [ ${#left[@]} -gt 0 ]; then
    die "processes of the cluster in $dir survived SIGKILL: ${left[*]}"
  fi
  log "cluster in $dir stopped"
}

# ---------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------
cmd_status() {
  [ $# -eq 1 ] || usage
  local dir
  dir=$(abs_dir "$1")
  export SLURM_CONF=$dir/slurm.conf
  [ -f "$SLURM_CONF" ] || die "no slurm.conf in $dir"
  timeout 5 scontrol ping 2>/dev/null | grep -q UP || die "slurmctld for $dir does not answer"
  echo "SLURM_CONF=$SLURM_CONF"
  sinfo -N -o '%N %T %C %E'
  squeue -t all -o '%A %T %r %M %j'
}

D=""
case "${1:-}" in
  install) shift; [ $# -eq 0 ] || usage; cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
