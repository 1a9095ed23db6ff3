"""The write guard: the seeder and the masker write only to a database on this machine.

It judges the connection the driver will really make, not the URL as written: libpq fills what a
URL leaves out from PGHOST, PGHOSTADDR, PGSERVICE (a service file) and the like, and PyMySQL reads
the host from an option file. So `judge` resolves the URL the way the driver would, refuses what
it cannot vouch for (a service, an option file, any parameter it does not know), checks every host
and address, and returns a URL with everything spelt out; `check_driver_params` checks the
driver's final arguments again at connect time, and `cleared_driver_environment` hides the
driver's environment variables while it connects, so nothing but those arguments decides.

A host passes when it is on loopback (127.0.0.0/8, ::1, `localhost`), is a unix socket (a path, or
no host at all), or is one of `allow_hosts` (the local stack's service names, passed by the
caller). Names are never resolved: a name is local only because it is `localhost` or because the
caller vouches for it. SQLite files are local by nature.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from devenv.errors import InputError

_HINT = (
    "devenv seeds only the databases of the local stack: use a URL on 127.0.0.1, ::1, localhost or a "
    "unix socket, or one of the local stack's own database hosts"
)
ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "mariadb": "mysql"}
#: URL query parameters that cannot take a connection elsewhere (hosts are judged separately).
PG_PARAMS = frozenset({
    "host", "hostaddr", "port", "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslcompression",
    "connect_timeout", "application_name", "fallback_application_name", "client_encoding", "options",
    "target_session_attrs", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "tcp_user_timeout", "gssencmode", "channel_binding", "require_auth", "load_balance_hosts",
})
MYSQL_PARAMS = frozenset({
    "charset", "collation", "unix_socket", "connect_timeout", "read_timeout", "write_timeout", "ssl_ca",
    "ssl_cert", "ssl_key", "ssl_disabled", "ssl_verify_cert", "ssl_verify_identity", "sql_mode",
    "binary_prefix", "client_flag",
})
_WHY = {
    "service": "libpq would read the host from a service file",
    "servicefile": "libpq would read the host from a service file",
    "read_default_file": "PyMySQL would read the host from an option file",
    "read_default_group": "PyMySQL would read the host from an option file",
}
#: Environment variables drivers read while connecting, hidden while devenv connects.
DRIVER_ENV_PREFIXES = ("PG", "MYSQL", "LIBMYSQL", "MARIADB")
_PG_CARRIED = (("PGHOST", "host"), ("PGHOSTADDR", "hostaddr"), ("PGPORT", "port"))
_ENV_LOCK = threading.Lock()


def parse_url(url: str | URL) -> URL:
    """`url` as a SQLAlchemy URL, or an InputError that does not echo a password."""
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise InputError(
            "not a database URL", "database URL", "write it as dialect://user:password@host:port/name"
        ) from exc


def backend_of(url: URL) -> str:
    """The database family a URL names, aliases folded: postgresql, mysql, sqlite..."""
    name = url.get_backend_name()
    return ALIASES.get(name, name)


def is_local_host(host: str, allow_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether `host` is a unix socket, on loopback, `localhost` or explicitly allowed."""
    name = host.strip()
    if not name or name.startswith(("/", "@")):
        return True  # a unix-socket directory, or an abstract socket
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    lowered = bare.lower().rstrip(".")
    if lowered == "localhost" or lowered in {h.lower().rstrip(".") for h in allow_hosts}:
        return True
    try:
        address = ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _values(value: Any) -> list[str]:
    """A query value (a string, or a tuple when repeated) as a flat list of comma-separated items."""
    items = value if isinstance(value, (tuple, list)) else (value,)
    return [part.strip() for item in items if item is not None for part in str(item).split(",")]


def _refuse(url: URL, what: str, hint: str = _HINT) -> InputError:
    return InputError(what, f"database URL {url.render_as_string(hide_password=True)}", hint)


def judge(url: str | URL, allow_hosts: frozenset[str] = frozenset(),
          environ: Mapping[str, str] | None = None) -> URL:
    """The URL devenv connects with, every host spelt out; InputError unless the connection the
    driver would make from `url` and `environ` (default: this process's) stays on this machine."""
    parsed = parse_url(url)
    backend = backend_of(parsed)
    if backend == "sqlite":
        return parsed
    env = os.environ if environ is None else environ
    if backend == "postgresql":
        explicit = _judge_postgres(parsed, env, allow_hosts)
    elif backend == "mysql":
        explicit = _judge_mysql(parsed)
    else:
        return parsed  # not a database devenv writes to: the engine factory refuses it
    check_driver_params(backend, _params_of(explicit), allow_hosts, explicit.render_as_string(hide_password=True))
    return explicit


