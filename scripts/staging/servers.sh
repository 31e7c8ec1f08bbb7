#!/usr/bin/env bash
# servers.sh — throw-away staging servers on 127.0.0.1 for the test suites and
# the bench: OpenSSH's sshd (SFTP) and nginx with the DAV modules (WebDAV over
# TLS), each with its own config, keys and certificate under DIR.
#
#   servers.sh install      install the Debian packages (root; skipped if present)
#   servers.sh start DIR    start both (each only if not up yet), write DIR/staging.env
#   servers.sh stop DIR     stop both and remove the sftp chroot (idempotent)
#   servers.sh pause DIR    stop both, keeping data, keys and ports (start resumes)
#   servers.sh status DIR   exit 0 when both answer
#
# sshd: key auth only (no passwords, no keyboard-interactive), the sftp
# subsystem only (internal-sftp, so scp works too), chrooted into
# /run/kickstart-sftp.XXXXXX when run as root (a chroot cannot be below /tmp). nginx: PUT/DELETE/MKCOL/COPY/MOVE plus
# PROPFIND/OPTIONS (dav-ext), basic auth, a self-signed certificate for
# 127.0.0.1 made here (DIR/tls/ca.pem is what clients trust).
set -euo pipefail

PROG=$(basename "$0")
DAV_USER=${DAV_USER:-kickstart}
DAV_PASSWORD=${DAV_PASSWORD:-kickstart-dav-secret-0123456789}
START_TIMEOUT=${STAGING_START_TIMEOUT:-20}

