#!/usr/bin/env bash
# Entrypoint of the postgres:16.4 stand-in, after the official image's docker-entrypoint.sh:
#   postgres [ARGS]   initialise $PGDATA when it holds no cluster (POSTGRES_USER, POSTGRES_PASSWORD,
#                     POSTGRES_DB, POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, and the files in
#                     /docker-entrypoint-initdb.d), then run the server as the postgres user;
#   -x ...            same as `postgres -x ...`;
#   anything else     run as given (psql, pg_isready, sh ... as a Job's command).
# Unlike the official image, SIGTERM makes a fast shutdown (as SIGINT does), so `docker stop` and
# Compose finish at once even while clients stay connected.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR from $VAR or from the file named by $VAR_FILE (Docker secrets).
file_env() {
	local var="$1" file_var="${1}_FILE" default="${2:-}"
	if [ "${!var:-}" ] && [ "${!file_var:-}" ]; then
		printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$var" "$file_var"
		exit 1
	fi
	local value="$default"
	if [ "${!var:-}" ]; then
		value="${!var}"
	elif [ "${!file_var:-}" ]; then
		value="$(<"${!file_var}")"
	fi
	export "$var"="$value"
	unset "$file_var"
}

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }

setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=}"
	export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
	DATABASE_ALREADY_EXISTS=
	if [ -s "$PGDATA/PG_VERSION" ]; then
		DATABASE_ALREADY_EXISTS=true
	fi
}

create_db_directories() {
	local user
	user="$(id -u)"
	mkdir -p "$PGDATA"
	chmod 00700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 03775 /var/run/postgresql || :
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		mkdir -p "$POSTGRES_INITDB_WALDIR"
		[ "$user" != 0 ] || find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
		chmod 700 "$POSTGRES_INITDB_WALDIR"
	fi
	if [ "$user" = 0 ]; then
		find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
	fi
}

verify_minimum_env() {
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		cat >&2 <<-'EOE'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

			       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
			       connections without a password. This is *not* recommended.
		EOE
		exit 1
	fi
	if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
		log "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every connection is allowed without a password"
	fi
}

init_database_dir() {
	local args=()
	if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
		args+=(--waldir "$POSTGRES_INITDB_WALDIR")
	fi
	# The password goes through a pipe, never the command line. POSTGRES_INITDB_ARGS is split on
	# purpose, as upstream does.
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") "${args[@]}" $POSTGRES_INITDB_ARGS
}

setup_hba_conf() {
	if [ "$1" = postgres ]; then
		shift
	fi
	local auth="$POSTGRES_HOST_AUTH_METHOD"
	if [ -z "$auth" ]; then
		auth="$(postgres -C password_encryption "$@")"
	fi
	{
		printf '\n'
		if [ "$auth" = trust ]; then
			printf '# warning trust is enabled for all connections\n'
		fi
		printf 'host all all all %s\n' "$auth"
	} >>"$PGDATA/pg_hba.conf"
}

temp_server_start() {
	if [ "$1" = postgres ]; then
		shift
	fi
	# Unix socket only while initialising: nobody can connect before the setup finished.
	set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
	PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

temp_server_stop() {
	PGUSER="$POSTGRES_USER" pg_ctl -D "$PGDATA" -m fast -w stop
}

psql_setup() {
	PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

setup_db() {
	local exists
	exists="$(psql_setup --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
		SELECT 1 FROM pg_database WHERE datname = :'db';
	EOSQL
	)"
	if [ -z "$exists" ]; then
		psql_setup --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db";
		EOSQL
		log "database $POSTGRES_DB created"
	fi
}

process_init_files() {
	local f
	for f in "$@"; do
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					log "running $f"
					"$f"
				else
					log "sourcing $f"
					# shellcheck disable=SC1090
					. "$f"
				fi
				;;
			*.sql) log "running $f"; psql_setup --dbname "$POSTGRES_DB" -f "$f" ;;
			*.sql.gz) log "running $f"; gunzip -c "$f" | psql_setup --dbname "$POSTGRES_DB" ;;
			*) log "ignoring $f" ;;
		esac
	done
}

# Runs the server as a child and turns SIGTERM into SIGINT (fast shutdown); SIGQUIT stays immediate.
run_server() {
	local pid status
	"$@" &
	pid=$!
	trap 'kill -INT "$pid" 2>/dev/null || :' TERM INT
	trap 'kill -QUIT "$pid" 2>/dev/null || :' QUIT
	trap 'kill -HUP "$pid" 2>/dev/null || :' HUP
	while :; do
		status=0
		wait "$pid" || status=$?
		kill -0 "$pid" 2>/dev/null || break
	done
	exit "$status"
}

main() {
	# "-c foo=bar" and friends: options for the server.
	if [ "${1:0:1}" = - ]; then
		set -- postgres "$@"
	fi

	if [ "$1" != postgres ]; then
		exec "$@"
	fi

	setup_env
	create_db_directories
	if [ "$(id -u)" = 0 ]; then
		# Everything else, the server included, as the postgres user.
		exec gosu postgres "${BASH_SOURCE[0]}" "$@"
	fi

	if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
		verify_minimum_env
		init_database_dir
		setup_hba_conf "$@"
		export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
		temp_server_start "$@"
		setup_db
		shopt -s nullglob
		process_init_files /docker-entrypoint-initdb.d/*
		shopt -u nullglob
		temp_server_stop
		unset PGPASSWORD
		log "PostgreSQL init process complete; ready for start up."
	else
		log "PostgreSQL database directory appears to contain a database; skipping initialization"
	fi

	run_server "$@"
}

main "$@"
