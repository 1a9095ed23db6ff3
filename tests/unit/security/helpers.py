"""Hostile manifests built as data (never as YAML text, so any character reaches devenv unchanged)."""

from __future__ import annotations

import copy
from typing import Any

from devenv.k8s.manifest import Manifest, Origin
from devenv.model.output import Output
from devenv.translate.context import Options
from devenv.translate.translate import translate
from tests.unit.translate_helpers import FixedSecrets

SOURCE = "hostile.yaml"


def configmap(data: dict[str, str], name: str = "cfg", namespace: str = "default") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace}, "data": data}


def secret(keys: list[str], name: str = "sec") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
            "data": {key: "cHJvZA==" for key in keys}}


def pod(name: str = "app", namespace: str = "default", volumes: list[Any] | None = None, container: str = "main",
        **fields: Any) -> dict[str, Any]:
    """A Pod with one container (busybox unless `image` is given), plus the container fields given."""
    body: dict[str, Any] = {"name": container, "image": "busybox:1.36.1", **fields}
    spec: dict[str, Any] = {"containers": [body]}
    if volumes is not None:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def ingress(rules: list[Any]) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"rules": rules}}


def http_rule(host: str = "shop.example.com", path: str = "/", path_type: str = "Prefix",
              service: str = "web", port: Any = None) -> dict[str, Any]:
    backend = {"service": {"name": service, "port": port if port is not None else {"number": 80}}}
    return {"host": host, "http": {"paths": [{"path": path, "pathType": path_type, "backend": backend}]}}


def manifests(*bodies: dict[str, Any]) -> list[Manifest]:
    return [Manifest(copy.deepcopy(body), Origin(SOURCE, index)) for index, body in enumerate(bodies)]


def run(*bodies: dict[str, Any], gateway: bool = False) -> Output:
    options = Options(gateway_image="nginx:1.27.2" if gateway else "")
    return translate(manifests(*bodies), options, FixedSecrets())
