#!/bin/sh
# Entrypoint of the redis:7.4.1 stand-in, after the official image's:
#   no argument, or a first argument starting with '-' or ending in '.conf': run redis-server
#   with those arguments; redis-server runs as the redis user, owning its working directory /data;
#   anything else (redis-cli ...) runs as given.
# The official image's redis-server is built with protected mode off; Debian's is not, so unless
# the arguments set it, --protected-mode no is added: clients on other containers may connect.
set -e

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
	case " $* " in
		*" --protected-mode "*) ;;
		*) set -- "$@" --protected-mode no ;;
	esac
	if [ "$(id -u)" = 0 ]; then
		find . \! -user redis -exec chown redis '{}' +
		exec gosu redis "$0" "$@"
	fi
	# Files created by the server are not world-writable (as upstream).
	umask 0077
fi

exec "$@"
