"""devenv.toml's [publish] and [secrets] checked against the rendered environment: a key that names no
Service, no Service port, no Secret or no key of a Secret is a typo that would otherwise be silent (a port
never published, a local value never used), so it is an error naming the key, with a "did you mean"."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from devenv.errors import InputError
from devenv.k8s.manifest import Manifest
from devenv.k8s.secrets import SECRET_KINDS, secret_keys, secret_name

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def check_config_refs(manifests: list[Manifest], publish: dict[str, tuple[int, ...]],
                      secrets: dict[str, dict[str, str]], asked: set[tuple[str, str, str]],
                      env_name: str, where: str) -> None:
    """Raise InputError for the first [publish] or [secrets] key the environment's manifests do not back.

    `asked` holds the (namespace, secret, key) triples the translation read: a Secret a pod references but
    no manifest defines (made by hand in production) is a valid [secrets] entry too."""
    _check_publish(manifests, publish, env_name, where)
    _check_secrets(manifests, secrets, asked, env_name, where)


def _check_publish(manifests: list[Manifest], publish: dict[str, tuple[int, ...]], env_name: str,
                   where: str) -> None:
    services = [m for m in manifests if m.kind == "Service"]
    for key, ports in publish.items():
        dotted = _dotted("publish", key)
        matching = [s for s in services if key in (s.name, f"{s.namespace}/{s.name}")]
        if not matching:
            names = sorted({s.name for s in services} | {f"{s.namespace}/{s.name}" for s in services})
            raise InputError(f"key '{dotted}' names no Service of environment '{env_name}'", where=where,
                             hint=_did_you_mean(key, names) or _listed("Services", names))
        declared = {p.get("port") for s in matching for p in s.spec.get("ports") or [] if isinstance(p, dict)}
        for port in ports:
            if port not in declared:
                shown = ", ".join(str(p) for p in sorted(p for p in declared if isinstance(p, int))) or "none"
                raise InputError(f"key '{dotted}' lists port {port}, which Service {key} does not declare in "
                                 f"environment '{env_name}' (its ports: {shown})", where=where,
                                 hint="list Service ports (spec.ports[].port), not container ports")


def _check_secrets(manifests: list[Manifest], secrets: dict[str, dict[str, str]],
                   asked: set[tuple[str, str, str]], env_name: str, where: str) -> None:
    producers = {f"{m.namespace}/{secret_name(m)}": m for m in manifests if m.kind in SECRET_KINDS}
    referenced = {f"{namespace}/{name}" for namespace, name, _ in asked}
    for ref, values in secrets.items():
        dotted = _dotted("secrets", ref)
        producer = producers.get(ref)
        if producer is None and ref not in referenced:
            known = sorted(set(producers) | referenced)
            raise InputError(f"key '{dotted}' names no Secret of environment '{env_name}' (none is defined or "
                             "read by a container there)", where=where,
                             hint=_did_you_mean(ref, known) or _listed("Secrets", known))
        if producer is None or producer.kind not in ("Secret", "SealedSecret"):
            continue  # the keys of an ExternalSecret's remote data are not all written in the manifest
        keys = secret_keys(producer)
        namespace, name = ref.split("/", 1)
        for key in values:
            if key not in keys and (namespace, name, key) not in asked:
                raise InputError(f"key '{dotted}.{_quoted(key)}' names no key of {producer.kind} {ref} in "
                                 f"environment '{env_name}'", where=where,
                                 hint=_did_you_mean(key, keys) or _listed("keys", keys))


def _dotted(table: str, key: str) -> str:
    return f"{table}.{_quoted(key)}"


def _quoted(key: str) -> str:
    return key if _BARE_KEY.match(key) else f'"{key}"'


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The closest choice; a NAMESPACE/NAME key also matches the same name in another namespace."""
    choices = list(choices)
    name = word.rpartition("/")[2]
    same_name = [c for c in choices if "/" in word and "/" in c and c.rpartition("/")[2] == name]
    close = same_name or difflib.get_close_matches(word, choices, n=1)
    return f"did you mean '{close[0]}'?" if close else ""


def _listed(what: str, names: Iterable[str]) -> str:
    shown = sorted(names)
    if not shown:
        return f"there are no {what} here"
    return f"known {what}: {', '.join(shown[:12])}{', ...' if len(shown) > 12 else ''}"
