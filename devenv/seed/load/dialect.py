"""The bulk loader for a connection's dialect: COPY for PostgreSQL, multi-row INSERT for
MySQL/MariaDB, executemany for SQLite (each imported only when its dialect is used)."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from devenv.errors import InputError
from devenv.seed.load.base import Loader
from devenv.seed.schema.model import Schema


def loader_for(conn: Connection, schema: Schema) -> Loader:
    name = conn.dialect.name
    if name == "postgresql":
        from devenv.seed.load.postgres import PostgresLoader

        return PostgresLoader(conn, schema)
    if name in ("mysql", "mariadb"):
        from devenv.seed.load.mysql import MySQLLoader

        return MySQLLoader(conn, schema)
    if name == "sqlite":
        from devenv.seed.load.sqlite import SQLiteLoader

        return SQLiteLoader(conn, schema)
    raise InputError(f"cannot seed a {name} database", "database URL",
                     "devenv seeds PostgreSQL, MySQL/MariaDB and SQLite")


__all__ = ["Loader", "loader_for"]
