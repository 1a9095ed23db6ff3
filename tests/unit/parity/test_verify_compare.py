"""`devenv verify`'s comparison, engine-free: a rendered project against observed containers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pytest

from devenv import pipeline
from devenv.config import load_config
from devenv.parity.formats import FORMATS
from devenv.parity.verify import (
    ExpectedService,
    compare,
    expectations,
    read_env_file,
    wanted,
)

IMAGE_ID = "sha256:" + "1" * 64


@dataclass(frozen=True)
class FakeImage:
    id: str = IMAGE_ID
    repo_digests: tuple[str, ...] = ()
    env_names: frozenset[str] = frozenset({"IMAGE_OWN"})


@dataclass
class FakeContainer:
    name: str
    service: str
    role: str
    object: str
    image_ref: str
    env: dict[str, str]
    files: dict[str, bytes | None] = field(default_factory=dict)
    status: str = "running"
    health: str = ""
    exit_code: int = 0
    image: FakeImage = FakeImage()


@dataclass
class FakeObservation:
    project: str
    containers: list[FakeContainer]
    resolved: dict[str, FakeImage | None]


def faithful(service: ExpectedService) -> FakeContainer:
    """A container that runs exactly what was rendered (plus the runtime's and the image's own names)."""
    env = {name: var.value for name, var in service.env.items()}
    env.update({"PATH": "/bin", "HOSTNAME": "x", "IMAGE_OWN": "from the image"})
    return FakeContainer(f"p-{service.name}-1", service.name, service.role, str(service.obj), service.image, env,
                         {path: file.content for path, file in service.files.items()})


@pytest.fixture
def rendered(case: Callable[[str], Path]) -> pipeline.Rendered:
    config = load_config(case("planted"))
    result = pipeline.render(config)
    pipeline.write(result)
    return result


def observe(expected: dict[str, ExpectedService], **changes: FakeContainer) -> FakeObservation:
    containers = [changes.get(name, faithful(service)) for name, service in sorted(expected.items())]
    images, _ = wanted(expected)
    return FakeObservation("p", containers, {ref: FakeImage() for ref in images})


def codes(deltas: list) -> list[tuple[str, str, str, str, str]]:
    return [(d.code, str(d.object), d.field, d.prod, d.local) for d in deltas]


def test_a_faithful_stack_has_no_drift(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    assert set(expected) == {"app", "app-pod"}
    app = expected["app"]
    assert app.env["PASSWORD"].secret and app.env["PASSWORD"].value
    assert app.env["LOG_LEVEL"].value == "warn"
    assert set(app.files) == {"/etc/secret/apikey", "/etc/secret/password", "/etc/secret/token"}
    assert all(f.secret for f in app.files.values())
    assert compare(expected, observe(expected)) == []


def test_env_changed_extra_and_missing(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    app = faithful(expected["app"])
    app.env["LOG_LEVEL"] = "debug"
    app.env["EXTRA"] = "by-hand-value-42"
    del app.env["PASSWORD"]
    found = codes(compare(expected, observe(expected, app=app)))
    assert found == [
        ("runtime-env", "Deployment/shop/app", "services.app.environment.EXTRA", "absent", "set (value not shown)"),
        ("runtime-env", "Deployment/shop/app", "services.app.environment.LOG_LEVEL", "warn", "debug"),
        ("runtime-env", "Deployment/shop/app", "services.app.environment.PASSWORD", "set", "absent"),
    ]


def test_a_changed_secret_is_reported_but_never_shown(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    original = expected["app"].env["PASSWORD"].value
    app = faithful(expected["app"])
    app.env["PASSWORD"] = "hand-set-secret-9981"
    deltas = compare(expected, observe(expected, app=app))
    assert codes(deltas) == [("runtime-env", "Deployment/shop/app", "services.app.environment.PASSWORD",
                              "redacted", "redacted, differs")]
    for render in FORMATS.values():
        text = render(deltas, {"command": "verify", "project": "p"})
        assert "hand-set-secret-9981" not in text and original not in text


def test_secret_values_are_read_from_the_state_directory(rendered: pipeline.Rendered) -> None:
    env_file = rendered.config.state_dir / "compose.env"
    values = read_env_file(env_file)
    assert values and all(values.values())
    name = next(iter(values))
    env_file.write_text(env_file.read_text().replace(values[name], "rotated-locally"))
    expected = expectations(rendered)
    assert "rotated-locally" in {v.value for s in expected.values() for v in s.env.values()}


def test_mounted_file_changed_on_disk_and_in_the_container(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    path = "/etc/secret/token"
    expected["app"].files[path].host.write_text("edited on disk")
    app = faithful(expected["app"])
    app.files[path] = b"edited on disk"
    deltas = compare(expected, observe(expected, app=app))
    assert codes(deltas) == [("runtime-file", "Deployment/shop/app", f"services.app.volumes[{path}]",
                              "redacted", "redacted")]
    assert "changed on disk" in deltas[0].reason and "changed in the container" in deltas[0].reason


def test_state_image_and_missing_service(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    app = faithful(expected["app"])
    app.status, app.exit_code = "exited", 137
    app.image = FakeImage(id="sha256:" + "2" * 64)
    observation = observe(expected, app=app)
    observation.containers = [c for c in observation.containers if c.service != "app-pod"]
    observation.containers.append(replace(faithful(expected["app"]), name="stray", service="stray", object=""))
    found = codes(compare(expected, observation))
    assert ("runtime-state", "Deployment/shop/app", "services.app.state", "running", "exited (exit code 137)") in found
    assert ("runtime-state", "Deployment/shop/app", "services.app-pod.state", "running", "no container") in found
    assert any(c[0] == "runtime-image" and c[2] == "services.app.image" for c in found)
    assert any(c[0] == "runtime-state" and c[2] == "services.stray" for c in found)


def test_a_pinned_digest_that_does_not_match_is_an_error(rendered: pipeline.Rendered) -> None:
    expected = expectations(rendered)
    digest = "sha256:" + "a" * 64
    expected["app"].image = f"busybox@{digest}"
    app = faithful(expected["app"])
    app.image = FakeImage(repo_digests=("busybox@sha256:" + "b" * 64,))
    deltas = [d for d in compare(expected, observe(expected, app=app)) if d.field == "services.app.image@digest"]
    assert len(deltas) == 1 and deltas[0].severity == "error" and deltas[0].prod == digest
    app.image = FakeImage(repo_digests=(f"busybox@{digest}",))
    assert not [d for d in compare(expected, observe(expected, app=app)) if d.field == "services.app.image@digest"]
