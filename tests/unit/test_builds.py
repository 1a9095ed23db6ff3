"""Images built from the working tree are rebuilt by `up` exactly when what their build sends changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devenv import builds


def context(tmp_path: Path, files: dict[str, str], dockerignore: str = "") -> Path:
    root = tmp_path / "ctx"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if dockerignore:
        (root / ".dockerignore").write_text(dockerignore)
    return root


SOURCE = {"Dockerfile": "FROM scratch\nCOPY . /app\n", "app.py": "print(1)\n", "lib/util.py": "x = 1\n",
          "node_modules/pkg/index.js": "1", "build/out.bin": "b", ".git/HEAD": "ref"}


@pytest.mark.parametrize("edit, changes", [
    ("app.py", True),
    ("lib/util.py", True),
    ("lib/new.py", True),  # a new file
    ("Dockerfile", True),
    ("node_modules/pkg/index.js", False),  # left out by .dockerignore
    ("build/out.bin", False),  # a directory pattern covers what is below it
    ("build/keep.txt", True),  # re-included with `!`
    (".git/HEAD", False),  # never sent in practice
    ("notes.log", False),  # `*.log`
])
def test_a_fingerprint_changes_exactly_when_the_build_would_send_something_else(tmp_path: Path, edit: str,
                                                                                 changes: bool) -> None:
    root = context(tmp_path, SOURCE, "node_modules\n# comment\n/build\n!build/keep.txt\n*.log\n")
    before = builds.fingerprint(root, {})
    path = root / edit
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("edited")
    stamp = os.stat(path).st_mtime_ns + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))  # a change within the clock's resolution still counts
    assert (builds.fingerprint(root, {}) != before) is changes


def test_build_settings_are_part_of_the_fingerprint(tmp_path: Path) -> None:
    root = context(tmp_path, SOURCE)
    assert builds.fingerprint(root, {"args": {"V": "1"}}) != builds.fingerprint(root, {"args": {"V": "2"}})
    assert builds.fingerprint(root, {"target": "dev"}) != builds.fingerprint(root, {})


def test_only_services_built_from_source_are_fingerprinted_and_stale_until_remembered(tmp_path: Path) -> None:
    root = context(tmp_path, SOURCE)
    services = {"web": {"image": "nginx:1.27"}, "api": {"image": "devenv.local/api:dev", "build": {"context": "ctx"}}}
    current = builds.fingerprints(services, tmp_path)
    assert list(current) == ["api"]
    state = tmp_path / ".devenv"
    assert builds.stale(current, state, "tiny") == ([], ["api"])  # no record (the caller looks for the image)
    builds.remember(current, state, "tiny")
    assert builds.stale(current, state, "tiny") == ([], [])
    builds.remember({"api": "an older context"}, state, "tiny@build-box")
    assert builds.stale(current, state, "tiny@build-box") == (["api"], [])  # images live on each engine
    assert (state / builds.STATE_FILE).stat().st_mode & 0o777 == 0o600
    (root / "app.py").write_text("print(2)\n")
    os.utime(root / "app.py", ns=(1, 1))
    assert builds.stale(builds.fingerprints(services, tmp_path), state, "tiny") == (["api"], [])


def test_a_damaged_record_is_no_record(tmp_path: Path) -> None:
    state = tmp_path / ".devenv"
    state.mkdir()
    (state / builds.STATE_FILE).write_text("{not json")
    assert builds.stale({"api": "abc"}, state, "tiny") == ([], ["api"])
    builds.remember({"api": "abc"}, state, "tiny")
    assert builds.stale({"api": "abd"}, state, "tiny") == (["api"], [])
