"""The Kubernetes API's own JSON schemas (shipped by the `kubernetes-validate` package), compiled per kind.

One Kubernetes version's strict schemas (unknown fields are errors, as `kubectl apply` and Helm reject
them). Each kind's schema is bundled on first use with the definitions it reaches and compiled by
jsonschema-rs (a validator in Rust: a few microseconds per object). Nothing is vendored here.
"""

from __future__ import annotations

import base64
import binascii
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from devenv.errors import RuntimeFailure

#: the Kubernetes version whose API schemas judge every object
KUBERNETES_VERSION = "1.35"
_LOCAL = "#/definitions/"
#: kinds devenv translates: an apiVersion the schemas do not know is judged by the kind's current one
FALLBACK_API = {
    "Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
    "ReplicationController": "v1", "Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1", "Service": "v1",
    "ConfigMap": "v1", "Secret": "v1", "Namespace": "v1", "PersistentVolumeClaim": "v1",
}


#: the shape of the fields devenv reads from kinds the API does not define (every other field is free)
_OBJECT = ["object", "null"]
_STRINGS = {"type": _OBJECT, "additionalProperties": {"type": ["string", "null"]}}
_META = {"$ref": _LOCAL + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
READ_SHAPES: dict[str, dict[str, Any]] = {
    "DeploymentConfig": {"properties": {"spec": {"type": _OBJECT, "properties": {
        "replicas": {"type": ["integer", "null"]},
        "template": {"$ref": _LOCAL + "io.k8s.api.core.v1.PodTemplateSpec"}}}}},
    "SealedSecret": {"properties": {"spec": {"type": _OBJECT, "properties": {
        "encryptedData": _STRINGS,
        "template": {"type": _OBJECT, "properties": {"metadata": _META}}}}}},
    "ExternalSecret": {"properties": {"spec": {"type": _OBJECT, "properties": {
        "target": {"type": _OBJECT, "properties": {
            "name": {"type": ["string", "null"]},
            "template": {"type": _OBJECT, "properties": {"data": _STRINGS}}}},
        "data": {"type": ["array", "null"], "items": {"type": "object", "properties": {
            "secretKey": {"type": ["string", "null"]}}}}}}}},
}


@dataclass(frozen=True)
class Schema:
    """A compiled schema and its bundled source (read back to explain an error).

    `official`: the Kubernetes API's own schema of the kind; otherwise only ObjectMeta and the fields devenv
    reads are checked (custom resources, kinds of other platforms).
    """

    validator: Any
    source: dict[str, Any]
    official: bool

    def node(self, schema_path: list[str | int]) -> Any:
        """The schema node at a validator's schema path (`$ref`s followed)."""
        node: Any = self.source
        for part in schema_path:
            node = self.resolve(node)
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return self.resolve(node)

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = self.source["definitions"].get(node["$ref"][len(_LOCAL):])
        return node


def schema_for(api_version: str, kind: str) -> Schema:
    """The schema an object is judged by: its kind's in the Kubernetes API (a kind devenv translates, under a
    built-in apiVersion the API no longer serves: the current one's), else the shape devenv reads."""
    found = _official(api_version, kind)
    if found is None and kind in FALLBACK_API and _built_in(api_version):
        found = _official(FALLBACK_API[kind], kind, any_api_version=True)
    return found or _shape(kind if kind in READ_SHAPES else "")


def _built_in(api_version: str) -> bool:
    """A group of the Kubernetes API itself (core, apps, batch, extensions, *.k8s.io), not a custom one."""
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


@cache
def _official(api_version: str, kind: str, any_api_version: bool = False) -> Schema | None:
    if not re.fullmatch(r"[A-Za-z0-9]+", kind) or not re.fullmatch(r"([a-z0-9.-]+/)?[a-z0-9]+", api_version):
        return None
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = _folder() / f"{kind.lower()}-{group}.json"
    if not path.is_file():
        return None
    source = _load(path.read_text(encoding="utf-8"))
    if any_api_version:
        source["properties"]["apiVersion"].pop("enum", None)
    return _compile(source, official=True)


@cache
def _shape(kind: str) -> Schema:
    shape = {"type": "object", **READ_SHAPES.get(kind, {})}
    shape["properties"] = {**shape.get("properties", {}), "metadata": _META}
    return _compile(shape, official=False)


def _compile(schema: dict[str, Any], official: bool) -> Schema:
    try:
        import jsonschema_rs
    except ImportError:
        raise RuntimeFailure("the JSON schema validator (jsonschema-rs) is not installed",
                             hint="reinstall devenv with its dependencies: pip install -e .") from None

    source = _bundle(schema)
    validator = jsonschema_rs.Draft7Validator(source, validate_formats=True, formats={"byte": _is_base64})
    return Schema(validator, source, official)


def _bundle(schema: dict[str, Any]) -> dict[str, Any]:
    """The kind's schema with every definition it reaches, self-contained (draft 7 `definitions`)."""
    definitions = _definitions()
    used: dict[str, Any] = {}
    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_LOCAL) and ref[len(_LOCAL):] not in used:
                name = ref[len(_LOCAL):]
                used[name] = definitions[name]
                pending.append(definitions[name])
            pending.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            pending.extend(v for v in node if isinstance(v, (dict, list)))
    bundled = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    bundled["definitions"] = used
    return bundled


def _load(text: str) -> Any:
    """A schema file, references made local and list items made non-null: the API server turns a null item
    into an empty object, which then fails the item's own rules (a container without a name...)."""
    return json.loads(_local(text), object_hook=_adjust)


def _adjust(node: dict[str, Any]) -> dict[str, Any]:
    declared = node.get("type")
    if isinstance(node.get("items"), dict) and isinstance(declared, (str, list)) and "array" in declared:
        node["items"] = {"allOf": [node["items"]], "not": {"type": "null"}}
    options = node.get("oneOf")
    if isinstance(options, list) and options and all(isinstance(o, dict) and set(o) == {"type"} for o in options):
        # int-or-string, quantity: one union of types (a null, which both options accept, is then valid)
        del node["oneOf"]
        node["type"] = list(dict.fromkeys(t for o in options for t in (o["type"] if isinstance(o["type"], list)
                                                                        else [o["type"]])))
    return node


def _local(text: str) -> str:
    """Point every reference at the bundle's own `definitions` (the package's are relative to a URL)."""
    return text.replace('"/api/_definitions.json#/$defs/', f'"{_LOCAL}').replace('"#/$defs/', f'"{_LOCAL}')


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    return _load((_folder() / "_definitions.json").read_text(encoding="utf-8"))["$defs"]  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _folder() -> Path:
    """The schema folder inside the installed package, found without importing it (its import is heavy)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}.0-local-strict"
        if folder.is_dir():
            return folder
    raise RuntimeFailure(f"the Kubernetes {KUBERNETES_VERSION} API schemas are not installed",
                         hint="reinstall devenv (its dependency kubernetes-validate carries them): pip install -e .")
