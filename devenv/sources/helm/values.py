"""Chart values as `helm template -f A -f B --set k=v` merges them: values files in order, then each
`--set` on top, with Helm's own YAML and `--set` parsers (from the in-process SDK)."""

from __future__ import annotations

from typing import Any

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.k8s.redact import scrub


def user_values(helm: Any, source: HelmSource, shown: str) -> dict[str, Any]:
    """Values files merged in order, then each `--set` applied on top, as `helm template -f ... --set ...`."""
    merged: dict[str, Any] = {}
    for path in source.values:
        try:
            merged = _merge_maps(merged, helm.values_from_yaml(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise InputError(f"values file {path} cannot be read: {exc.strerror}", where=shown,
                             hint="fix the values paths of this environment in devenv.toml") from None
        except helm.HelmError as exc:
            raise InputError(f"is not a valid Helm values file: {exc.detail}", where=str(path),
                             hint="a values file is a YAML mapping; fix the line shown") from None
    for key, value in source.set:
        expression = f"{key}={value}"
        try:
            parsed = helm.parse_set_string(expression)
        except helm.HelmError as exc:
            raise InputError(f"set override '{key}=...' is not valid `helm --set` syntax: "  # the value may be secret
                             f"{scrub(exc.detail, [value, expression, *value.split(',')])}",
                             where=shown, hint="write it as `helm --set` takes it; escape a comma in a value "
                                               "as \\,") from None
        merged = _set_into(merged, parsed, indexed="[" in key)
    return merged


def _merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps for `-f` files: tables merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def _set_into(base: dict[str, Any], parsed: dict[str, Any], indexed: bool) -> dict[str, Any]:
    """One `--set` applied as Helm's strvals.ParseInto does: into the values merged so far.

    A list built by an index in the key (`ports[1].name=x`) sets that element of the existing list; a
    list literal in the value (`hosts={a,b}`) replaces it.
    """
    out = dict(base)
    for key, value in parsed.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = _set_into(current, value, indexed)
        elif indexed and isinstance(value, list) and isinstance(current, list):
            out[key] = _set_list(current, value)
        else:
            out[key] = value
    return out


def _set_list(current: list[Any], value: list[Any]) -> list[Any]:
    merged = list(current) + [None] * (len(value) - len(current))
    for index, item in enumerate(value):
        if item is None:  # an index the expression does not name
            continue
        if isinstance(item, dict) and isinstance(merged[index], dict):
            merged[index] = _set_into(merged[index], item, True)
        elif isinstance(item, list) and isinstance(merged[index], list):
            merged[index] = _set_list(merged[index], item)
        else:
            merged[index] = item
    return merged
