#!/usr/bin/env bash
# s3-server.sh — a real, throw-away S3 server on 127.0.0.1 for the test suites:
# Ceph RADOS Gateway (Debian packages) on a one-mon cluster with one memstore OSD.
#
#   s3-server.sh install      install the Debian packages (root; skipped if present)
#   s3-server.sh start DIR    create a cluster under DIR, wait for S3, write DIR/s3.env
#   s3-server.sh stop DIR     stop radosgw, then the OSD, then the mon (idempotent)
#   s3-server.sh status DIR   exit 0 when the gateway in DIR answers HTTP
#
# Tunables (environment):
#   S3_MEMSTORE_GIB   memstore size in GiB (default 4)
#   S3_START_TIMEOUT  seconds to wait for the gateway (default 60)
#   S3_PORT           gateway port (default: a free port)
#   S3_BUCKET         bucket to create (default kickstart-test)
#   S3_ACCESS_KEY / S3_SECRET_KEY   fixed credentials (defaults below)
set -euo pipefail

PROG=$(basename "$0")
MEMSTORE_GIB=${S3_MEMSTORE_GIB:-4}
START_TIMEOUT=${S3_START_TIMEOUT:-60}
BUCKET=${S3_BUCKET:-kickstart-test}
ACCESS_KEY=${S3_ACCESS_KEY:-KICKSTARTTESTACCESS1}
SECRET_KEY=${S3_SECRET_KEY:-kickstart-test-secret-key-0123456789abcdef}
REGION=us-east-1
unset CEPH_ARGS CEPH_CONF

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

# The Debian python (ceph's own tools use it); any python3 does for our helpers.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 || true)

# ---------------------------------------------------------------- install
cmd_install() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null &&
     command -v ceph-osd >/dev/null && command -v ceph >/dev/null &&
     command -v radosgw-admin >/dev/null && command -v monmaptool >/dev/null; then
    log "ceph packages already installed ($(ceph --version 2>/dev/null | awk '{print $3}'))"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "install needs root (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -qq || die "apt-get update failed"
  apt-get "${lock[@]}" install -y --no-install-recommends \
    radosgw ceph-mon ceph-osd ceph-common ||
    die "apt-get install radosgw ceph-mon ceph-osd ceph-common failed"
  # Packages must not leave daemons of their own running (no systemd here anyway).
  log "installed $(ceph --version | awk '{print $3}')"
}

# ---------------------------------------------------------------- helpers
need_tools() {
  local t
  for t in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool ceph timeout; do
    command -v "$t" >/dev/null || die "'$t' not found: run '$PROG install' first"
  done
  [ -n "$PY" ] || die "python3 not found"
}

free_port() {
  "$PY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

new_uuid() { "$PY" -c 'import uuid; print(uuid.uuid4())'; }

# true when something answers HTTP on 127.0.0.1:PORT (any status)
http_up() {
  "$PY" - "$1" <<'EOF' >/dev/null 2>&1
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
c.request("GET", "/")
c.getresponse().read()
EOF
}

# tail of a log file, for error messages
log_tail() {
  local f=$1
  if [ -s "$f" ]; then
    echo "---- last lines of $f ----" >&2
    tail -n 25 "$f" >&2
    echo "----" >&2
  else
    echo "(no log at $f)" >&2
  fi
}

fail() { # fail MSG LOGFILE... : message, log tails, tear the cluster down, exit 1
  local msg=$1; shift
  echo "$PROG: error: $msg" >&2
  local f
  for f in "$@"; do log_tail "$f"; done
  cmd_stop "$DIR" >/dev/null 2>&1 || true
  exit 1
}

# pid of a daemon of this cluster, if alive; verifies it really belongs to DIR
daemon_pid() { # daemon_pid NAME (mon.a, osd.0, client.rgw.a)
  local pidfile="$DIR/run/$1.pid" pid
  [ -s "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  owned_pid "$pid" || return 1
  echo "$pid"
}

# true when PID is alive and its command line names DIR/ceph.conf
owned_pid() {
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$DIR/ceph.conf"
}

# all live processes started with -c DIR/ceph.conf (by exact pid, not by name)
owned_pids() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = "$$" ] && continue
    owned_pid "$p" && echo "$p"
  done
  return 0
}

# alive and not a zombie waiting to be reaped
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; st=${st%% *}
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

