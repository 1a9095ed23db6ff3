"""The JSON report: the stable schema documented in docs/report-schema.json."""

from __future__ import annotations

import json
from typing import Any

from devenv import __version__
from devenv.model.delta import Delta
from devenv.parity.formats.common import counts, gate, labels

SCHEMA_VERSION = 1


def as_json(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """The stable schema documented in docs/report-schema.json."""
    prod, local = labels(meta)
    document: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "devenv", "version": __version__},
        "command": meta.get("command", "report"),
        **{k: meta[k] for k in ("environment", "environment_a", "environment_b", "project") if k in meta},
        "labels": {"prod": prod, "local": local},
        "summary": counts(deltas),
        "gate": gate(deltas, meta.get("fail_on")),
        "deltas": [d.to_dict() for d in deltas],
    }
    return json.dumps(document, indent=2)
