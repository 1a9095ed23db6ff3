"""The content-keyed render cache of devenv.sources.load, through load_environment, for a Helm and a Kustomize
environment declared in a devenv.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devenv.config import load_config
from devenv.sources.load import load_environment
from devenv.sources.tools import find_kustomize

CASES = Path(__file__).resolve().parents[2] / "cases"

CONFIG = """
[project]
name = "cache-test"
mirror = "shop"

[envs.shop]
helm = "charts/shop"
values = ["charts/shop/values-dev.yaml", "charts/shop/values-team.yaml"]
set = { "image.tag" = "3.0.0" }
release = "demo"
namespace = "shop"

[envs.staging]
kustomize = "deploy/overlays/staging"
"""


@pytest.fixture
def config(tmp_path: Path):
    shutil.copytree(CASES / "helm" / "shop", tmp_path / "charts" / "shop")
    shutil.copytree(CASES / "kustomize", tmp_path / "deploy")
    (tmp_path / "devenv.toml").write_text(CONFIG)
    return load_config(tmp_path / "devenv.toml")


def bodies(loaded) -> list[dict]:
    return [m.body for m in loaded.manifests]


def test_helm_render_is_reused_until_an_input_changes(config):
    env = config.env("shop")
    first = load_environment(config, env)
    second = load_environment(config, env)
    assert first.cached is False
    assert second.cached is True
    assert bodies(second) == bodies(first)
    assert any(m.name == "demo-shop" for m in first.manifests)

    values = config.root / "charts" / "shop" / "values-team.yaml"
    values.write_text(values.read_text() + "greeting: changed by the test\n")
    third = load_environment(config, env)
    assert third.cached is False
    settings = next(m for m in third.manifests if m.name == "demo-shop-settings")
    assert settings.body["data"]["GREETING"] == "changed by the test"
    assert load_environment(config, env).cached is True


def test_helm_subchart_template_is_an_input(config):
    env = config.env("shop")
    load_environment(config, env)
    template = config.root / "charts" / "shop" / "charts" / "cache" / "templates" / "statefulset.yaml"
    template.write_text(template.read_text() + "\n# touched: the content changed, so the key does\n")
    assert load_environment(config, env).cached is False


def test_uncached_load_never_reads_nor_writes_the_cache(config):
    env = config.env("shop")
    assert load_environment(config, env, use_cache=False).cached is False
    assert not (config.state_dir / "cache").exists()
    assert load_environment(config, env).cached is False


@pytest.mark.skipif(find_kustomize() is None, reason="neither kustomize nor kubectl is installed")
def test_kustomize_render_is_reused_until_an_input_changes(config):
    env = config.env("staging")
    first = load_environment(config, env)
    second = load_environment(config, env)
    assert (first.cached, second.cached) == (False, True)
    assert bodies(second) == bodies(first)

    settings = config.root / "deploy" / "base" / "settings.properties"  # read through the base, by a generator
    settings.write_text(settings.read_text() + "feature.reviews=on\n")
    third = load_environment(config, env)
    assert third.cached is False
    config_map = next(m for m in third.manifests if m.kind == "ConfigMap")
    assert "feature.reviews=on" in config_map.body["data"]["settings.properties"]
    assert load_environment(config, env).cached is True
