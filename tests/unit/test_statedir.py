"""devenv.statedir and its users: the state directory is private (0700/0600) whatever the umask, looser
modes are tightened, symbolic links are not followed, and `.gitignore` (`*`) is always there."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devenv import ports, stackid, statedir
from devenv.errors import RuntimeFailure
from devenv.translate.secrets_store import LocalSecrets


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=lambda m: f"umask-{m:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_ensure_creates_a_private_ignored_directory(tmp_path: Path, umask: int) -> None:
    state = tmp_path / "project" / ".devenv"
    assert statedir.ensure(state) == state
    assert mode(state) == 0o700
    assert (state / ".gitignore").read_text() == "*\n"
    assert mode(state / ".gitignore") == 0o600


def test_the_gitignore_comes_back_when_removed(tmp_path: Path) -> None:
    state = statedir.ensure(tmp_path / ".devenv")
    (state / ".gitignore").unlink()
    statedir.ensure(state)
    assert (state / ".gitignore").read_text() == "*\n"


@pytest.mark.parametrize("mask", [0o000, 0o022, 0o377], ids=lambda m: f"umask-{m:03o}")
def test_write_private_is_0600_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    target = tmp_path / "secret"
    target.write_text("old")
    target.chmod(0o666)
    old = os.umask(mask)
    try:
        statedir.write_private(target, b"new")
    finally:
        os.umask(old)
    assert (target.read_bytes(), mode(target)) == (b"new", 0o600)
    assert [p.name for p in tmp_path.iterdir()] == ["secret"], "no temporary file is left"


def test_open_private_tightens_an_existing_lock(tmp_path: Path, umask: int) -> None:
    lock = tmp_path / "lock"
    lock.write_text("")
    lock.chmod(0o666)
    os.close(statedir.open_private(lock))
    assert mode(lock) == 0o600


def test_loose_modes_are_tightened_but_links_are_not_followed(tmp_path: Path) -> None:
    state = tmp_path / ".devenv"
    (state / "cache" / "render").mkdir(parents=True)
    (state / "files" / "ns" / "pod" / "vol").mkdir(parents=True)
    outside = tmp_path / "outside.txt"
    outside.write_text("not devenv's")
    for path in (state / "ports.json", state / "cache" / "render" / "x.yaml", state / "files" / "ns" / "pod" / "vol" / "k"):
        path.write_text("{}")
        path.chmod(0o644)
    outside.chmod(0o644)
    (state / "link").symlink_to(outside)
    for path in (state, state / "cache", state / "cache" / "render", state / "files"):
        path.chmod(0o755)
    statedir.ensure(state)
    assert {p.name: mode(p) for p in (state, state / "cache", state / "cache" / "render", state / "ports.json",
                                     state / "cache" / "render" / "x.yaml", state / "files")} == {
        ".devenv": 0o700, "cache": 0o700, "render": 0o700, "ports.json": 0o600, "x.yaml": 0o600, "files": 0o700}
    assert mode(outside) == 0o644, "a symbolic link's target is not devenv's to change"
    assert mode(state / "files" / "ns" / "pod" / "vol" / "k") == 0o644, "a mounted Secret keeps its pod mode"


def test_ports_and_project_name_are_private(tmp_path: Path, umask: int) -> None:
    state = tmp_path / ".devenv"
    ports.remember(state, "demo", {"PORT_A": 8080}, {"PORT_A": "8080"})
    name = stackid.project_name("demo", None, state, environ={"CI": "true", "GITHUB_RUN_ID": "7"})
    assert json.loads((state / "ports.json").read_text())["demo"] == {"PORT_A": 8080}
    assert (state / "project").read_text() == name + "\n"
    assert {p.name: mode(p) for p in state.iterdir()} == {".gitignore": 0o600, "ports.json": 0o600, "project": 0o600}
    assert mode(state) == 0o700


def test_local_secrets_are_private(tmp_path: Path, umask: int) -> None:
    store = tmp_path / ".devenv" / "secrets.json"
    secrets = LocalSecrets(store)
    value = secrets.value("ns", "db", "password")
    secrets.save()
    assert json.loads(store.read_text()) == {"ns/db/password": value}
    assert (mode(store), mode(store.parent)) == (0o600, 0o700)


def test_a_file_in_the_way_is_one_clear_failure(tmp_path: Path) -> None:
    (tmp_path / ".devenv").write_text("not a directory")
    with pytest.raises(RuntimeFailure, match="in the way") as caught:
        statedir.ensure(tmp_path / ".devenv")
    assert caught.value.hint


def test_a_render_with_a_file_in_the_way_exits_3_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "devenv.toml").write_text('[envs.prod]\nmanifests = ["k8s.yaml"]\n')
    (tmp_path / ".devenv").write_text("not a directory")
    done = subprocess.run([sys.executable, "-m", "devenv", "render"], cwd=tmp_path, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr and ".devenv" in done.stderr
