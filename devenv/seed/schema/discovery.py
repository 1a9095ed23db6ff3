"""Schema discovery: SQLAlchemy reflection of a live database into the seeder's `Schema`, after the
stack's migrations ran, or after creating the tables from the SQLAlchemy models a spec names."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import MetaData, inspect, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import (
    ReflectedCheckConstraint,
    ReflectedColumn,
    ReflectedIndex,
    ReflectedUniqueConstraint,
    TableKey,
)
from sqlalchemy.exc import SQLAlchemyError

from devenv.errors import InputError, RuntimeFailure
from devenv.seed.schema.constraints import parse_check
from devenv.seed.schema.model import Column, ForeignKey, Schema, Table
from devenv.seed.schema.postgres import fold_partitions


def create_from_models(conn: Connection, dotted: str, where: str) -> None:
    """Create the tables of the models at `dotted` ("pkg.module:Base", "pkg.module.metadata")
    when they do not exist yet (CREATE ... IF NOT EXISTS semantics, existing tables untouched)."""
    metadata = _load_metadata(dotted, where)
    try:
        metadata.create_all(conn, checkfirst=True)
    except SQLAlchemyError as exc:
        raise RuntimeFailure(f"could not create the tables of {dotted}: {exc.__class__.__name__}",
                             where, "check that the models match the database dialect",
                             details=str(exc)) from exc


def _load_metadata(dotted: str, where: str) -> MetaData:
    module_name, _, attr = dotted.partition(":") if ":" in dotted else dotted.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise InputError(f"cannot import models '{dotted}': {exc}", f"{where}: models",
                         "write models = \"package.module:Base\" with the package importable") from exc
    metadata = obj if isinstance(obj, MetaData) else getattr(obj, "metadata", None)
    if not isinstance(metadata, MetaData):
        raise InputError(f"'{dotted}' is neither a MetaData nor a declarative base", f"{where}: models",
                         "name the declarative Base class or its metadata")
    return metadata


def reflect_schema(conn: Connection, schema: str | None = None) -> Schema:
    """Every table of `schema` (the default schema when None) with columns, keys and checks."""
    try:
        return _reflect(conn, schema)
    except SQLAlchemyError as exc:
        raise RuntimeFailure(f"could not read the database schema: {exc.__class__.__name__}",
                             schema or "default schema", "check that the database is up and migrated",
                             details=str(exc)) from exc


def _reflect(conn: Connection, schema: str | None) -> Schema:
    inspector = inspect(conn)
    names = inspector.get_table_names(schema=schema)
    if not names:
        return Schema(conn.dialect.name, {}, schema)
    columns = inspector.get_multi_columns(schema=schema)
    domains = _domain_types(conn) if conn.dialect.name == "postgresql" else {}
    pks = inspector.get_multi_pk_constraint(schema=schema)
    fks = inspector.get_multi_foreign_keys(schema=schema)
    uniques = inspector.get_multi_unique_constraints(schema=schema)
    indexes = inspector.get_multi_indexes(schema=schema)
    if conn.dialect.name in ("mysql", "mariadb"):
        checks = _mysql_checks(conn, schema)
    else:
        try:
            checks = inspector.get_multi_check_constraints(schema=schema)
        except NotImplementedError:
            checks = {}
    tables: dict[str, Table] = {}
    for name in sorted(names):
        key = (schema, name)
        found_pk = pks.get(key)
        pk = tuple((found_pk.get("constrained_columns") if found_pk else None) or ())
        cols = tuple(_column(c, pk, domains) for c in columns.get(key, []))
        parsed, unparsed = [], []
        for check in checks.get(key, []) + _domain_checks(columns.get(key, [])):
            found = parse_check(check.get("sqltext", ""))
            if found is None:
                unparsed.append(f"{check.get('name') or 'check'}: {check.get('sqltext', '')}")
            else:
                parsed.extend(found)
        tables[name] = Table(
            name=name,
            columns=cols,
            primary_key=pk,
            foreign_keys=tuple(
                ForeignKey(tuple(fk["constrained_columns"]), fk["referred_table"],
                           tuple(fk["referred_columns"]), fk.get("name") or "")
                for fk in fks.get(key, [])
                if fk.get("referred_table") and (fk.get("referred_schema") in (None, schema))
            ),
            unique_keys=_unique_keys(pk, uniques.get(key, []), indexes.get(key, [])),
            constraints=tuple(parsed),
            unparsed_checks=tuple(unparsed),
        )
    if conn.dialect.name == "postgresql":
        tables, partitions, notes = fold_partitions(conn, schema, tables)
        return Schema(conn.dialect.name, tables, schema, partitions, tuple(notes))
    return Schema(conn.dialect.name, tables, schema)


def _domain_checks(columns: list[ReflectedColumn]) -> list[ReflectedCheckConstraint]:
    """A PostgreSQL domain's checks, as checks on each column of that domain (VALUE -> the column)."""
    out: list[ReflectedCheckConstraint] = []
    for data in columns:
        type_: object = data["type"]
        while type(type_).__name__ == "DOMAIN":
            check = getattr(type_, "check", None)
            if check is not None:
                sql = re.sub(r"\bVALUE\b", '"' + data["name"].replace('"', '""') + '"', str(check))
                out.append(ReflectedCheckConstraint(name=f"domain {getattr(type_, 'name', '')}", sqltext=sql))
            type_ = getattr(type_, "data_type", None)
    return out