def ensure_local(url: str | URL, allow_hosts: frozenset[str] = frozenset(),
                 environ: Mapping[str, str] | None = None) -> None:
    """Raise InputError unless `url` leads to a database on this machine (see `judge`)."""
    judge(url, allow_hosts, environ)


def _unknown(url: URL, allowed: frozenset[str]) -> None:
    for key in sorted(url.query):
        if key in _WHY:
            raise _refuse(url, f"refusing the URL parameter '{key}': {_WHY[key]}, which devenv cannot vouch for",
                          "give the host and port in the URL itself")
        if key not in allowed:
            raise _refuse(url, f"refusing the URL parameter '{key}': devenv does not know where it could lead",
                          "parameters allowed: " + ", ".join(sorted(allowed)))


def _judge_postgres(url: URL, env: Mapping[str, str], allow_hosts: frozenset[str]) -> URL:
    _unknown(url, PG_PARAMS)
    for name in ("PGSERVICE", "PGSERVICEFILE"):
        if env.get(name):
            raise _refuse(url, f"refusing to connect with {name} set: libpq would read the host from a service file",
                          f"unset {name} for devenv, and give the host and port in the URL")
    query: dict[str, str] = {}
    for key, value in url.query.items():
        if isinstance(value, tuple) and len(value) > 1 and key not in ("host", "hostaddr", "port"):
            raise _refuse(url, f"the URL parameter '{key}' is given more than once")
        query[key] = ",".join(_values(value))
    has_host = bool(url.host) or bool(query.get("host"))
    for variable, key in _PG_CARRIED:  # what libpq would take from the environment, made explicit
        missing = not has_host if key == "host" else not query.get(key) and not (key == "port" and url.port)
        if missing and env.get(variable):
            query[key] = env[variable]
            refused = [h for h in _values(env[variable]) if key != "port" and not is_local_host(h, allow_hosts)]
            if refused:
                raise _refuse(url, f"refusing to write to {', '.join(refused)} (from {variable}): not a database "
                              "of the local stack", f"unset {variable} for devenv, or give a local host in the URL")
    return url.set(query=query, username=url.username or env.get("PGUSER"),
                   password=url.password or env.get("PGPASSWORD"), database=url.database or env.get("PGDATABASE"))


def _judge_mysql(url: URL) -> URL:
    _unknown(url, MYSQL_PARAMS)
    for key, value in url.query.items():
        if isinstance(value, tuple) and len(value) > 1:
            raise _refuse(url, f"the URL parameter '{key}' is given more than once")
    return url


def _params_of(url: URL) -> dict[str, Any]:
    """The connection parameters a driver gets from `url` (host, port, database, query)."""
    params: dict[str, Any] = {key: ",".join(_values(value)) for key, value in url.query.items()}
    if url.host:
        params["host"] = ",".join(filter(None, [url.host, params.get("host", "")]))
    if url.database:
        params["database"] = url.database
    return params


def check_driver_params(backend: str, params: Mapping[str, Any], allow_hosts: frozenset[str], shown: str) -> None:
    """Raise InputError unless the driver's own connection arguments `params` stay on this machine:
    every host and address local, no service or option file, no connection string hidden in the
    database name. Called on the judged URL and again on the driver's final arguments."""
    where = f"database URL {shown}"
    for key in ("service", "servicefile", "read_default_file", "read_default_group"):
        if params.get(key):
            raise InputError(f"refusing the URL parameter '{key}': {_WHY[key]}, which devenv cannot vouch for",
                             where, "give the host and port in the URL itself")
    database = str(params.get("dbname") or params.get("database") or params.get("db") or "")
    if backend == "postgresql" and ("=" in database or "://" in database):
        raise InputError("refusing a database name that is a connection string (libpq would read a host from it)",
                         where, "name the database only")
    options = str(params.get("options") or "").lower()
    if "host" in options or "addr" in options:
        raise InputError("refusing the URL parameter 'options': it names a host or an address", where, _HINT)
    socket = str(params.get("unix_socket") or "")
    if socket and not socket.startswith("/"):
        raise InputError(f"refusing unix_socket '{socket}': not an absolute path", where, _HINT)
    hosts = _values(params.get("host") or "") + _values(params.get("hostaddr") or "")
    refused = sorted({host for host in hosts if host and not is_local_host(host, allow_hosts)})
    if refused:
        raise InputError(f"refusing to write to {', '.join(refused)}: not a database of the local stack", where, _HINT)


@contextmanager
def cleared_driver_environment() -> Iterator[None]:
    """This process's environment without the drivers' variables (PG*, MYSQL*...) while the
    block runs, so a driver connects with exactly the arguments it is given."""
    with _ENV_LOCK:
        saved = {name: os.environ.pop(name) for name in list(os.environ) if name.startswith(DRIVER_ENV_PREFIXES)}
        try:
            yield
        finally:
            os.environ.update(saved)
