"""Engines for the seeder: the drivers it is built for, whatever the URL names."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from devenv.errors import InputError
from devenv.seed.load.guard import parse_url

_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql", "sqlite": "pysqlite"}
_ALIASES = {"postgres": "postgresql", "pgsql": "postgresql"}


def normalise_url(url: str | URL) -> URL:
    """`url` with the driver devenv loads through: psycopg 3, PyMySQL, or the built-in sqlite3."""
    parsed = url if isinstance(url, URL) else _parse(url)
    backend = parsed.get_backend_name()
    backend = _ALIASES.get(backend, backend)
    if backend not in _DRIVERS:
        raise InputError(f"cannot seed a '{backend}' database", f"database URL {parsed.render_as_string()}",
                         "devenv seeds PostgreSQL, MySQL/MariaDB and SQLite")
    return parsed.set(drivername=f"{backend}+{_DRIVERS[backend]}")


def _parse(url: str) -> URL:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return parse_url(url)


def engine_for(url: str | URL) -> Engine:
    normalised = normalise_url(url)
    try:
        return create_engine(normalised, future=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(f"cannot open {normalised.render_as_string()}: {exc}", "database URL",
                         "install the driver (psycopg, PyMySQL) or fix the URL") from exc