die() { echo "$PROG: error: $*" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

cmd_install() {
  if command -v /usr/sbin/sshd >/dev/null && command -v ssh-keygen >/dev/null && command -v sftp >/dev/null &&
     command -v /usr/sbin/nginx >/dev/null && [ -e /usr/lib/nginx/modules/ngx_http_dav_ext_module.so ] &&
     command -v openssl >/dev/null && command -v python3 >/dev/null; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "install needs root (apt-get install openssh-server openssh-client nginx libnginx-mod-http-dav-ext openssl python3)"
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -qq || die "apt-get update failed"
  apt-get "${lock[@]}" install -y -qq --no-install-recommends \
    openssh-server openssh-client nginx libnginx-mod-http-dav-ext openssl python3 >/dev/null ||
    die "apt-get install openssh-server openssh-client nginx libnginx-mod-http-dav-ext failed"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# alive and not a zombie
alive() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }; st=${st%% *}
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# pid from PIDFILE if alive and its command line names CONF (so a reused pid is never ours)
owned() { # owned PIDFILE CONF
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

stop_pid() { # TERM, up to 5 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

# every process below PID, children before their own children
descendants() {
  local kid
  for kid in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$kid"
    descendants "$kid"
  done
}

port_open() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),1).close()' "$1" 2>/dev/null; }

wait_port() { # wait_port PORT LABEL LOG
  local i
  for i in $(seq 1 $((START_TIMEOUT * 10))); do
    port_open "$1" && return 0
    sleep 0.1
  done
  [ -s "$3" ] && tail -n 20 "$3" >&2
  die "$2 did not listen on 127.0.0.1:$1 within ${START_TIMEOUT}s"
}

# ---------------------------------------------------------------- sshd
start_sshd() {
  local d=$DIR/ssh port
  if owned "$d/sshd.pid" "$d/sshd_config" >/dev/null; then return 0; fi
  mkdir -p "$d"
  chmod 700 "$d"
  [ -s "$d/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C kickstart-test-host -f "$d/host_ed25519"
  [ -s "$d/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C kickstart-test-client -f "$d/id_ed25519"
  cp "$d/id_ed25519.pub" "$d/authorized_keys"
  chmod 600 "$d/authorized_keys"
  port=$(cat "$d/port" 2>/dev/null || free_port)
  echo "$port" >"$d/port"
  local chroot_line='' root_path
  local data
  if [ "$(id -u)" = 0 ]; then
    # Every component of a chroot must be root-owned and writable by root
    # only, which rules out anything below /tmp: it lives below /run, and
    # DIR/ssh/chroot says where so that stop removes it.
    local jail
    jail=$(cat "$d/chroot" 2>/dev/null || mktemp -d /run/kickstart-sftp.XXXXXX)
    echo "$jail" >"$d/chroot"
    mkdir -p "$jail/data"
    chmod 755 "$jail"
    chroot_line="ChrootDirectory $jail"
    root_path=/data
    data=$jail/data
    mkdir -p /run/sshd
  else
    data=$DIR/sftp-data
    mkdir -p "$data"
    root_path=$data
  fi
  cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $d/host_ed25519
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys
AllowUsers $(id -un)
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PermitTTY no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
$chroot_line
LogLevel ERROR
MaxStartups 100:30:200
EOF
  /usr/sbin/sshd -t -f "$d/sshd_config" || die "sshd rejected $d/sshd_config"
  /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
  wait_port "$port" sshd "$d/sshd.log"
  # known_hosts as ssh writes it for a non-default port.
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_ed25519.pub")" >"$d/known_hosts"
  {
    echo "SFTP_HOST=127.0.0.1"
    echo "SFTP_PORT=$port"
    echo "SFTP_USER=$(id -un)"
    echo "SFTP_KEY=$d/id_ed25519"
    echo "SFTP_KNOWN_HOSTS=$d/known_hosts"
    echo "SFTP_ROOT_PATH=$root_path"
    echo "SFTP_ROOT_DIR=$data"
    echo "SFTP_PID=$(cat "$d/sshd.pid")"
  } >"$DIR/sftp.env"
}

# ---------------------------------------------------------------- nginx
start_nginx() {
  local d=$DIR/dav port
  if owned "$d/nginx.pid" "$d/nginx.conf" >/dev/null; then return 0; fi
  mkdir -p "$d/tmp" "$d/root" "$DIR/tls"
  if [ ! -s "$DIR/tls/cert.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
      -subj '/CN=kickstart-test' -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
      -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" 2>/dev/null || die "openssl could not make a certificate"
    cp "$DIR/tls/cert.pem" "$DIR/tls/ca.pem"
  fi
  # apr1 (htpasswd -m) hashes are what nginx's auth_basic reads.
  printf '%s:%s\n' "$DAV_USER" "$(openssl passwd -apr1 "$DAV_PASSWORD")" >"$d/htpasswd"
  port=$(cat "$d/port" 2>/dev/null || free_port)
  echo "$port" >"$d/port"
  local user_line=''
  [ "$(id -u)" = 0 ] && user_line="user $(id -un);"
  cat >"$d/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
$user_line
daemon on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $d/tmp;
  proxy_temp_path $d/tmp;
  fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp;
  scgi_temp_path $d/tmp;
  sendfile on;
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $DIR/tls/cert.pem;
    ssl_certificate_key $DIR/tls/key.pem;
    root $d/root;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    location / {
      auth_basic "kickstart test";
      auth_basic_user_file $d/htpasswd;
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      dav_access user:rw group:r all:r;
      create_full_put_path on;
      autoindex off;
    }
  }
}
EOF
  /usr/sbin/nginx -t -q -c "$d/nginx.conf" -p "$d" -e "$d/error.log" || die "nginx rejected $d/nginx.conf"
  /usr/sbin/nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
  wait_port "$port" nginx "$d/error.log"
  {
    echo "DAV_URL=davs://127.0.0.1:$port"
    echo "DAV_PORT=$port"
    echo "DAV_ROOT_DIR=$d/root"
    echo "DAV_CA_FILE=$DIR/tls/ca.pem"
    echo "DAV_USER=$DAV_USER"
    echo "DAV_PASSWORD=$DAV_PASSWORD"
    echo "DAV_PID=$(cat "$d/nginx.pid")"
  } >"$DIR/dav.env"
}

cmd_start() {
  command -v /usr/sbin/sshd >/dev/null || die "sshd not found: run '$PROG install' first"
  [ -e /usr/lib/nginx/modules/ngx_http_dav_ext_module.so ] || die "nginx DAV module not found: run '$PROG install' first"
  mkdir -p "$DIR"
  start_sshd
  start_nginx
  cat "$DIR/sftp.env" "$DIR/dav.env" >"$DIR/staging.env"
  log "sftp on 127.0.0.1:$(cat "$DIR/ssh/port"), webdav on 127.0.0.1:$(cat "$DIR/dav/port") (env: $DIR/staging.env)"
}

cmd_stop() {
  local jail
  stop_servers
  jail=$(cat "$DIR/ssh/chroot" 2>/dev/null || true)
  if [[ "$jail" == /run/kickstart-sftp.* ]]; then rm -rf -- "$jail" "$DIR/ssh/chroot"; fi
}

# Stops both, keeping their data, keys and ports: `start` brings the same servers back.
stop_servers() {
  local pid
  if pid=$(owned "$DIR/ssh/sshd.pid" "$DIR/ssh/sshd_config"); then
    # Sessions are children of the listener and outlive it: a stopped server
    # drops them too, after the listener, so that no new session starts meanwhile.
    # (A session is a privileged monitor and its chrooted child: the whole tree goes.)
    local kid kids
    kill -STOP "$pid" 2>/dev/null || true
    kids=$(descendants "$pid")
    kill -KILL "$pid" 2>/dev/null || true
    for kid in $kids; do kill -KILL "$kid" 2>/dev/null || true; done
  fi
  if pid=$(owned "$DIR/dav/nginx.pid" "$DIR/dav/nginx.conf"); then stop_pid "$pid"; fi
  return 0
}

cmd_status() {
  owned "$DIR/ssh/sshd.pid" "$DIR/ssh/sshd_config" >/dev/null && port_open "$(cat "$DIR/ssh/port")" &&
    owned "$DIR/dav/nginx.pid" "$DIR/dav/nginx.conf" >/dev/null && port_open "$(cat "$DIR/dav/port")"
}

case "${1:-}" in
  install) cmd_install ;;
  pause) DIR=$(realpath -m "${2:?usage: $PROG pause DIR}"); stop_servers ;;
  start | stop | status)
    [ -n "${2:-}" ] || die "usage: $PROG $1 DIR"
    DIR=$(realpath -m "$2")
    "cmd_$1"
    ;;
  *) echo "usage: $PROG install | start DIR | stop DIR | pause DIR | status DIR" >&2; exit 2 ;;
esac
