#!/usr/bin/env bash
# Install the database servers the seed tests start for themselves (PostgreSQL 15, MariaDB) and the
# unprivileged account they run as. Idempotent: installs only what is absent, starts no server, and
# stops any cluster a package's post-install script may have started (the fixtures use their own).
set -euo pipefail

DB_USER="${DEVENV_DB_USER:-devenvdb}"
PG_BIN=/usr/lib/postgresql/15/bin

need=()
[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || need+=(postgresql-15)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)

if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-databases: need root to install: ${need[*]}" >&2
    exit 1
  fi
  # No default cluster, and no service started by post-install scripts.
  mkdir -p /etc/postgresql-common
  if ! grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  fi
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Stop whatever a package may have started: the fixtures start throw-away servers on free ports.
if command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters -h 2>/dev/null | while read -r ver name port status _; do
    if [ "$status" = online ]; then pg_ctlcluster "$ver" "$name" stop || true; fi
  done
fi
if command -v service >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  service mariadb stop >/dev/null 2>&1 || true
fi

# The unprivileged account that initdb/postgres and mariadbd run as when the tests run as root.
if [ "$(id -u)" -eq 0 ] && ! id "$DB_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$DB_USER"
fi

echo "setup-databases: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $(mariadbd --version 2>/dev/null | awk '{print $3}' || /usr/sbin/mariadbd --version | awk '{print $3}'), user $DB_USER"
