#!/usr/bin/env bash
# A second Docker engine on this machine that behaves like a remote one, for the remote-engine tests:
#   - its own dockerd (socket, data root, exec root, pid file; its own containerd under the exec root);
#   - its own network namespace (only `lo`, up; its own docker0): ports it publishes on its loopback
#     are NOT reachable from this machine's loopback, as on a build box;
#   - its own mount namespace with empty tmpfs over the repository's parent directory, /tmp and $HOME:
#     a bind mount of a project file (an accidental host path) finds nothing there, as on a build box.
# The client reaches it only through its unix socket: DOCKER_HOST=unix://$SOCKET, or over SSH: an sshd
# started per connection inside its namespaces (`nsenter ... sshd -i`, the ProxyCommand of the host
# `devenv-remote` in $RUN_DIR/ssh/ssh_config) for `ssh://root@devenv-remote` Docker contexts.
#
#   .ci/remote-engine.sh start [IMAGE...]   start it when it does not answer (idempotent), then copy the
#                                           IMAGEs it lacks from the first engine (docker save | load)
#   .ci/remote-engine.sh stop               stop it (its data root, images included, stays for next time)
#   .ci/remote-engine.sh host               print its DOCKER_HOST value
#   .ci/remote-engine.sh ssh-bin            print a directory holding an `ssh` that knows host devenv-remote
#
# Runs as root (namespaces, dockerd). Never `--bridge none` here: it would delete a docker0 (in its
# own network namespace it would only be its own, but it needs one for its containers anyway).
set -euo pipefail

RUN_DIR="${DEVENV_REMOTE_RUN:-/run/devenv-remote}"
DATA_ROOT="${DEVENV_REMOTE_DATA:-/var/lib/devenv-remote}"
SOCKET="$RUN_DIR/docker.sock"
PIDFILE="$RUN_DIR/docker.pid"
LOG="${DEVENV_REMOTE_LOG:-/tmp/devenv-remote-dockerd.log}"
REPO_PARENT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HIDDEN=("$REPO_PARENT" /tmp "${HOME:-/root}")
HOST="unix://$SOCKET"

say() { printf 'remote-engine: %s\n' "$*" >&2; }
die() { printf 'remote-engine: error: %s\n' "$*" >&2; exit 1; }
remote() { DOCKER_HOST="$HOST" DOCKER_CONTEXT= docker "$@"; }
answers() { remote version >/dev/null 2>&1; }

start() {
  [ "$(id -u)" -eq 0 ] || die "run as root (it starts dockerd in its own namespaces)"
  command -v unshare >/dev/null || die "unshare (util-linux) is missing"
  command -v dockerd >/dev/null || die "dockerd is missing (run .ci/setup-engine.sh)"
  if answers; then
    return 0
  fi
  mkdir -p "$RUN_DIR" "$DATA_ROOT"
  rm -f "$SOCKET" "$PIDFILE"
  local inner extra="${1:-}"
  # shellcheck disable=SC2016 # expanded by the inner shell
  inner='set -e
for folder in "$@"; do
  [ -d "$folder" ] && mount -t tmpfs -o size=16m,mode=755 devenv-hidden "$folder"
done
ip link set lo up
exec dockerd --host "$DEVENV_SOCKET" --data-root "$DEVENV_DATA" --exec-root "$DEVENV_RUN/exec" \
  --pidfile "$DEVENV_PID" --bip 172.31.0.1/24 $DEVENV_EXTRA'
  say "starting dockerd on $HOST (log: $LOG)"
  # its own session: it outlives the test session that started it until `stop`
  DEVENV_SOCKET="$HOST" DEVENV_DATA="$DATA_ROOT" DEVENV_RUN="$RUN_DIR" DEVENV_PID="$PIDFILE" DEVENV_EXTRA="$extra" \
    setsid unshare --mount --net --propagation private bash -c "$inner" devenv-remote "${HIDDEN[@]}" \
    >>"$LOG" 2>&1 </dev/null &
  local pid=$! deadline=$((SECONDS + 60))
  until answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      if [ -z "$extra" ] && grep -qi iptables "$LOG"; then
        say "dockerd failed on iptables; retrying with --iptables=false"
        start "--iptables=false"
        return
      fi
      tail -n 30 "$LOG" >&2
      die "dockerd exited"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { tail -n 30 "$LOG" >&2; die "dockerd did not answer within 60 s"; }
    sleep 0.5
  done
}

ssh_setup() {
  # openssh-server from Debian's packages when missing (CI machines are throw-away Debian 12)
  if [ ! -x /usr/sbin/sshd ]; then
    say "installing openssh-server"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server \
      >/tmp/devenv-remote-apt.log 2>&1 || { tail -n 20 /tmp/devenv-remote-apt.log >&2; die "apt-get failed"; }
  fi
  local dir="$RUN_DIR/ssh" pid
  pid="$(cat "$PIDFILE")"
  mkdir -p "$dir/bin" /run/sshd
  chmod 700 "$dir"
  [ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -f "$dir/host_ed25519"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  cat >"$dir/sshd_config" <<EOF
HostKey $dir/host_ed25519
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
PidFile none
SetEnv DOCKER_HOST=$HOST
LogLevel ERROR
EOF
  cat >"$dir/ssh_config" <<EOF
Host devenv-remote
  User root
  IdentityFile $dir/client_ed25519
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  ProxyCommand nsenter --target $pid --mount --net /usr/sbin/sshd -i -f $dir/sshd_config
EOF
  printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$dir/ssh_config" >"$dir/bin/ssh"
  chmod 755 "$dir/bin/ssh"
}

load() {
  local missing=() image
  for image in "$@"; do
    remote image inspect "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "copying ${missing[*]}"
  docker save "${missing[@]}" | remote load >/dev/null
}

stop() {
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  die "dockerd (pid $pid) did not stop within 30 s"
}

case "${1:-}" in
  start) shift; start; ssh_setup; load "$@" ;;
  stop) stop ;;
  host) echo "$HOST" ;;
  ssh-bin) echo "$RUN_DIR/ssh/bin" ;;
  *) die "usage: $0 start [IMAGE...] | stop | host | ssh-bin" ;;
esac