def _mysql_checks(conn: Connection, schema: str | None) -> dict[TableKey, list[ReflectedCheckConstraint]]:
    """Check constraints from information_schema: SQLAlchemy's MySQL reflection misses MariaDB's
    column-level checks (`col INT CHECK (col > 0)`)."""
    where = "CONSTRAINT_SCHEMA = " + (":schema" if schema else "DATABASE()")
    params: dict[str, str] = {"schema": schema} if schema else {}
    queries = (
        f"SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE {where}",
        "SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc "
        "JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA "
        f"AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' WHERE cc.{where}",
    )
    for query in queries:
        try:
            with conn.begin_nested():
                rows = conn.execute(text(query), params).fetchall()
        except SQLAlchemyError:
            continue
        found: dict[TableKey, list[ReflectedCheckConstraint]] = {}
        for table, name, clause in rows:
            found.setdefault((schema, table), []).append(ReflectedCheckConstraint(name=name, sqltext=clause))
        return found
    return {}


def _domain_types(conn: Connection) -> dict[str, str]:
    """Each domain's base type as PostgreSQL spells it (SQLAlchemy drops lengths: varchar(6))."""
    rows = conn.execute(text("SELECT typname, format_type(typbasetype, typtypmod) FROM pg_type WHERE typtype = 'd'"))
    return {str(name): str(spelt) for name, spelt in rows}


def _sized(type_: sqltypes.TypeEngine[Any], spelt: str) -> sqltypes.TypeEngine[Any]:
    """`type_` with the length, or precision and scale, that `spelt` (e.g. numeric(5,2)) gives."""
    found = re.search(r"\((\d+)(?:\s*,\s*(\d+))?\)", spelt)
    if found is None:
        return type_
    if isinstance(type_, sqltypes.String) and not type_.length:
        return type(type_)(length=int(found.group(1)))
    if isinstance(type_, sqltypes.Numeric) and getattr(type_, "precision", None) is None:
        return type(type_)(precision=int(found.group(1)), scale=int(found.group(2) or 0))
    return type_


def _column(data: ReflectedColumn, primary_key: tuple[str, ...], domains: dict[str, str] | None = None) -> Column:
    type_, not_null, default = data["type"], False, data.get("default")
    while type(type_).__name__ == "DOMAIN" and getattr(type_, "data_type", None) is not None:
        not_null = not_null or bool(getattr(type_, "not_null", False))  # a domain may be NOT NULL
        default = default if default is not None else getattr(type_, "default", None)
        spelt = (domains or {}).get(str(getattr(type_, "name", "")), "")
        type_ = _sized(type_.data_type, spelt)  # type: ignore[attr-defined]  # a DOMAIN: its base type
    default_text = str(default) if default is not None else ""
    identity = "identity" in data and data["identity"] is not None
    autoincrement = (
        identity
        or "nextval(" in default_text
        or (data.get("autoincrement") is True and len(primary_key) == 1 and data["name"] in primary_key)
    )
    return Column(
        name=data["name"],
        type=type_,
        nullable=bool(data.get("nullable", True)) and not not_null,
        autoincrement=autoincrement,
        computed="computed" in data and data["computed"] is not None,
        has_default=default is not None or identity,
    )


def _unique_keys(pk: tuple[str, ...], uniques: Iterable[ReflectedUniqueConstraint],
                 indexes: Iterable[ReflectedIndex]) -> tuple[tuple[str, ...], ...]:
    keys: list[tuple[str, ...]] = [pk] if pk else []
    for constraint in uniques:
        keys.append(tuple(constraint["column_names"]))
    for index in indexes:
        names = index.get("column_names") or []
        if index.get("unique") and names and all(names):
            keys.append(tuple(name for name in names if name))
    seen: set[tuple[str, ...]] = set()
    unique: list[tuple[str, ...]] = []
    for key in keys:
        if key and key not in seen:
            seen.add(key)
            unique.append(key)
    return tuple(unique)
