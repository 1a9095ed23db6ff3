"""Translate manifests given as YAML text, the way the pipeline does, without touching the disk."""

from __future__ import annotations

from typing import Any

from devenv.k8s.yamlio import parse_manifests
from devenv.model.output import Output
from devenv.translate.context import Options
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.translate import translate

FIXED_SECRET = "local-secret-value"


class FixedSecrets(LocalSecrets):
    """Deterministic local secret values, so goldens are stable."""

    def __init__(self) -> None:
        super().__init__(None, {})

    def value(self, namespace: str, name: str, key: str) -> str:
        return f"{FIXED_SECRET}-{name}-{key}"


def run(text: str, **options: Any) -> Output:
    return translate(parse_manifests(text, "case.yaml"), Options(**options), FixedSecrets())


def codes(output: Output) -> list[str]:
    return sorted(f"{d.code} {d.object} {d.field}" for d in output.deltas)
