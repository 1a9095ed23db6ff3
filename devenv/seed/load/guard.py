"""The write guard: the seeder and the masker write only to a database on this machine.

A URL passes when every host it names is on loopback (127.0.0.0/8, ::1, `localhost`), is a unix
socket (a path, or no host at all with no PGHOST pointing elsewhere), is a SQLite file, or is one
of `allow_hosts` (the local stack's service names, passed by the caller). Names are never resolved:
a name is local only because it is `localhost` or because the caller vouches for it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from devenv.errors import InputError

_HINT = (
    "devenv seeds only the databases of the local stack: use a URL on 127.0.0.1, ::1, localhost or a "
    "unix socket, or one of the local stack's own database hosts"
)


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


def is_local_host(host: str, allow_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether `host` is a unix socket, on loopback, `localhost` or explicitly allowed."""
    name = host.strip()
    if not name or name.startswith("/") or name.startswith("@"):
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


def hosts_of(url: URL, environ: Mapping[str, str] | None = None) -> list[str]:
    """Every host a connection to `url` could reach: the host part, `host=`/`hostaddr=` query
    parameters (libpq allows comma-separated lists), and, for PostgreSQL without any of those,
    PGHOST/PGHOSTADDR. An empty list means the driver's default unix socket."""
    env = os.environ if environ is None else environ
    found: list[str] = []
    if url.host:
        found.extend(url.host.split(","))
    for key in ("host", "hostaddr"):
        value = url.query.get(key)
        values = value if isinstance(value, tuple) else ((value,) if value else ())
        for item in values:
            found.extend(item.split(","))
    if not found and url.get_backend_name() == "postgresql":
        for key in ("PGHOST", "PGHOSTADDR"):
            if env.get(key):
                found.extend(env[key].split(","))
    return [host.strip() for host in found if host.strip()]


def ensure_local(url: str | URL, allow_hosts: frozenset[str] = frozenset(),
                 environ: Mapping[str, str] | None = None) -> None:
    """Raise InputError unless every host of `url` is local (see the module docstring)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    refused = [host for host in hosts_of(parsed, environ) if not is_local_host(host, allow_hosts)]
    if refused:
        shown = ", ".join(sorted(set(refused)))
        raise InputError(
            f"refusing to write to {shown}: not a database of the local stack",
            f"database URL {parsed.render_as_string(hide_password=True)}",
            _HINT,
        )
