"""`devenv init [PATH]` through the real `main()`: it writes a devenv.toml that loads and renders, refuses to
overwrite one, prints with --stdout, writes paths relative to --out; on every corpus app, what it writes
renders without edits, for every environment it proposes."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devenv.config import load_config
from tests.unit.cli.conftest import Result, manifest

Devenv = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus"
EXAMPLE = ROOT / "examples" / "shop"
RENDER_BOUND = 120  # seconds one render may take before the test fails (the Helm SDK renders in-process)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with plain manifests in k8s/prod and k8s/staging, and no devenv.toml; the working directory."""
    root = tmp_path / "my.repo"
    for env, replicas in (("prod", 2), ("staging", 1)):
        (root / "k8s" / env).mkdir(parents=True)
        (root / "k8s" / env / "app.yaml").write_text(manifest(replicas))
    (root / "README.md").write_text("# my repo\n")
    monkeypatch.chdir(root)
    return root


def test_init_writes_a_devenv_toml_that_renders(devenv: Devenv, repo: Path) -> None:
    result = devenv("init")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {repo / 'devenv.toml'}: 2 environment(s), mirror 'prod'" in result.stdout
    config = load_config(repo / "devenv.toml")
    assert config.project == "myrepo" and config.mirror == "prod"
    assert {name: env.manifests for name, env in config.envs.items()} == {
        "prod": (repo / "k8s" / "prod",), "staging": (repo / "k8s" / "staging",)}
    text = (repo / "devenv.toml").read_text()
    assert 'manifests = ["k8s/prod"]' in text and "# mirror: " in text and "looks like production" in text
    for env in ("prod", "staging"):
        assert devenv("render", "--env", env).exit_code == 0


def test_init_refuses_to_overwrite_a_devenv_toml(devenv: Devenv, repo: Path) -> None:
    (repo / "devenv.toml").write_text("# mine\n")
    result = devenv("init")
    assert result.exit_code == 2
    assert result.stderr.count("error:") == 1 and "devenv.toml already exists" in result.stderr
    assert "--force" in result.stderr and "--stdout" in result.stderr
    assert (repo / "devenv.toml").read_text() == "# mine\n"


def test_init_force_overwrites(devenv: Devenv, repo: Path) -> None:
    (repo / "devenv.toml").write_text("# mine\n")
    assert devenv("init", "--force").exit_code == 0
    assert load_config(repo / "devenv.toml").mirror == "prod"


def test_init_stdout_prints_and_writes_nothing(devenv: Devenv, repo: Path) -> None:
    (repo / "devenv.toml").write_text("# mine\n")
    result = devenv("init", "--stdout")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# devenv.toml proposed by `devenv init`") and '[envs.prod]' in result.stdout
    assert (repo / "devenv.toml").read_text() == "# mine\n"


def test_init_out_writes_paths_relative_to_the_out_dir(devenv: Devenv, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "cfg"
    result = devenv("init", str(repo), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert 'manifests = ["../../my.repo/k8s/prod"]' in (out / "devenv.toml").read_text()
    assert not (repo / "devenv.toml").exists()
    assert devenv("--config", str(out / "devenv.toml"), "render").exit_code == 0
    assert (out / "compose" / "compose.yaml").is_file()


@pytest.mark.parametrize("make, said", [
    (lambda root: (root / "docs").mkdir(), "found no Kustomize overlay, Helm chart or Kubernetes manifest under"),
    (lambda root: (root / "file.txt").write_text(""), "is not a directory"),
])
def test_init_with_nothing_to_find_is_exit_2(devenv: Devenv, tmp_path: Path, make: Callable[[Path], object],
                                            said: str) -> None:
    make(tmp_path)
    target = tmp_path / ("file.txt" if (tmp_path / "file.txt").exists() else "docs")
    result = devenv("init", str(target))
    assert result.exit_code == 2 and said in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_on_the_bundled_example_mirrors_its_prod_overlay(devenv: Devenv, tmp_path: Path) -> None:
    result = devenv("init", str(EXAMPLE), "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    config = load_config(tmp_path / "devenv.toml")
    assert config.mirror == "prod"
    assert {name: env.kustomize.resolve() for name, env in config.envs.items() if env.kustomize} == {
        "prod": EXAMPLE / "deploy" / "overlays" / "prod", "staging": EXAMPLE / "deploy" / "overlays" / "staging"}
    assert "#   deploy/base: a Kustomize base of deploy/overlays/prod, deploy/overlays/staging" in (
        tmp_path / "devenv.toml").read_text()


# --- the corpus: what init writes renders without edits ------------------------------------------------

#: per corpus app: the environments init proposes (name -> kind), the mirror, and what it names but skips
CORPUS_APPS = {
    "microservices-demo": ({"helm-chart": "helm", "kubernetes-manifests": "kustomize", "kustomize": "kustomize",
                            "memorystore-with-all-components": "kustomize",
                            "service-mesh-istio-with-all-components": "kustomize",
                            "spanner-with-all-components": "kustomize"},
                           "helm-chart", ["kustomize/base: a Kustomize base of kustomize, kustomize/tests/",
                                          "kustomize/components/{alloydb, "]),
    "opentelemetry-demo": ({"opentelemetry-demo": "plain"}, "opentelemetry-demo", []),
    "bitnami-wordpress": ({"bitnami-wordpress": "helm"}, "bitnami-wordpress",
                          ["charts/mariadb: a subchart of bitnami-wordpress, rendered with it",
                           "charts/memcached: a subchart of bitnami-wordpress, rendered with it",
                           "charts/common: a subchart of bitnami-wordpress, rendered with it"]),
    "sock-shop": ({"sock-shop": "plain"}, "sock-shop", []),
}


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    def expired(*_: object) -> None:
        raise TimeoutError(f"a render took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
@pytest.mark.parametrize("app", sorted(CORPUS_APPS))
def test_init_on_a_corpus_app_renders_every_environment_without_edits(devenv: Devenv, tmp_path: Path,
                                                                      app: str) -> None:
    expected, mirror, skipped = CORPUS_APPS[app]
    if "helm" in expected.values() and shutil.which("helm") is None:
        pytest.importorskip("helm_python")
    out = tmp_path / "project"
    result = devenv("init", str(CORPUS / app), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    config = load_config(out / "devenv.toml")
    assert {name: env.kind for name, env in config.envs.items()} == expected
    assert config.mirror == mirror
    text = (out / "devenv.toml").read_text()
    for line in skipped:
        assert line in text, text
    assert f'"{CORPUS}' not in text  # paths relative to devenv.toml's folder, not absolute
    for name in expected:
        with at_most(RENDER_BOUND):
            rendered = devenv("--config", str(out / "devenv.toml"), "render", "--env", name, "--out",
                              str(out / "compose" / name))
        assert rendered.exit_code == 0, f"{app} [envs.{name}]: {rendered.stderr}"
        assert (out / "compose" / name / "compose.yaml").is_file()
