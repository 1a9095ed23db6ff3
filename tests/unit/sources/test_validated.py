"""Validation once per content: a warm load of unchanged manifests does not validate again; a changed file,
`--no-cache` or a text that needed fixing up (non-string keys) does; only digests are stored, mode 600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devenv.config import load_config
from devenv.errors import InputError
from devenv.sources import validated as module
from devenv.sources.load import load_environment

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx}]}\n"


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many objects each validation call judged."""
    calls: list[int] = []
    real = module.validate_manifests

    def counting(manifests):  # type: ignore[no-untyped-def]
        calls.append(len(manifests))
        return real(manifests)

    monkeypatch.setattr(module, "validate_manifests", counting)
    return calls


def project(tmp_path: Path, pod: str = POD) -> Path:
    (tmp_path / "k8s").mkdir(exist_ok=True)
    (tmp_path / "k8s" / "pod.yaml").write_text(pod)
    (tmp_path / "k8s" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "devenv.toml").write_text('[envs.a]\nmanifests = ["k8s"]\n')
    return tmp_path / "devenv.toml"


def load(path: Path, use_cache: bool = True) -> int:
    config = load_config(path)
    return len(load_environment(config, config.env(None), use_cache).manifests)


def test_a_warm_load_does_not_validate_again(tmp_path: Path, counted: list[int]) -> None:
    path = project(tmp_path)
    assert load(path) == 2 and counted == [1, 1]
    assert load(path) == 2 and counted == [1, 1]
    (tmp_path / "k8s" / "pod.yaml").write_text(POD.replace("nginx", "nginx:1.27"))
    load(path)
    assert counted == [1, 1, 1]  # only the changed file


def test_a_refused_text_is_refused_every_time(tmp_path: Path) -> None:
    path = project(tmp_path, POD.replace("name: web, image", "name: web server, image"))
    for _ in range(2):
        with pytest.raises(InputError, match="'web server' is not a DNS-1123 label"):
            load(path)


def test_no_cache_validates_and_stores_nothing(tmp_path: Path, counted: list[int]) -> None:
    path = project(tmp_path)
    load(path)
    load(path, use_cache=False)
    assert counted == [1, 1, 1, 1]


def test_a_text_fixed_up_is_validated_every_time(tmp_path: Path, counted: list[int]) -> None:
    path = project(tmp_path)
    (tmp_path / "k8s" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {80: a}\n")
    load(path)
    load(path)
    assert counted == [1, 1, 1]  # the pod once, the ConfigMap with an integer key both times


def test_only_digests_are_kept_private(tmp_path: Path) -> None:
    path = project(tmp_path, POD.replace("nginx", "secret-registry.example/nginx"))
    load(path)
    store = tmp_path / ".devenv" / "cache" / "validated"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    lines = store.read_text().split()
    assert len(lines) == 2 and all(len(line) == 64 and int(line, 16) >= 0 for line in lines)
