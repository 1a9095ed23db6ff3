"""devenv.toml of any shape: every key of a full configuration replaced by a value of each other TOML type, then
loaded and rendered in-process. Each ends in a render or an InputError (exit 2) naming the key: never a traceback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv import pipeline
from devenv.config import load_config
from devenv.errors import InputError

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\n" \
      "spec: {containers: [{name: web, image: 'registry.example.com/web:1', ports: [{containerPort: 80}]}]}\n" \
      "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n" \
      "---\napiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: cHJvZA==}\n"
#: every section and key devenv.toml knows, with a value of the right type
FULL: dict[str, Any] = {
    "project": {"name": "fuzz", "mirror": "prod", "out": "compose", "state_dir": ".devenv"},
    "envs": {
        "prod": {"manifests": ["k8s"], "namespace": "shop"},
        "chart": {"helm": "chart", "values": ["values.yaml"], "set": {"replicas": 2, "debug": True},
                  "release": "shop", "namespace": "shop", "kube_version": "1.30.0"},
        "overlay": {"kustomize": "overlay"},
    },
    "local": {"helper_image": "busybox:1.36.1", "timeout": 120, "seed_on_up": False, "gateway": "nginx:1.27.2",
              "service_links": True},
    "publish": {"web": [80]},
    "secrets": {"shop/db": {"password": "local"}},
    "accept": [{"code": "replicas-reduced", "reason": "one is enough", "kind": "Deployment", "namespace": "shop",
                "name": "web", "field": "spec.replicas", "expires": dt.date(2099, 1, 1)}],
    "build": {"registry.example.com/web": {"context": "src", "dockerfile": "Dockerfile", "target": "dev",
                                           "args": {"VERSION": "1"},
                                           "watch": [{"action": "sync", "path": "app", "target": "/app"}]}},
    "mirrors": {"registry.example.com": "localhost:5000"},
    "external": {"payments-mock": {"match": "https://pay.example.com", "replace": "http://payments-mock:8080",
                                   "image": "busybox:1.36.1", "command": ["sh", "-c", "sleep 1d"]}},
    "seed": {},
}
REPLACEMENTS: dict[str, Any] = {"str": "fuzz", "int": 7, "bool": True, "float": 1.5, "list": ["fuzz"],
                                "table": {"fuzz": "fuzz"}, "date": dt.date(2024, 1, 1)}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_text(config: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in config.items())


def type_of(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "table"}.get(type(value), "date")


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key), value
        yield from paths(value, (*prefix, key))


def mutated(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    config = json.loads(json.dumps(FULL, default=str))
    config["accept"][0]["expires"] = FULL["accept"][0]["expires"]
    node = config
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return config


CASES = [(path, value) for path, original in paths(FULL) for kind, value in REPLACEMENTS.items()
         if kind != type_of(original)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-config")
    for folder in ("k8s", "chart", "overlay", "src"):
        (root / folder).mkdir()
    (root / "k8s" / "web.yaml").write_text(POD)
    (root / "values.yaml").write_text("replicas: 1\n")
    return root


def test_there_are_cases_for_every_key() -> None:
    assert len(CASES) > 300
    assert {path[0] for path, _ in CASES} == set(FULL)


def test_the_full_configuration_renders(project: Path) -> None:
    (project / "devenv.toml").write_text(toml_text(FULL))
    rendered = pipeline.render(load_config(project / "devenv.toml"))
    assert "web" in rendered.output.services


@pytest.mark.parametrize("path, value", CASES, ids=[f"{'.'.join(map(str, p))}={v!r}" for p, v in CASES])
def test_a_mistyped_key_renders_or_is_named(project: Path, path: tuple[Any, ...], value: Any) -> None:
    (project / "devenv.toml").write_text(toml_text(mutated(path, value)))
    try:
        config = load_config(project / "devenv.toml")
        for name in config.envs:
            config.env(name)
        pipeline.write(pipeline.render(config))
    except InputError as exc:
        key = str(path[0])
        assert key in exc.what or key in exc.where or key in exc.hint, exc  # the message names the section
        assert "Traceback" not in exc.what


@pytest.mark.parametrize("content, fragment", [
    (b"[envs.a]\nmanifests = ['k8s']\n# caf\xe9\n", "not UTF-8"),
    (b"\xff\xfe[\x00e\x00", "not UTF-8"),
    (b"publish = true\n[envs.a]\nmanifests = ['k8s']\n", "'publish' must be a table"),
    (b"[envs.a]\nmanifests = ['k8s']\n[publish]\nweb = true\n", "publish.web"),
    (b"[envs.a]\nmanifests = ['k8s']\n[local]\ntimeout = true\n", "local.timeout"),
    (b"[envs.a]\nmanifests = ['k8s']\n[local]\ntimeout = 1.5\n", "local.timeout"),
])
def test_classic_mistakes_are_one_message(tmp_path: Path, content: bytes, fragment: str) -> None:
    (tmp_path / "devenv.toml").write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_config(tmp_path / "devenv.toml")
    assert fragment in str(caught.value)
