"""The seeding library's public face: load a spec, fill a local database with synthetic rows, mask
a production-like source into it, or draft a spec from an existing database.

Every function that writes calls `guard.ensure_local` before it connects. Nothing here prints;
failures are `InputError` (bad spec or URL, exit 2) or `RuntimeFailure` (database, exit 3).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from devenv.errors import DevenvError, InputError, RuntimeFailure
from devenv.seed.load.connect import guarded_engine
from devenv.seed.load.guard import ensure_local, parse_url
from devenv.seed.run.seeding import TableSummary, run_seed, seeded_tables
from devenv.seed.schema.discovery import create_from_models, reflect_schema
from devenv.seed.spec.model import SeedSpec
from devenv.seed.spec.parse import load_spec

__all__ = ["SeedSummary", "TableSummary", "load_spec", "seed", "mask", "suggest", "has_data",
           "load_or_create_key", "ensure_local"]

Progress = Callable[[str, int, int], None]
KEY_BYTES = 32


@dataclass(frozen=True)
class SeedSummary:
    """What a run did: rows and seconds per table (in the order filled), and what to know."""

    database: str
    tables: tuple[TableSummary, ...]
    seconds: float
    warnings: tuple[str, ...] = field(default_factory=tuple)
    masked: bool = False  # rows copied from a masking source, not made up

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "tables": [t.to_dict() for t in self.tables],
            "warnings": list(self.warnings),
        }


def seed(url: str, spec: SeedSpec, *, reset: bool = False, progress: Progress | None = None,
         allow_hosts: frozenset[str] = frozenset(), warnings: list[str] | None = None) -> SeedSummary:
    """Fill the database at `url` with the synthetic rows `spec` describes, in one transaction.

    Refuses (InputError) a URL that is not local (see `guard`); with `reset`, empties the spec's
    tables first (PostgreSQL: TRUNCATE ... CASCADE); without it, refuses tables that hold rows.
    `progress(table, done, total)` is called as rows are written. `warnings`, when given, gets
    what the run found worth knowing as it goes, so the caller keeps it even if the run fails.
    """
    ensure_local(url, allow_hosts)
    started = time.perf_counter()
    warnings = [] if warnings is None else warnings
    with _connection(url, spec, allow_hosts) as conn:
        if spec.models:
            create_from_models(conn, spec.models, spec.where)
        schema = reflect_schema(conn, spec.schema)
        summaries = run_seed(conn, schema, spec, reset=reset, progress=progress, warnings=warnings)
    return SeedSummary(spec.database, tuple(summaries), time.perf_counter() - started, tuple(warnings))


def mask(url: str, spec: SeedSpec, *, key: bytes, source: str | None = None, reset: bool = False,
         progress: Progress | None = None, allow_hosts: frozenset[str] = frozenset(),
         warnings: list[str] | None = None) -> SeedSummary:
    """Copy the rows of the spec's mask source (or `source`: a dump file, a CSV folder or a
    database URL, only ever read) into the local database at `url`, every column masked by its
    rule. Strict by default: a column neither ruled nor declared safe stops the run before any
    row is written. `key` (keep it local, see `load_or_create_key`) makes the masking repeatable:
    the same value masks the same way in every table and every run."""
    from devenv.seed.mask.sources.resolve import open_source
    from devenv.seed.run.masking import run_mask

    ensure_local(url, allow_hosts)
    if len(key) < 16:
        raise InputError("the masking key is too short", "masking key", "use at least 16 random bytes")
    if spec.mask is None and source is None:
        raise InputError("the spec has no [mask] section", spec.where, "add [mask] with source, rules and safe columns")
    started = time.perf_counter()
    warnings = [] if warnings is None else warnings
    reader = open_source(source, spec)
    with reader, _connection(url, spec, allow_hosts) as conn:
        if spec.models:
            create_from_models(conn, spec.models, spec.where)
        schema = reflect_schema(conn, spec.schema)
        summaries = run_mask(conn, schema, spec, reader, key, reset=reset, progress=progress, warnings=warnings)
    return SeedSummary(spec.database, tuple(summaries), time.perf_counter() - started, tuple(warnings), masked=True)


def suggest(url_or_source: str, *, database: str | None = None, sample: int = 200, schema: str | None = None) -> str:
    """A drafted spec (TOML text) for the database or source named: every column classified,
    likely personal data flagged by name and by sampled content, given a masking rule, the rest
    declared safe. Sampled values are read, never written into the draft, nor is a password.
    `database` defaults to the URL's database name (or the dump's name)."""
    from devenv.seed.mask.suggest import database_name, draft_spec

    return draft_spec(url_or_source, database=database or database_name(url_or_source), sample=sample,
                      schema=schema)


def has_data(url: str, spec: SeedSpec, *, allow_hosts: frozenset[str] = frozenset()) -> bool:
    """Whether any table the spec fills already holds rows (so `devenv up` seeds only once)."""
    from devenv.seed.load.dialect import loader_for

    ensure_local(url, allow_hosts)
    with _connection(url, spec, allow_hosts, write=False) as conn:
        schema = reflect_schema(conn, spec.schema)
        loader = loader_for(conn, schema)
        return any(loader.has_rows(name) for name in seeded_tables(schema, spec))


def load_or_create_key(path: str | Path) -> bytes:
    """The local masking key at `path`, created (32 random bytes, mode 0600) when missing."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = secrets.token_bytes(KEY_BYTES)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return data
    except OSError as exc:
        raise RuntimeFailure(f"cannot read the masking key: {exc.strerror}", str(file),
                             "check the file's permissions") from exc
    if len(data) < 16:
        raise InputError("the masking key file is too short", str(file), "delete it to have a new key made")
    return data


class _connection:
    """A connection in one transaction: committed when the block ends cleanly, rolled back on
    any error; driver errors become RuntimeFailure with the database's message."""

    def __init__(self, url: str, spec: SeedSpec, allow_hosts: frozenset[str], write: bool = True) -> None:
        self.url, self.spec, self.write, self.allow_hosts = url, spec, write, allow_hosts
        self.engine: Engine | None = None
        self.conn: Connection | None = None

    def __enter__(self) -> Connection:
        self.engine = guarded_engine(self.url, self.allow_hosts)
        try:
            self.conn = self.engine.connect()
        except SQLAlchemyError as exc:
            self.engine.dispose()
            shown = parse_url(self.url).render_as_string(hide_password=True)
            raise RuntimeFailure(f"cannot connect to the database: {_first_line(exc)}", shown,
                                 "check that the local stack is up (devenv status) and the URL is right",
                                 details=_rest(exc)) from exc
        self.conn.begin()
        return self.conn

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        conn, engine = self.conn, self.engine
        assert conn is not None and engine is not None  # set by __enter__
        try:
            if exc_type is None and self.write:
                try:
                    conn.commit()
                except SQLAlchemyError as error:
                    raise RuntimeFailure(f"the database refused the commit: {_first_line(error)}",
                                         f"database {self.spec.database}", "see the details with --debug",
                                         details=_rest(error)) from error
            else:
                conn.rollback()
        finally:
            conn.close()
            engine.dispose()
        if exc is not None and isinstance(exc, SQLAlchemyError) and not isinstance(exc, DevenvError):
            raise RuntimeFailure(f"database error: {_first_line(exc)}", f"database {self.spec.database}",
                                 "see the details with --debug", details=_rest(exc)) from exc


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _rest(exc: BaseException) -> str:
    """The driver's words after the first line (which the message already says)."""
    return "\n".join(line for line in str(getattr(exc, "orig", None) or exc).strip().splitlines()[1:] if line.strip())
