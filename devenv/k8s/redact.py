"""Secret values removed as manifests enter devenv: keys kept, every value replaced by a marker.

devenv never needs a production Secret value (local values replace them, see translate/secrets_store), so
none is kept: a Kustomize or Helm render is redacted before the render cache stores it, plain manifests as
they are read. Nothing downstream (cache, compose.yaml, files/, reports, error messages) can then show one.

Redacted: a Secret's `data` and `stringData` (Kustomize's secretGenerator output lands there), a
SealedSecret's `spec.encryptedData` and `spec.template` data, an ExternalSecret's `spec.target.template`
data, and the `kubectl.kubernetes.io/last-applied-configuration` annotation of any of them (a copy of the
whole object). Kinds ending in `List` are redacted item by item. Every other object is returned as it is.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from devenv.k8s.kinds import SECRET_KINDS
from devenv.k8s.manifest import Manifest

#: what a value becomes: valid base64 (Secret `data` is base64) and plain to read
REDACTED = "REDACTED"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
#: the shortest `set` value scrubbed from a renderer's message (shorter ones would garble it: "1", "on");
#: nor are YAML's words for booleans and null
SCRUB_MIN = 4
_WORDS = frozenset({"true", "false", "null", "none", "yes", "no", "on", "off"})
LINE = 1 << 30  # the emitter never folds a redacted document
#: a JSON-schema violation as Helm words it, quoting the offending value after its path:
#: "at '/password': 'hunter2' does not match pattern ..." (quoted as Go's %q does, with \' for a quote)
_SCHEMA_INSTANCE = re.compile(r"(at '(?:[^'\\\n]|\\.)*': )'(?:[^'\\\n]|\\.)*'")

try:  # the C parser and emitter, as in yamlio; the pure-Python ones when libyaml is absent
    _Loader: Any = yaml.CSafeLoader
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper


def redacted(document: Any) -> Any:
    """`document` with every Secret value replaced by REDACTED; the same object when there is none."""
    return _redacted(document, {})


def _redacted(document: Any, seen: dict[int, Any]) -> Any:
    if not isinstance(document, dict):
        return document
    if id(document) in seen:  # an alias to an item already redacted (linear even for an alias bomb); None
        return seen[id(document)]  # while it is being redacted: a List that contains itself loses that item
    seen[id(document)] = None
    kind = document.get("kind")
    result = document
    if kind in SECRET_KINDS:
        result = _secret(document, str(kind))
    elif isinstance(kind, str) and kind.endswith("List") and isinstance(document.get("items"), list):
        items = [_redacted(item, seen) for item in document["items"]]
        if any(new is not old for new, old in zip(items, document["items"])):
            result = {**document, "items": items}
    seen[id(document)] = result
    return result


def _secret(body: dict[str, Any], kind: str) -> dict[str, Any]:
    out = dict(body)
    spec = out.get("spec")
    if kind == "Secret":
        for field in ("data", "stringData"):
            if field in out:
                out[field] = _values(out[field])
    elif kind == "SealedSecret" and isinstance(spec, dict):
        spec = dict(spec)
        if "encryptedData" in spec:
            spec["encryptedData"] = _values(spec["encryptedData"])
        if "template" in spec:
            spec["template"] = _template(spec["template"])
        out["spec"] = spec
    elif kind == "ExternalSecret" and isinstance(spec, dict) and isinstance(spec.get("target"), dict) \
            and "template" in spec["target"]:
        out["spec"] = {**spec, "target": {**spec["target"], "template": _template(spec["target"]["template"])}}
    metadata = out.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict) \
            and LAST_APPLIED in metadata["annotations"]:
        out["metadata"] = {**metadata, "annotations": {**metadata["annotations"], LAST_APPLIED: REDACTED}}
    return body if out == body else out


def _template(template: Any) -> Any:
    """A Secret template (SealedSecret, ExternalSecret): its data and stringData redacted, metadata kept."""
    if not isinstance(template, dict):
        return template
    return {k: (_values(v) if k in ("data", "stringData") else v) for k, v in template.items()}


def _values(data: Any) -> Any:
    """A mapping's keys with every non-null value replaced; anything else (malformed) replaced whole."""
    if data is None:
        return None
    if not isinstance(data, dict):
        return REDACTED
    return {key: None if value is None else REDACTED for key, value in data.items()}


def redact_manifests(manifests: list[Manifest]) -> list[Manifest]:
    """Manifests with their Secret values redacted (the others are the same objects)."""
    out = []
    for manifest in manifests:
        body = redacted(manifest.body)
        out.append(manifest if body is manifest.body else Manifest(body, manifest.origin, manifest.default_namespace))
    return out


def redact_stream(text: str) -> str | None:
    """A YAML stream with the documents holding Secret values rewritten redacted (on one line, in flow style);
    every other document, comment and document boundary is kept byte for byte, so documents keep their
    numbers. None when `text` is not valid YAML (the caller reports the error and keeps nothing)."""
    if "Secret" not in text and "\\" not in text:  # a secret kind is spelled out, or escaped in quotes
        return text
    pieces, position = [], 0
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if not _may_hold_secrets(node):
                continue
            document = _Loader("").construct_document(node)
            clean = redacted(document)
            if clean is document:
                continue
            start, end = node.start_mark.index, node.end_mark.index
            flow = yaml.dump(clean, Dumper=_Dumper, default_flow_style=True, width=LINE, allow_unicode=True,
                             sort_keys=False).rstrip("\n")
            pieces += [text[position:start], flow, "\n" if text[start:end].endswith("\n") else ""]
            position = end
    except yaml.YAMLError:
        return None
    return "".join(pieces) + text[position:] if pieces else text


def _may_hold_secrets(node: Any) -> bool:
    """A mapping with a secret kind, a List, or a merge key (`<<`, which can bring a kind in): only those
    are built into Python objects."""
    if not isinstance(node, yaml.MappingNode):
        return False
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<":
            return True
        if key.value == "kind" and isinstance(value, yaml.ScalarNode) and (
                value.value in SECRET_KINDS or value.value.endswith("List")):
            return True
    return False


def scrub(message: str, values: list[str]) -> str:
    """A renderer's message with each given value (a `set` override, say) replaced by "(redacted)"."""
    for value in sorted(values, key=len, reverse=True):
        if len(value) >= SCRUB_MIN and value.lower() not in _WORDS:
            message = message.replace(value, "(redacted)")
    return message


def scrub_schema_values(message: str) -> str:
    """A values-schema message with each offending value replaced (its path and the rule broken kept): the
    value may come from a values file or a `set` override holding a secret."""
    return _SCHEMA_INSTANCE.sub(r"\1(value redacted)", message)
