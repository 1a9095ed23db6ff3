"""Volumes that live as long as their pod: listed, kept while the pod's sandbox exists, removed after."""

from __future__ import annotations

import pytest

from devenv.engine import calls, pod_volumes
from devenv.model import labels as names
from tests.unit.engine.conftest import FakeCalls

LISTED = "tiny_web-scratch\tweb\ntiny_web-cache\tweb\ntiny_db-tmp\tdb\n"


def test_pod_volumes_are_listed_with_their_pod_in_one_call(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("volume", "ls")] = LISTED
    assert pod_volumes.pod_volumes("tiny") == [("tiny_web-scratch", "web"), ("tiny_web-cache", "web"),
                                               ("tiny_db-tmp", "db")]
    [argv] = fake_calls.calls
    assert f"label={names.COMPOSE_PROJECT}=tiny" in argv and f"label={names.VOLUME}=emptyDir" in argv


@pytest.mark.parametrize("all_pods, sandboxes, removed", [
    (True, "", ["tiny_db-tmp", "tiny_web-cache", "tiny_web-scratch"]),
    (False, "web\n", ["tiny_db-tmp"]),  # web's sandbox still exists: its pod lives on, so do its emptyDirs
    (False, "", ["tiny_db-tmp", "tiny_web-cache", "tiny_web-scratch"]),
])
def test_discard_removes_the_volumes_of_ended_pods(fake_calls: FakeCalls, all_pods: bool, sandboxes: str,
                                                   removed: list[str]) -> None:
    fake_calls.answers[("volume", "ls")] = LISTED
    fake_calls.answers[("ps",)] = sandboxes
    assert pod_volumes.discard_pod_volumes("tiny", all_pods=all_pods) == removed
    assert sorted(argv[2] for argv in fake_calls.called("volume", "rm")) == removed
    assert bool(fake_calls.called("ps")) is not all_pods


def test_a_volume_still_in_use_is_left_for_compose_to_replace(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("volume", "ls")] = LISTED
    fake_calls.answers[("volume", "rm", "tiny_web-cache")] = calls.CallFailed(["docker"], 1, "", "volume is in use")
    assert pod_volumes.discard_pod_volumes("tiny", all_pods=True) == ["tiny_db-tmp", "tiny_web-scratch"]


@pytest.mark.parametrize("mountpoint, expected", [
    ("/var/lib/docker/volumes/tiny_devenv-meta/_data", "/var/lib/docker/volumes"),
    ("/srv/docker/volumes/tiny_devenv-meta/_data/", "/srv/docker/volumes"),
    ("", names.DEFAULT_VOLUMES_DIR),
])
def test_the_volumes_directory_comes_from_the_meta_volume(fake_calls: FakeCalls, mountpoint: str,
                                                          expected: str) -> None:
    document = f'[{{"Name": "tiny_devenv-meta", "Mountpoint": "{mountpoint}"}}]'
    fake_calls.answers[("inspect", "--type", "volume")] = document
    assert pod_volumes.volumes_dir("tiny") == expected
