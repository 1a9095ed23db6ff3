"""[mirrors]: a key is a prefix of the reference as written; production's images are rewritten and
reported as image-mirrored, devenv's own images (sandbox, gateway, external mocks) are rewritten too."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.config import load_config
from devenv.pipeline import options_for
from devenv.translate.images import mirrored
from tests.unit.translate_helpers import run

# (case id, mirrors, reference, expected local reference)
CASES = [
    ("repository-prefix", (("postgres:", "devenv-test/postgres:"),), "postgres:16.4", "devenv-test/postgres:16.4"),
    ("whole-reference", (("postgres:16.4", "devenv-test/postgres:16.4"),), "postgres:16.4", "devenv-test/postgres:16.4"),
    ("registry-prefix", (("registry.example.com/", "mirror.example/"),), "registry.example.com/shop/api:1.2",
     "mirror.example/shop/api:1.2"),
    ("digest-kept", (("postgres:", "devenv-test/postgres:"),), "postgres:16.4@sha256:" + "a" * 64,
     "devenv-test/postgres:16.4@sha256:" + "a" * 64),
    ("no-match", (("postgres:", "devenv-test/postgres:"),), "redis:7.4.1", "redis:7.4.1"),
    ("tag-separator-keeps-postgrest-apart", (("postgres:", "devenv-test/postgres:"),), "postgrest/postgrest:v12.2.3",
     "postgrest/postgrest:v12.2.3"),
    ("first-match-wins", (("nginx:1.27.2", "a/nginx:1.27.2"), ("nginx:", "b/nginx:")), "nginx:1.27.2", "a/nginx:1.27.2"),
    ("later-key-when-first-misses", (("nginx:1.27.2", "a/nginx:1.27.2"), ("nginx:", "b/nginx:")), "nginx:1.25",
     "b/nginx:1.25"),
    # keys match the reference as written: an implicit Docker Hub name is not expanded
    ("written-form-only", (("docker.io/library/postgres:", "m/postgres:"),), "postgres:16.4", "postgres:16.4"),
    ("empty-reference", (("nginx:", "b/nginx:"),), "", ""),
]


@pytest.mark.parametrize(("mirrors", "reference", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_mirrored(mirrors: tuple[tuple[str, str], ...], reference: str, expected: str) -> None:
    assert mirrored(reference, mirrors) == expected


POD = """
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop}
spec:
  containers: [{name: db, image: "postgres:16.4"}, {name: cache, image: "redis:7.4.1"}]
"""


def test_production_images_are_mirrored_and_each_is_reported() -> None:
    output = run(POD, mirrors=(("postgres:16.4", "devenv-test/postgres:16.4"),))
    images = {name: service["image"] for name, service in output.services.items()}
    assert (images["db-db"], images["db-cache"]) == ("devenv-test/postgres:16.4", "redis:7.4.1")
    found = [(d.code, d.field, d.prod, d.local) for d in output.deltas if d.code == "image-mirrored"]
    assert found == [("image-mirrored", "spec.containers[0].image", "postgres:16.4", "devenv-test/postgres:16.4")]


CONFIG = """
[envs.prod]
manifests = ["k8s"]

[local]
gateway = "nginx:1.27.2"

[external.payments-mock]
match = "https://api.payments-provider.io"
replace = "http://payments-mock:8080"
image = "busybox:1.36.1"

[mirrors]
"busybox:1.36.1" = "devenv-test/busybox:1.36.1"
"nginx:" = "devenv-test/nginx:"
"""


def test_devenvs_own_images_go_through_the_mirrors(tmp_path: Path) -> None:
    (tmp_path / "devenv.toml").write_text(CONFIG)
    options = options_for(load_config(tmp_path / "devenv.toml"), tmp_path / "compose")
    assert options.helper_image == "devenv-test/busybox:1.36.1"  # the default sandbox image
    assert options.gateway_image == "devenv-test/nginx:1.27.2"
    assert [e.image for e in options.externals] == ["devenv-test/busybox:1.36.1"]


def test_without_mirrors_devenvs_own_images_are_unchanged(tmp_path: Path) -> None:
    (tmp_path / "devenv.toml").write_text(CONFIG.split("[mirrors]")[0])
    options = options_for(load_config(tmp_path / "devenv.toml"), tmp_path / "compose")
    assert (options.helper_image, options.gateway_image, options.externals[0].image) == (
        "busybox:1.36.1", "nginx:1.27.2", "busybox:1.36.1")


def test_a_mirror_that_changes_the_tag_is_a_substitution() -> None:
    output = run(POD, mirrors=(("redis:7.4.1", "registry.local/redis:7.2"),))
    found = [(d.code, d.severity, d.prod, d.local) for d in output.deltas if d.code.startswith("image-") and
             d.code != "image-not-pinned"]
    assert found == [("image-substituted", "warning", "redis:7.4.1", "registry.local/redis:7.2")]
