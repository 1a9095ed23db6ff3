"""Engines for the seeder: the drivers it is built for, whatever the URL names. `guarded_engine`
is the one way to a database devenv writes to: judged by the write guard before anything
connects, and checked again on the driver's final arguments each time it connects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Dialect, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from devenv.errors import InputError
from devenv.seed.load.guard import (
    ALIASES,
    backend_of,
    check_driver_params,
    cleared_driver_environment,
    judge,
    parse_url,
)

_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql", "sqlite": "pysqlite"}


def normalise_url(url: str | URL) -> URL:
    """`url` with the driver devenv loads through: psycopg 3, PyMySQL, or the built-in sqlite3."""
    parsed = url if isinstance(url, URL) else _parse(url)
    name = parsed.get_backend_name()
    backend = name if name in _DRIVERS else ALIASES.get(name, name)
    if backend not in _DRIVERS:
        raise InputError(f"cannot seed a '{backend}' database", f"database URL {parsed.render_as_string()}",
                         "devenv seeds PostgreSQL, MySQL/MariaDB and SQLite")
    return parsed.set(drivername=f"{backend}+{_DRIVERS[backend]}")


def _parse(url: str) -> URL:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return parse_url(url)


def engine_for(url: str | URL) -> Engine:
    """An engine for reading (a masking source, a draft): no guard, the driver's defaults apply."""
    normalised = normalise_url(url)
    try:
        return create_engine(normalised, future=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(f"cannot open {normalised.render_as_string()}: {exc}", "database URL",
                         "install the driver (psycopg, PyMySQL) or fix the URL") from exc


def guarded_engine(url: str | URL, allow_hosts: frozenset[str] = frozenset()) -> Engine:
    """An engine for writing: InputError before any connection unless the guard passes `url`;
    every connection it opens is checked again and made with the drivers' environment cleared."""
    explicit = judge(url, allow_hosts)
    engine = engine_for(explicit)
    backend = backend_of(explicit)
    shown = explicit.render_as_string(hide_password=True)

    def connect(dialect: Dialect, record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]) -> Any:
        if backend != "sqlite":
            check_driver_params(backend, cparams, allow_hosts, shown)
        with cleared_driver_environment():
            return dialect.connect(*cargs, **cparams)

    event.listen(engine, "do_connect", connect)
    return engine
