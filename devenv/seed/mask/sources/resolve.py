"""Which source a masking run reads: the one named on the command line, else the spec's."""

from __future__ import annotations

from pathlib import Path

from devenv.errors import InputError
from devenv.seed.mask.sources.base import Source
from devenv.seed.mask.sources.csv_folder import CsvSource
from devenv.seed.mask.sources.database import DatabaseSource
from devenv.seed.mask.sources.dump import DumpSource
from devenv.seed.spec.model import MaskSource, SeedSpec


def open_source(override: str | None, spec: SeedSpec) -> Source:
    """The source `override` names (a URL, a CSV folder, a dump file), else the spec's."""
    if override is not None:
        if "://" in override:
            source = MaskSource("url", override)
        else:
            path = Path(override)
            source = MaskSource("csv" if path.is_dir() else "dump", str(path.resolve()))
    elif spec.mask is not None and spec.mask.source is not None:
        source = spec.mask.source
    else:
        raise InputError("no masking source", f"{spec.where}: mask.source",
                         "set mask.source to a dump file, { csv = \"folder\" } or { url = \"...\" }")
    if source.kind == "url":
        return DatabaseSource(source.location, spec.schema)
    path = Path(source.location)
    if not path.exists():
        raise InputError(f"masking source not found: {path}", f"{spec.where}: mask.source",
                         "point it at the dump file or CSV folder (relative to the spec)")
    if source.kind == "csv":
        return CsvSource(path)
    return DumpSource(path)
