"""Every object is judged before translation: by the Kubernetes API's schema of its kind, then by the rules
the API server adds (devenv.k8s.semantics). The first problem becomes one InputError naming the file,
document, object, field path, what was expected and what to do; translation only ever sees objects
Kubernetes itself would accept.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from devenv.errors import InputError
from devenv.k8s.manifest import Manifest
from devenv.k8s.schemas import KUBERNETES_VERSION, Schema, schema_for
from devenv.k8s.semantics import Finding, Path, findings

#: changes whenever the rules change: part of the key of the validated-content cache
RULES_VERSION = f"k8s-{KUBERNETES_VERSION}-rules-1"
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def validate_manifests(manifests: Iterable[Manifest]) -> bool:
    """Raise an InputError for the first object Kubernetes would reject. False when an object had to be
    made JSON first (non-string keys): the caller must not skip this step for the same text later."""
    clean = True
    for manifest in manifests:
        clean = validate_manifest(manifest) and clean
    return clean


def validate_manifest(manifest: Manifest) -> bool:
    body = manifest.body
    schema = schema_for(manifest.api_version, manifest.kind)
    clean = True
    try:
        try:
            valid = schema.validator.is_valid(body)
        except ValueError:  # a value JSON cannot hold (a YAML !!binary, !!set, a non-string key...)
            _to_json(manifest, body, ())
            clean, valid = False, schema.validator.is_valid(body)
    except RecursionError:
        _fail(manifest, (), "nests too deeply", "Kubernetes objects are a few levels deep; check the brackets")
    if not valid:
        errors = list(schema.validator.iter_errors(body))
        first = _explain(schema, errors[0], body, manifest.kind)
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} in this object)" \
            if len(errors) > 1 else ""
        _fail(manifest, first.path, first.problem + more, first.hint)
    for finding in findings(body):
        _fail(manifest, finding.path, finding.problem, finding.hint)
    return clean


def field_path(path: Iterable[str | int]) -> str:
    """`spec.template.spec.containers[0].ports[0].containerPort`; keys that are not plain words quoted."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f'["{part}"]'
    return text


def _fail(manifest: Manifest, path: Path, problem: str, hint: str) -> None:
    shown = field_path(path)
    metadata = manifest.metadata
    named = all(isinstance(metadata.get(k), (str, type(None))) for k in ("name", "namespace"))
    ref = manifest.ref if named else f"{manifest.kind} (document {manifest.origin.document + 1})"
    raise InputError(f"{ref}: {shown + ' ' if shown else ''}{problem}", where=str(manifest.origin), hint=hint)


def _explain(schema: Schema, error: Any, body: dict[str, Any], kind_name: str) -> Finding:
    """A validator error in words: the field, what it holds against what the schema expects, a hint."""
    path: Path = tuple(error.instance_path)
    kind = type(error.kind).__name__
    node = schema.node(list(error.schema_path)[:-1]) or {}
    if kind == "AdditionalProperties":
        unexpected = str(error.kind.unexpected[0])
        known = list(node.get("properties") or {})
        close = difflib.get_close_matches(unexpected, known, n=1)
        return Finding((*path, unexpected), f"is not a field of {_definition(error, kind_name)} in Kubernetes "
                       f"{KUBERNETES_VERSION}",
                       f"did you mean '{close[0]}'?" if close else "remove it, or check its spelling and indentation")
    if kind == "Required":
        prop = str(error.kind.property)
        return Finding((*path, prop), "is required", f"add {prop} to {field_path(path) or 'the object'}")
    value = _at(body, path)
    if kind in ("Type", "OneOfNotValid", "AnyOfNotValid"):
        expected = _expected(node if kind == "Type" else schema.node(list(error.schema_path)))
        return Finding(path, f"must be {expected}, not {_describe(value)}", _type_hint(expected, value))
    if kind == "Format" and str(error.kind.format) == "byte":
        return Finding(path, "is not valid base64", "binaryData and Secret data hold base64; put plain text under "
                       "data (ConfigMap) or stringData (Secret)")
    if kind == "Not":
        return Finding(path, "is null", "remove the empty item from the list (a lone '-')")
    if kind == "Enum":
        options = ", ".join(str(o) for o in error.kind.options)
        return Finding(path, f"is {_describe(value)}", f"use one of: {options}")
    return Finding(path, str(error.message), f"see the Kubernetes {KUBERNETES_VERSION} API reference of "
                   f"{_definition(error, kind_name)}")


def _definition(error: Any, kind_name: str) -> str:
    """The API type a schema path points into (`Container`), or the object's kind at its top level."""
    parts = list(error.schema_path)
    if len(parts) > 1 and parts[0] == "definitions":
        return str(parts[1]).rsplit(".", 1)[-1]
    return kind_name


def _expected(node: Any) -> str:
    names = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
             "array": "a list", "object": "a mapping"}
    types: list[str] = []
    options = node.get("oneOf") or node.get("anyOf") or [node] if isinstance(node, dict) else []
    for option in options:
        declared = option.get("type") if isinstance(option, dict) else None
        for name in declared if isinstance(declared, list) else [declared]:
            if name in names and names[name] not in types:
                types.append(names[name])
    return " or ".join(types) or "another value"


def _describe(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, str):
        return f'the string "{value[:40]}{"..." if len(value) > 40 else ""}"'
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else \
        f"a {type(value).__name__}"


def _type_hint(expected: str, value: Any) -> str:
    if "integer" in expected or "number" in expected:
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return f"write {value.strip()} without quotes"
        if isinstance(value, str):
            return "write a number here (a named port goes in the port's `name`, a duration in whole seconds)"
    if expected.startswith("a list") and not isinstance(value, list):
        return "write a list, even of one item: [item] or lines starting with '- '"
    if expected.startswith("a mapping"):
        return "write key: value pairs here (check the indentation)"
    if expected.startswith("a string") and isinstance(value, (list, dict)):
        return "write a single string here; quote it if it contains ':', '[' or '{'"
    if value is None:
        return f"write {expected} here (a key with nothing after it is null)"
    if expected.startswith("a string"):
        return f'quote the value: "{_describe(value) if isinstance(value, bool) else value}"'
    return f"write {expected} here"


def _at(body: Any, path: Path) -> Any:
    for part in path:
        try:
            body = body[part]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _to_json(manifest: Manifest, node: Any, path: Path) -> None:
    """Make an object JSON as the API server reads YAML: scalar keys become strings (`8080:` is "8080");
    values JSON has no type for (!!binary, !!set, !!timestamp) are refused."""
    if isinstance(node, dict):
        items = list(node.items())
        node.clear()
        for key, value in items:
            if isinstance(key, bool) or key is None:
                key = "null" if key is None else str(key).lower()
            elif isinstance(key, (int, float)):
                key = str(key)
            elif not isinstance(key, str):
                _fail(manifest, path, f"has a key of type {type(key).__name__}", "write keys as plain strings")
            node[key] = value
            _to_json(manifest, value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _to_json(manifest, value, (*path, index))
    elif not isinstance(node, (str, int, float, bool, type(None))):
        _fail(manifest, path, f"is a YAML {type(node).__name__}, which Kubernetes objects cannot hold",
              "quote the value to make it a string")
