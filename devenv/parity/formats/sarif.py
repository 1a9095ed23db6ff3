"""SARIF 2.1.0 for code-scanning dashboards: the catalogue's codes as rules, deltas as results."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from devenv import __version__
from devenv.model.catalogue import CATALOGUE
from devenv.model.delta import Delta
from devenv.parity.formats.common import labels, title
from devenv.parity.locations import split_source

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(code: str) -> dict[str, Any]:
    entry = CATALOGUE.get(code)
    name = "".join(part.capitalize() for part in code.split("-"))
    if entry is None:
        return {"id": code, "name": name, "shortDescription": {"text": code}}
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": entry.reason},
        "help": {"text": entry.hint},
        "defaultConfiguration": {"level": SARIF_LEVELS[entry.severity]},
        "properties": {"category": entry.category, "tags": ["devenv", entry.category]},
    }


def _result(item: Delta, rule_index: int, prod: str, local: str) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{
        "name": item.object.name, "fullyQualifiedName": str(item.object), "kind": "resource"}]}
    where = split_source(item.source)
    if where:
        location["physicalLocation"] = {"artifactLocation": {"uri": where[0]}, "region": {"startLine": where[1]}}
    values = f" ({prod}: {item.prod}; {local}: {item.local})" if item.prod or item.local else ""
    result: dict[str, Any] = {
        "ruleId": item.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[item.severity],
        "message": {"text": f"{item.object} {item.field}: {item.reason}{values}. Hint: {item.hint}"},
        "locations": [location],
        "partialFingerprints": {"devenvDelta/v1": hashlib.sha256(
            f"{item.code}|{item.object}|{item.field}".encode()).hexdigest()[:32]},
        "properties": {"severity": item.severity, "category": item.category, "field": item.field,
                       "prod": item.prod, "local": item.local, "source": item.source},
    }
    if item.accepted:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"{item.accepted_reason} ({item.accepted_by})"}]
    return result


def as_sarif(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """SARIF 2.1.0: the catalogue's codes as rules; accepted deltas carry an external suppression."""
    prod, local = labels(meta)
    codes = sorted({d.code for d in deltas})
    index = {code: i for i, code in enumerate(codes)}
    results = [_result(item, index[item.code], prod, local) for item in sorted(deltas, key=lambda d: d.sort_key())]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "devenv", "version": __version__, "rules": [_rule(c) for c in codes]}},
        "automationDetails": {"id": f"{title(meta)}/"},
        "results": results,
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2)