stop_pid() { # stop_pid PID LABEL: TERM, wait up to 10 s, then KILL
  local pid=$1 label=$2 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "$label (pid $pid) did not exit on TERM; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "warning: $label (pid $pid) still alive after KILL"
}

CEPH_TIMEOUT=30
ceph_cli() { timeout $((CEPH_TIMEOUT + 10)) ceph -c "$DIR/ceph.conf" --connect-timeout "$CEPH_TIMEOUT" "$@"; }

# ---------------------------------------------------------------- start
cmd_start() {
  need_tools
  [ "$(id -u)" = 0 ] || die "start must run as root"
  [ -n "$DIR" ] || die "usage: $PROG start DIR"
  mkdir -p "$DIR" || die "cannot create $DIR"
  DIR=$(cd "$DIR" && pwd -P)
  if [ -e "$DIR/ceph.conf" ]; then
    if [ -n "$(owned_pids)" ]; then
      die "a cluster is already running in $DIR (run '$PROG stop $DIR' first)"
    fi
    rm -rf "$DIR/ceph.conf" "$DIR/keyring" "$DIR/monmap" "$DIR/mon" "$DIR/osd" \
      "$DIR/run" "$DIR/log" "$DIR/rgw" "$DIR/s3.env"
  fi
  local t0; t0=$(date +%s.%N)
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/mon/mon.a" "$DIR/osd/0" "$DIR/rgw"

  local fsid osd_uuid mon_port rgw_port
  fsid=$(new_uuid); osd_uuid=$(new_uuid)
  mon_port=$(free_port); rgw_port=${S3_PORT:-$(free_port)}
  while [ "$rgw_port" = "$mon_port" ]; do mon_port=$(free_port); done
  if http_up "$rgw_port"; then die "port $rgw_port (S3_PORT) is already in use"; fi
  trap 'fail "interrupted"' INT TERM HUP

  # unix socket paths are limited to 107 bytes: drop admin sockets if DIR is long
  local asok="$DIR/run/\$cluster-\$name.asok"
  [ ${#DIR} -gt 70 ] && asok=""

  cat >"$DIR/ceph.conf" <<EOF
# generated by $PROG for a throw-away test cluster; do not reuse
[global]
fsid = $fsid
mon initial members = a
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv4 = true
ms bind ipv6 = false
ms bind msgr1 = false
ms bind msgr2 = true
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
keyring = $DIR/keyring
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $asok
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = true
log to syslog = false
mon cluster log file = $DIR/log/cluster.log
mon cluster log to syslog = false
crash dir = $DIR/crash
# fail fast instead of hunting for a mon for 5 minutes
client mount timeout = 30
# small, single-copy pools; no redundancy warnings
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
mon max pg per osd = 1000
mon data avail warn = 1
mon data avail crit = 0
# no mgr in this cluster
mon warn on missing mgr = false
mgr initial modules =
# commit map changes quickly: rgw creates ~8 pools one after another at startup
paxos propose interval = 0.1
paxos min wait = 0.01

[mon]
mon data = $DIR/mon/\$name

[osd]
osd data = $DIR/osd/\$id
osd objectstore = memstore
memstore page set = false
memstore device bytes = $((MEMSTORE_GIB * 1024 * 1024 * 1024))
osd crush update on start = true
osd crush chooseleaf type = 0
osd op num shards = 2
osd op num threads per shard = 2
osd heartbeat grace = 60
osd full ratio = 0.97
osd nearfull ratio = 0.9
mon osd full ratio = 0.97
mon osd nearfull ratio = 0.9

[client.rgw.a]
rgw data = $DIR/rgw
# radosgw defaults to cephx + a secure-only mon connection; neither exists here
auth client required = none
ms mon client mode = crc secure
keyring = $DIR/keyring
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw enable apis = s3, admin
rgw dns name = 127.0.0.1
rgw enable usage log = false
rgw enable ops log = false
rgw dynamic resharding = false
rgw crypt require ssl = false
rgw thread pool size = 128
rgw init timeout = 120
# reclaim deleted/overwritten object space quickly (memstore is small)
rgw gc obj min wait = 5
rgw gc processor period = 5
rgw gc processor max time = 10
# the per-bucket quota set at start is checked against live stats
rgw bucket quota ttl = 0
EOF

  # A keyring is never checked (auth none) but some tools want one to exist.
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null 2>&1 &&
    ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
      --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null 2>&1 ||
    fail "ceph-authtool could not create $DIR/keyring"

  # ---- mon
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" \
    "$DIR/monmap" >"$DIR/log/monmaptool.log" 2>&1 ||
    fail "monmaptool failed" "$DIR/log/monmaptool.log"
  ceph-mon -c "$DIR/ceph.conf" --mkfs -i a --monmap "$DIR/monmap" \
    --keyring "$DIR/keyring" >"$DIR/log/mon-mkfs.log" 2>&1 ||
    fail "ceph-mon --mkfs failed" "$DIR/log/mon-mkfs.log" "$DIR/log/mon.a.log"
  ceph-mon -c "$DIR/ceph.conf" -i a >"$DIR/log/mon.a.out" 2>&1 ||
    fail "ceph-mon did not start" "$DIR/log/mon.a.out" "$DIR/log/mon.a.log"

  # ---- osd (registering it also waits for the mon to answer)
  local osd_id
  osd_id=$(ceph_cli osd new "$osd_uuid" 2>"$DIR/log/osd-new.log") ||
    fail "the mon did not answer 'ceph osd new' on 127.0.0.1:$mon_port" \
      "$DIR/log/osd-new.log" "$DIR/log/mon.a.log"
  [ "$osd_id" = 0 ] || fail "unexpected osd id '$osd_id'" "$DIR/log/osd-new.log"
  ceph-osd -c "$DIR/ceph.conf" -i 0 --mkfs --osd-uuid "$osd_uuid" \
    >"$DIR/log/osd-mkfs.log" 2>&1 ||
    fail "ceph-osd --mkfs failed" "$DIR/log/osd-mkfs.log" "$DIR/log/osd.0.log"
  ceph-osd -c "$DIR/ceph.conf" -i 0 >"$DIR/log/osd.0.out" 2>&1 ||
    fail "ceph-osd did not start" "$DIR/log/osd.0.out" "$DIR/log/osd.0.log"

  # ---- radosgw (it creates its pools itself; they need the OSD up)
  local rgw_t0; rgw_t0=$(date +%s)
  radosgw -c "$DIR/ceph.conf" -n client.rgw.a >"$DIR/log/rgw.out" 2>&1 ||
    fail "radosgw did not start" "$DIR/log/rgw.out" "$DIR/log/client.rgw.a.log"

  local deadline=$(( rgw_t0 + START_TIMEOUT )) ok=0 n
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if http_up "$rgw_port"; then ok=1; break; fi
    # a daemon that died will not come back: fail fast
    for n in mon.a osd.0 client.rgw.a; do
      daemon_pid "$n" >/dev/null && continue
      # radosgw writes its pid file once forked; give it a moment
      [ "$n" = client.rgw.a ] && [ $(( $(date +%s) - rgw_t0 )) -lt 5 ] && continue
      fail "$n exited while waiting for the gateway" "$DIR/log/$n.log" "$DIR/log/rgw.out"
    done
    sleep 0.25
  done
  [ "$ok" = 1 ] || fail "radosgw did not answer on 127.0.0.1:$rgw_port within ${START_TIMEOUT}s" \
    "$DIR/log/client.rgw.a.log" "$DIR/log/osd.0.log"

  # ---- user + bucket
  timeout 60 radosgw-admin -c "$DIR/ceph.conf" -n client.admin user create \
    --uid=kickstart --display-name="kickstart tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
    >"$DIR/log/user-create.log" 2>&1 ||
    fail "radosgw-admin user create failed" "$DIR/log/user-create.log"
  # A full OSD makes writes hang instead of failing: cap each bucket at 3/4 of
  # the memstore so a test that stores too much gets 403 QuotaExceeded instead.
  { timeout 60 radosgw-admin -c "$DIR/ceph.conf" -n client.admin quota set \
      --quota-scope=bucket --uid=kickstart --max-size=$((MEMSTORE_GIB * 768 * 1024 * 1024)) &&
    timeout 60 radosgw-admin -c "$DIR/ceph.conf" -n client.admin quota enable \
      --quota-scope=bucket --uid=kickstart; } >"$DIR/log/quota.log" 2>&1 ||
    fail "radosgw-admin quota set failed" "$DIR/log/quota.log"

  S3_ENDPOINT="http://127.0.0.1:$rgw_port" AWS_ACCESS_KEY_ID="$ACCESS_KEY" \
  AWS_SECRET_ACCESS_KEY="$SECRET_KEY" AWS_REGION="$REGION" BUCKET="$BUCKET" \
    "$PY" - >"$DIR/log/bucket-create.log" 2>&1 <<'EOF' ||
import datetime, hashlib, hmac, os, sys, time, urllib.request, urllib.error
ep, ak, sk = os.environ["S3_ENDPOINT"], os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
region, bucket = os.environ["AWS_REGION"], os.environ["BUCKET"]
host = ep.split("://", 1)[1]
def put_bucket():
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    phash = hashlib.sha256(b"").hexdigest()
    hdrs = {"host": host, "x-amz-content-sha256": phash, "x-amz-date": amz}
    signed = ";".join(sorted(hdrs))
    creq = "\n".join(["PUT", "/" + bucket, "",
                      "".join(f"{k}:{hdrs[k]}\n" for k in sorted(hdrs)), signed, phash])
    scope = f"{day}/{region}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + sk).encode()
    for part in (day, region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    req = urllib.request.Request(ep + "/" + bucket, method="PUT", data=b"", headers={
        "x-amz-content-sha256": phash, "x-amz-date": amz,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={ak}/{scope}, SignedHeaders={signed}, Signature={sig}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status
last = None
for attempt in range(20):
    try:
        print("PUT bucket:", put_bucket()); sys.exit(0)
    except urllib.error.HTTPError as e:
        body = e.read().decode(errors="replace")
        if e.code == 409 and "BucketAlreadyOwnedByYou" in body:
            print("bucket exists"); sys.exit(0)
        last = f"HTTP {e.code}: {body}"
    except Exception as e:
        last = repr(e)
    time.sleep(0.5)
print("create bucket failed:", last); sys.exit(1)
EOF
    fail "could not create bucket $BUCKET" "$DIR/log/bucket-create.log" "$DIR/log/client.rgw.a.log"

  cat >"$DIR/s3.env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$rgw_port
AWS_ACCESS_KEY_ID=$ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$SECRET_KEY
AWS_REGION=$REGION
S3_BUCKET=$BUCKET
EOF
  trap - INT TERM HUP
  local t1; t1=$(date +%s.%N)
  log "ready in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')s (mon 127.0.0.1:$mon_port, S3 127.0.0.1:$rgw_port, logs in $DIR/log)"
  cat "$DIR/s3.env"
}

# ---------------------------------------------------------------- stop
cmd_stop() {
  [ -n "$DIR" ] || die "usage: $PROG stop DIR"
  [ -d "$DIR" ] || return 0
  DIR=$(cd "$DIR" && pwd -P)
  local n pid
  for n in client.rgw.a osd.0 mon.a; do
    if pid=$(daemon_pid "$n"); then
      stop_pid "$pid" "$n"
    fi
  done
  # anything else still started against this cluster's conf (e.g. a daemon
  # whose pid file went missing, or a stuck ceph/radosgw-admin call)
  local left; left=$(owned_pids)
  for pid in $left; do stop_pid "$pid" "pid $pid"; done
  left=$(owned_pids)
  [ -z "$left" ] || die "processes still running for $DIR: $left"
  # drop the OSD's store and the sockets; keep ceph.conf and log/ for post-mortems
  rm -rf "$DIR/osd" "$DIR/run"
  return 0
}

cmd_status() {
  [ -n "$DIR" ] || die "usage: $PROG status DIR"
  [ -s "$DIR/s3.env" ] || die "no $DIR/s3.env"
  local ep; ep=$(sed -n 's/^S3_ENDPOINT=//p' "$DIR/s3.env")
  http_up "${ep##*:}" || die "gateway at $ep does not answer"
  echo "up: $ep"
}

usage() {
  cat >&2 <<EOF
usage: $PROG install | start DIR | stop DIR | status DIR
EOF
  exit 2
}

sub=${1:-}; DIR=${2:-}
case "$sub" in
  install) cmd_install ;;
  start)   [ -n "$DIR" ] || usage; cmd_start ;;
  stop)    [ -n "$DIR" ] || usage; cmd_stop ;;
  status)  [ -n "$DIR" ] || usage; cmd_status ;;
  *) usage ;;
esac
