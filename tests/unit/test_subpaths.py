"""subPath planning on untrusted input: a subPath never leaves its volume, its companion entry is one
path component, and the preparation script, run for real by `sh` against a scratch tree, does what it
says whatever the subPath's characters (no shell injection) and never writes outside its volumes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.translate.subpaths import ENTRIES_ROOT, VOLUMES_ROOT, clean_sub_path, entry_name
from tests.unit.translate_helpers import run

segment = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=12)
sub_paths = st.lists(st.one_of(segment, st.just(".."), st.just(".")), min_size=1, max_size=4).map("/".join)


@given(st.one_of(sub_paths, sub_paths.map(lambda p: "/" + p)))
def test_a_clean_sub_path_stays_inside_its_volume(text: str) -> None:
    clean = clean_sub_path(text)
    if clean is not None and clean:
        assert not clean.startswith("/") and ".." not in clean.split("/")


@given(sub_paths, sub_paths)
def test_entries_are_one_component_and_distinct(first: str, second: str) -> None:
    assert "/" not in entry_name(first) and entry_name(first) not in (".", "..")
    if first != second:
        assert entry_name(first) != entry_name(second)


def _pod(names: list[str]) -> str:
    return yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "initContainers": [{"name": "writer", "image": "example/w:1", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
        "containers": [{"name": "app", "image": "example/a:1", "volumeMounts": [
            {"name": "v", "mountPath": f"/m{i}", "subPath": name} for i, name in enumerate(names)]}],
        "volumes": [{"name": "v", "emptyDir": {}}]}})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(segment.filter(lambda s: s not in (".", "..")), min_size=1, max_size=3, unique=True))
def test_the_preparation_script_moves_what_was_written_and_nothing_else(tmp_path_factory, names: list[str]) -> None:
    output = run(_pod(names))
    step = output.services["p-pod-volumes-1"]
    script = step["entrypoint"][2].replace("$$", "$")
    root = tmp_path_factory.mktemp("pod")
    volume, entries = root / "volumes" / "0", root / "subpaths" / "0"
    volume.mkdir(parents=True)
    entries.mkdir(parents=True)
    (volume / names[0]).write_text("written by the init container")  # one subPath was written, others not
    local = script.replace(VOLUMES_ROOT, str(root / "volumes")).replace(ENTRIES_ROOT, str(root / "subpaths"))
    done = subprocess.run(["sh", "-c", local], capture_output=True, text=True, cwd=root, check=False,
                          env={"PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    assert (entries / entry_name(names[0])).read_text() == "written by the init container"
    for name in names[1:]:
        assert (entries / entry_name(name)).is_dir()
    outside = {p for p in root.rglob("*")} - {p for p in root.rglob("*") if _under(p, volume) or _under(p, entries)}
    assert outside <= {root / "volumes", root / "subpaths"}, "nothing written outside the volumes"


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
