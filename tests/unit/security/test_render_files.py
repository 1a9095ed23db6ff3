"""What `render` writes and removes on disk: nothing outside the project, and never a file it did not write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devenv import pipeline
from devenv.compose.writer import FILES_LIST
from devenv.config import Config, load_config
from devenv.errors import EXIT_INPUT, InputError
from tests.unit.security.helpers import configmap, pod

CM_VOLUME = {"name": "conf", "configMap": {"name": "cfg"}}


def project(root: Path, *bodies: dict[str, Any], out: str = "compose") -> Config:
    (root / "k8s").mkdir(parents=True, exist_ok=True)
    (root / "devenv.toml").write_text(f'[project]\nout = "{out}"\n[envs.a]\nmanifests = ["k8s"]\n')
    (root / "k8s" / "app.yaml").write_text("\n---\n".join(json.dumps(body) for body in bodies))
    return load_config(root / "devenv.toml")


def render(config: Config) -> list[str]:
    return pipeline.write(pipeline.render(config, use_cache=False)).changed


def app(volume: dict[str, Any] = CM_VOLUME, **mount: Any) -> dict[str, Any]:
    return pod(volumes=[volume], volumeMounts=[{"name": volume["name"], "mountPath": "/etc/app", **mount}])


def snapshot(folder: Path, skip: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file() and not p.is_relative_to(skip)}


# a name that climbs from compose/files/<ns>/<pod>/<volume> to the folder beside the project
CLIMB = "../../../../../victim"


@pytest.mark.parametrize("bodies", [
    [configmap({"key": "pwned"}), app({**CM_VOLUME, "name": CLIMB})],
    [configmap({"key": "pwned"}, namespace=CLIMB), {**app(), "metadata": {"name": "app", "namespace": CLIMB}}],
    [configmap({"key": "pwned"}), {**app(), "metadata": {"name": "../../../../victim", "namespace": "default"}}],
    [configmap({"key": "pwned"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "key", "path": f"{CLIMB}/key"}]}}])],
], ids=["volume-name", "namespace", "pod-name", "item-path"])
def test_no_name_writes_outside_the_project(tmp_path: Path, bodies: list[dict[str, Any]]) -> None:
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "key").write_text("precious")
    before = snapshot(tmp_path, tmp_path / "proj")
    config = project(tmp_path / "proj", *bodies)
    with pytest.raises(InputError) as caught:
        render(config)
    assert caught.value.exit_code == EXIT_INPUT
    assert snapshot(tmp_path, tmp_path / "proj") == before
    assert not (tmp_path / "proj" / "compose").exists()


def test_a_symlink_in_the_output_cannot_lead_outside(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", configmap({"key": "v1"}), app())
    render(config)
    folder = config.out / "files" / "default" / "app" / "conf"
    assert (folder / "key").read_text() == "v1"
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "key").write_text("precious")
    for file in folder.iterdir():
        file.unlink()
    folder.rmdir()
    folder.symlink_to(tmp_path / "victim")
    project(tmp_path / "proj", configmap({"key": "v2"}), app())
    with pytest.raises(InputError, match="outside"):
        render(config)
    assert (tmp_path / "victim" / "key").read_text() == "precious"


@pytest.mark.parametrize("linked", ["compose/files", ".devenv/files"])
def test_a_linked_files_folder_cannot_lead_outside(tmp_path: Path, linked: str) -> None:
    (tmp_path / "victim").mkdir()
    config = project(tmp_path / "proj", configmap({"k": "v"}), app(), {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}, "data": {"t": "eA=="}},
        pod(name="other", volumes=[{"name": "s", "secret": {"secretName": "s"}}],
            volumeMounts=[{"name": "s", "mountPath": "/s"}]))
    (tmp_path / "proj" / linked).parent.mkdir(parents=True)
    (tmp_path / "proj" / linked).symlink_to(tmp_path / "victim")
    with pytest.raises(InputError, match="outside"):
        render(config)
    assert list((tmp_path / "victim").iterdir()) == []


def test_render_into_the_project_root_keeps_foreign_files(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    config = project(root, configmap({"a.conf": "a", "b.conf": "b"}), app(), out=".")
    (root / "files" / "default" / "app").mkdir(parents=True)
    (root / "files" / "notes.txt").write_text("mine")
    (root / "files" / "default" / "app" / "mine.txt").write_text("mine too")
    (root / "files" / "empty-mine").mkdir()
    render(config)
    assert (root / "files" / "default" / "app" / "conf" / "b.conf").read_text() == "b"
    project(root, configmap({"a.conf": "a"}), app(), out=".")
    config = load_config(root / "devenv.toml")
    assert [Path(p).name for p in pipeline.check(pipeline.render(config, use_cache=False))] == [FILES_LIST, "b.conf"]
    changed = render(config)
    assert str(root / "files" / "default" / "app" / "conf" / "b.conf") in changed
    assert not (root / "files" / "default" / "app" / "conf" / "b.conf").exists()
    assert (root / "files" / "notes.txt").read_text() == "mine"
    assert (root / "files" / "default" / "app" / "mine.txt").read_text() == "mine too"
    assert (root / "files" / "empty-mine").is_dir()
    assert (root / "k8s" / "app.yaml").is_file() and (root / "devenv.toml").is_file()
    assert pipeline.check(pipeline.render(config, use_cache=False)) == []


def test_files_no_longer_produced_are_removed_with_their_empty_folders(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", configmap({"k": "v"}), app())
    render(config)
    assert (config.out / "files" / "default" / "app" / "conf" / "k").is_file()
    project(tmp_path / "proj", pod())
    render(config)
    assert not (config.out / "files" / "default").exists()
    assert (config.out / "files").is_dir()
    assert (config.out / FILES_LIST).read_text().splitlines()[-1] == "compose.yaml"


def test_render_refuses_to_replace_a_foreign_compose_file(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    config = project(root, pod(), out=".")
    (root / "compose.yaml").write_text("services: {mine: {image: x}}\n")
    with pytest.raises(InputError, match="not written by devenv") as caught:
        render(config)
    assert caught.value.exit_code == EXIT_INPUT
    assert (root / "compose.yaml").read_text() == "services: {mine: {image: x}}\n"


def test_render_refuses_to_replace_a_foreign_file_at_a_path_it_writes(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", configmap({"k": "v"}), app())
    mine = config.out / "files" / "default" / "app" / "conf" / "k"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine")
    with pytest.raises(InputError, match="not written by devenv"):
        render(config)
    assert mine.read_text() == "mine"
    assert not (config.out / "compose.yaml").exists()


@pytest.mark.parametrize("line", ["../victim", "files/../../victim", "files/../../../victim/key", "devenv.toml",
                                  "/etc/hostname", "files/./x"])
def test_an_edited_list_cannot_remove_anything_else(tmp_path: Path, line: str) -> None:
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "key").write_text("precious")
    config = project(tmp_path / "proj", pod())
    render(config)
    listing = config.out / FILES_LIST
    listing.write_text(listing.read_text() + line + "\n")
    with pytest.raises(InputError) as caught:
        render(config)
    assert FILES_LIST in caught.value.where or FILES_LIST in str(caught.value)
    assert (tmp_path / "victim" / "key").read_text() == "precious"
    assert (tmp_path / "proj" / "devenv.toml").is_file()


def test_an_output_folder_of_an_earlier_release_is_adopted(tmp_path: Path) -> None:
    config = project(tmp_path / "proj", configmap({"k": "v"}), app())
    render(config)
    (config.out / FILES_LIST).unlink()
    old = config.out / "files" / "default" / "old" / "left-over"
    old.parent.mkdir(parents=True)
    old.write_text("from an earlier release")
    project(tmp_path / "proj", configmap({"k": "v2"}), app())
    render(config)
    assert (config.out / "files" / "default" / "app" / "conf" / "k").read_text() == "v2"
    assert old.is_file(), "without a list, render cannot know the file is its own: it stays"
    assert "files/default/app/conf/k" in (config.out / FILES_LIST).read_text().splitlines()
