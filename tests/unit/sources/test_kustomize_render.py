"""devenv.sources.kustomize: overlays written for the tests (tests/cases/kustomize) and the corpus components,
rendered by the real Kustomize and compared by meaning."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from devenv.errors import InputError
from devenv.k8s.yamlio import parse_manifests
from devenv.sources.kustomize import kustomize_inputs, render_kustomize
from devenv.sources.tools import find_kustomize

CASES = Path(__file__).resolve().parents[2] / "cases" / "kustomize"
CORPUS = Path("/work/shared/corpus/microservices-demo/kustomize")
HASHED = re.compile(r"^(?P<name>.+)-(?P<hash>[a-z0-9]{10})$")

pytestmark = pytest.mark.skipif(find_kustomize() is None, reason="neither kustomize nor kubectl is installed")


def render(path: Path) -> dict[tuple[str, str], object]:
    manifests = parse_manifests(render_kustomize(path, str(path)), "kustomize test render")
    return {(m.kind, m.name): m for m in manifests}


def named(objects: dict, kind: str, stem: str):
    """The one object of `kind` whose name is `stem` plus Kustomize's content hash suffix."""
    found = [m for (k, name), m in objects.items() if k == kind and (match := HASHED.match(name))
             and match["name"] == stem]
    assert len(found) == 1, f"expected one {kind} named {stem}-<hash>, got {[m.name for m in found]}"
    return found[0]


def container(deployment, index: int = 0) -> dict:
    return deployment.spec["template"]["spec"]["containers"][index]


@pytest.fixture(scope="module")
def staging() -> dict:
    return render(CASES / "overlays" / "staging")


@pytest.fixture(scope="module")
def prod() -> dict:
    return render(CASES / "overlays" / "prod")


def test_namespace_prefix_and_suffix(staging):
    assert {m.namespace for m in staging.values()} == {"staging"}
    assert ("Deployment", "stg-web-v2") in staging
    assert ("Deployment", "stg-worker-v2") in staging
    assert ("Service", "stg-web-v2") in staging
    assert all(m.labels.get("app.kubernetes.io/part-of") == "shop" for m in staging.values())


def test_generated_names_are_hashed_and_followed_through_every_reference(staging):
    config = named(staging, "ConfigMap", "stg-app-config-v2")
    secret = named(staging, "Secret", "stg-db-credentials-v2")
    web, worker = staging[("Deployment", "stg-web-v2")], staging[("Deployment", "stg-worker-v2")]
    assert container(web)["envFrom"] == [{"configMapRef": {"name": config.name}}]
    password = next(e for e in container(web)["env"] if e["name"] == "DB_PASSWORD")
    assert password["valueFrom"]["secretKeyRef"] == {"name": secret.name, "key": "password"}
    assert web.spec["template"]["spec"]["volumes"][0]["configMap"]["name"] == config.name
    assert container(worker)["envFrom"] == [{"configMapRef": {"name": config.name}},
                                            {"secretRef": {"name": secret.name}}]


def test_generators_merge_and_replace(staging, prod):
    config = named(staging, "ConfigMap", "stg-app-config-v2")
    assert config.body["data"]["GREETING"] == "hello"  # from the base
    assert config.body["data"]["TIER"] == "staging"  # merged by the overlay
    assert config.body["data"]["DEBUG"] == "true"  # merged by the component
    assert "cache.ttl=60" in config.body["data"]["settings.properties"]  # a file source
    secret = named(staging, "Secret", "stg-db-credentials-v2")
    assert set(secret.body["data"]) == {"username", "password"}  # replaced, base-64 encoded
    base_config = named(prod, "ConfigMap", "app-config")
    assert HASHED.match(config.name)["hash"] != HASHED.match(base_config.name)["hash"]  # content changes the hash


def test_images_transformer(staging, prod):
    assert container(staging[("Deployment", "stg-web-v2")])["image"] == "registry.example.com/shop/web:2.0.0-rc1"
    assert container(staging[("Deployment", "stg-worker-v2")])["image"] == (
        "mirror.example.com/shop/worker@sha256:0000000000000000000000000000000000000000000000000000000000000001")
    assert container(prod[("Deployment", "web")])["image"] == "registry.example.com/shop/web:1.9.4"


def test_strategic_merge_and_json6902_patches(staging):
    web = staging[("Deployment", "stg-web-v2")]
    assert web.spec["replicas"] == 3  # JSON 6902 replace
    assert web.annotations == {"shop.example.com/overlay": "staging"}  # JSON 6902 add
    assert container(web)["resources"] == {"limits": {"memory": "256Mi", "cpu": "500m"}}  # strategic merge file
    names = [e["name"] for e in container(web)["env"]]
    assert names == ["LOG_LEVEL", "DB_PASSWORD"]  # the component's patch merged into the env list
    assert container(web)["ports"] == [{"containerPort": 8080}]  # untouched by the patches


def test_component_deletes_an_object(prod):
    assert {name for kind, name in prod if kind == "Deployment"} == {"web"}
    assert {m.namespace for m in prod.values()} == {"prod"}


def test_inputs_follow_bases_and_components():
    inputs = kustomize_inputs(CASES / "overlays" / "staging")
    for expected in ("base/settings.properties", "base/web.yaml", "components/debug/web-debug.yaml",
                     "overlays/staging/web-resources.yaml"):
        assert (CASES / expected).resolve() in inputs
    assert (CASES / "components" / "no-worker" / "kustomization.yaml").resolve() not in inputs


def test_remote_base_refused_offline():
    with pytest.raises(InputError) as caught:
        render_kustomize(CASES / "remote", "remote")
    error = caught.value
    assert "https://github.com/example-org/shop-manifests" in error.what
    assert "cannot fetch the remote base" in error.what and error.where.endswith("kustomization.yaml")
    assert "vendor" in error.hint
    assert error.details  # the renderer's own words stay available


def test_missing_overlay_and_missing_kustomization(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        render_kustomize(tmp_path / "nowhere", "nowhere")
    with pytest.raises(InputError, match="has no kustomization.yaml"):
        render_kustomize(tmp_path, "empty")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not on this machine")
def test_corpus_base_with_components(tmp_path):
    """A kustomization in tmp_path that takes the corpus base and four of its components (relative paths:
    Kustomize refuses absolute ones)."""
    corpus = Path(os.path.relpath(CORPUS, tmp_path))
    components = ["without-loadgenerator", "non-public-frontend", "custom-base-url", "container-images-tag"]
    (tmp_path / "kustomization.yaml").write_text(
        "resources:\n- " + str(corpus / "base") + "\ncomponents:\n"
        + "".join(f"- {corpus / 'components' / name}\n" for name in components))
    objects = render(tmp_path)
    deployments = {name for kind, name in objects if kind == "Deployment"}
    assert deployments == {"adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice",
                           "frontend", "paymentservice", "productcatalogservice", "recommendationservice",
                           "redis-cart", "shippingservice"}  # without-loadgenerator
    services = {name for kind, name in objects if kind == "Service"}
    assert "frontend-external" not in services and "frontend" in services  # non-public-frontend
    frontend = container(objects[("Deployment", "frontend")])
    assert {"name": "BASE_URL", "value": "/online-boutique"} in frontend["env"]  # custom-base-url, JSON 6902
    assert frontend["readinessProbe"]["httpGet"]["path"] == "/online-boutique/_healthz"
    assert frontend["image"].endswith("/frontend:CONTAINER_IMAGES_TAG")  # container-images-tag
    assert container(objects[("Deployment", "redis-cart")])["image"] == "redis:alpine"  # not listed: unchanged
