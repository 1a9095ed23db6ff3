"""tests/images/build.sh never tags an image under a real image's name: every stand-in is
devenv-test/..., mirrors.toml maps each real reference to its stand-in, and old stand-ins left under
real names are recognised by their label while real images are never touched."""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest

IMAGES = Path(__file__).resolve().parents[1] / "images"
BUILD = IMAGES / "build.sh"
PREFIX = "devenv-test/"
STAND_INS: dict[str, str] = tomllib.loads((IMAGES / "mirrors.toml").read_text(encoding="utf-8"))["mirrors"]


def listed_tags() -> list[str]:
    done = subprocess.run(["bash", str(BUILD), "--list"], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_every_tag_build_sh_writes_is_a_devenv_test_name() -> None:
    tags = listed_tags()
    assert len(tags) == len(set(tags)) >= 7
    assert all(t.startswith(PREFIX) and len(t) > len(PREFIX) for t in tags), tags


def test_mirrors_map_exactly_the_stand_ins_to_their_real_references() -> None:
    assert STAND_INS, "mirrors.toml maps no image"
    assert all(local == PREFIX + real for real, local in STAND_INS.items()), STAND_INS
    assert set(listed_tags()) - set(STAND_INS.values()) == {f"{PREFIX}debian-base:12", f"{PREFIX}busybox:latest"}


def test_every_docker_call_of_build_sh_passes_the_guard() -> None:
    """Only the guard itself reaches the docker binary (`command docker`); everything else calls it."""
    code = [line.split("#", 1)[0] for line in BUILD.read_text(encoding="utf-8").splitlines()]
    bypasses = [line for line in code if "command docker" in line or "/docker " in line or "\\docker" in line]
    assert bypasses == ['  command docker "$@"']


@pytest.fixture
def fake_docker(tmp_path: Path) -> Path:
    """A `docker` on PATH that records its arguments and answers `image inspect` from a label file."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "docker"
    script.write_text(f"""#!/usr/bin/env bash
echo "$*" >> {tmp_path}/calls
if [ "$1 $2" = "image inspect" ]; then
  grep -F -- "${{!#}} " {tmp_path}/labels | cut -d' ' -f2 || true
fi
""")
    script.chmod(0o755)
    (tmp_path / "labels").write_text("")
    return tmp_path


def in_build_sh(fake: Path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Runs `command` with build.sh's functions defined and the fake docker first on PATH."""
    return subprocess.run(["bash", "-c", f'source "$1"; set +e; {command}', "bash", str(BUILD)], check=False,
                          capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{fake / 'bin'}:{os.environ['PATH']}", **env})


def calls(fake: Path) -> list[str]:
    path = fake / "calls"
    return path.read_text().splitlines() if path.exists() else []


# (case id, docker arguments): each names a real image's name as a tag
REFUSED = [
    ("tag", "tag 0123abcd postgres:16.4"),
    ("image-tag", "image tag 0123abcd redis:7.4.1"),
    ("build-t", "build --label x=1 -t nginx:1.27.2 ."),
    ("build-tag-equals", "build --tag=busybox:1.36.1 ."),
    ("build-t-joined", "build -tpython:3.12-slim ."),
    ("build-one-bad-of-two", f"build -t {PREFIX}postgres:16.4 -t postgres:16.4 ."),
    ("bare-prefix", f"tag 0123abcd {PREFIX}"),
]


@pytest.mark.parametrize("arguments", [c[1] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_the_guard_refuses_a_real_name_before_docker_runs(fake_docker: Path, arguments: str) -> None:
    done = in_build_sh(fake_docker, f"docker {arguments}; echo rc=$?")
    assert "rc=1" in done.stdout and "refusing to tag" in done.stderr
    assert calls(fake_docker) == []


@pytest.mark.parametrize("arguments", [f"tag 0123abcd {PREFIX}postgres:16.4", f"build -t {PREFIX}a:1 --tag={PREFIX}b:1 .",
                                       "image inspect postgres:16.4", "images"])
def test_the_guard_lets_our_names_and_other_commands_through(fake_docker: Path, arguments: str) -> None:
    done = in_build_sh(fake_docker, f"docker {arguments}; echo rc=$?")
    assert "rc=0" in done.stdout, done.stderr
    assert calls(fake_docker) == [arguments]


def test_old_stand_ins_under_real_names_are_listed_and_real_images_left_alone(fake_docker: Path) -> None:
    # postgres:16.4 carries build.sh's label (an old stand-in); redis:7.4.1 is a real image (no label)
    (fake_docker / "labels").write_text("postgres:16.4 0f1e2d\n")
    listed = in_build_sh(fake_docker, "legacy_tags")
    assert "postgres:16.4" in listed.stdout and "redis:7.4.1" not in listed.stdout
    assert not [c for c in calls(fake_docker) if not c.startswith("image inspect")]
    removed = in_build_sh(fake_docker, "legacy_tags", DEVENV_IMAGES_REMOVE_LEGACY="1")
    assert [c for c in calls(fake_docker) if not c.startswith("image inspect")] == ["image rm postgres:16.4"]
    assert "untagged old stand-in postgres:16.4" in removed.stdout
