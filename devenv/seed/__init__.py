"""Fill the local stack's databases: synthetic rows from a spec in `seeds/`, or a production-like
source masked column by column. The public API lives in `devenv.seed.api`."""

from devenv.seed.api import (
    SeedSummary,
    TableSummary,
    ensure_local,
    has_data,
    load_or_create_key,
    load_spec,
    mask,
    seed,
    suggest,
)

__all__ = ["SeedSummary", "TableSummary", "ensure_local", "has_data", "load_or_create_key", "load_spec",
           "mask", "seed", "suggest"]
