"""Secrets and what produces them (Secret, SealedSecret, ExternalSecret): names and keys, never values."""

from __future__ import annotations

from devenv.k8s.manifest import Manifest

SECRET_KINDS = ("Secret", "SealedSecret", "ExternalSecret")


def secret_name(manifest: Manifest) -> str:
    """The name of the Secret an object is or produces (an ExternalSecret's target, a SealedSecret's template)."""
    if manifest.kind == "Secret":
        return manifest.name
    spec = manifest.spec
    target = (spec.get("target") or {}).get("name") or ((spec.get("template") or {}).get("metadata") or {}).get("name")
    return str(target or manifest.name)


def secret_keys(manifest: Manifest) -> list[str]:
    """The keys of the Secret an object is or produces; a value is never read."""
    body, spec = manifest.body, manifest.spec
    if manifest.kind == "Secret":
        return sorted({str(k) for k in (body.get("data") or {})} | {str(k) for k in (body.get("stringData") or {})})
    if manifest.kind == "SealedSecret":
        return sorted(str(k) for k in (spec.get("encryptedData") or {}))
    keys = {str(item.get("secretKey")) for item in spec.get("data") or [] if item.get("secretKey")}
    keys |= {str(k) for k in (((spec.get("target") or {}).get("template") or {}).get("data") or {})}
    return sorted(keys)
