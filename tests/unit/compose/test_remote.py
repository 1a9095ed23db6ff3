"""compose.yaml's remote form: rendered-file binds read from the files volume on the engine's host (config,
secret, directory and subPath mounts), this machine's paths refused, the engine host's paths reported, the
relay added, another bind address on request; secret values never in the document; the shipped files."""

from __future__ import annotations

import posixpath
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from devenv.compose.remote import PARENT, RELAY, member, remote_document, shipped_files
from devenv.errors import InputError
from devenv.model import labels as names
from devenv.model.interpolation import published_port
from devenv.model.output import FileOut, Output

MOUNTPOINT = "/var/lib/docker/volumes/shop_devenv-files/_data"
SECRET = "s3cr3t-local-value"


def bind(source: str, target: str) -> dict[str, Any]:
    return {"type": "bind", "source": source, "target": target, "read_only": True}


def output(*volumes: dict[str, Any], ports: tuple[str, ...] = ()) -> Output:
    service: dict[str, Any] = {"image": "nginx:1.27.2", "volumes": list(volumes),
                               "labels": {names.ROLE: names.ROLE_APP}}
    if ports:
        service["ports"] = list(ports)
    return Output(
        services={"web": service},
        files={"./files/shop/web/site/default.conf": FileOut(b"server {}\n", 0o644),
               "./files/shop/web/site/index.html": FileOut(b"<h1>hi</h1>\n", 0o644),
               "../.devenv/files/shop/web/creds/password": FileOut(SECRET.encode(), 0o400, secret=True),
               "./files/shop/web/empty/.devenv-keep": FileOut(b"", 0o644)},
    )


def volumes_of(document: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load(document)["services"]["web"]["volumes"])


@pytest.mark.parametrize("source, expected", [
    ("./files/shop/web/site", f"{MOUNTPOINT}/files/shop/web/site"),
    ("./files/shop/web/site/default.conf", f"{MOUNTPOINT}/files/shop/web/site/default.conf"),
    ("../.devenv/files/shop/web/creds", f"{MOUNTPOINT}/{PARENT}/.devenv/files/shop/web/creds"),
    ("../.devenv/files/shop/web/creds/password", f"{MOUNTPOINT}/{PARENT}/.devenv/files/shop/web/creds/password"),
    ("./files/shop/web/empty", f"{MOUNTPOINT}/files/shop/web/empty"),
    ("./files/shop/web/site/missing-key", f"{MOUNTPOINT}/files/shop/web/site/missing-key"),
], ids=["configmap-dir", "configmap-subpath", "secret-dir", "secret-subpath", "empty-configmap", "subpath-missing"])
def test_rendered_file_binds_come_from_the_files_volume(source: str, expected: str) -> None:
    document, notes = remote_document(output(bind(source, "/etc/x")), "# header\n", "build-box", MOUNTPOINT)
    [mount] = volumes_of(document)
    assert mount == {"type": "bind", "source": expected, "target": "/etc/x", "read_only": True}
    assert notes == []


def test_named_volumes_and_tmpfs_are_untouched() -> None:
    named = {"type": "volume", "source": "data", "target": "/data"}
    tmpfs = {"type": "tmpfs", "target": "/tmp"}
    document, _ = remote_document(output(named, tmpfs), "", "build-box", MOUNTPOINT)
    assert volumes_of(document) == [named, tmpfs]


def test_a_path_of_this_machine_is_refused_naming_the_service_and_mount() -> None:
    with pytest.raises(InputError) as caught:
        remote_document(output(bind("../src/app", "/app")), "", "build-box", MOUNTPOINT)
    assert caught.value.what == "service web mounts ../src/app from this machine, which the engine cannot see"
    assert caught.value.where == "services.web.volumes[target=/app]"
    assert caught.value.hint


def test_a_host_path_is_mounted_from_the_engines_host_and_reported() -> None:
    host = {"type": "bind", "source": "/var/log", "target": "/host/log", "bind": {"create_host_path": True}}
    document, notes = remote_document(output(host), "", "build-box", MOUNTPOINT)
    assert volumes_of(document) == [host]
    assert notes == ["web: host path /var/log is mounted from the engine's host, not from this machine"]


def test_the_relay_idles_on_the_engine_hosts_network_with_the_stack_labels() -> None:
    document, _ = remote_document(output(), "", "build-box", MOUNTPOINT, relay_image="busybox:1.36.1")
    relay = yaml.safe_load(document)["services"][RELAY]
    assert relay["image"] == "busybox:1.36.1" and relay["network_mode"] == "host"
    assert relay["labels"][names.ROLE] == names.ROLE_RELAY
    assert set(names.STACK_LABELS) <= set(relay["labels"])
    assert "ports" not in relay and "volumes" not in relay
    assert RELAY not in yaml.safe_load(remote_document(output(), "", "build-box", MOUNTPOINT)[0])["services"]


@pytest.mark.parametrize("address, expected", [
    ("127.0.0.1", "127.0.0.1:${DEVENV_PORT_WEB_POD_8080:-0}:8080"),
    ("0.0.0.0", "0.0.0.0:${DEVENV_PORT_WEB_POD_8080:-0}:8080"),
    ("10.1.2.3", "10.1.2.3:${DEVENV_PORT_WEB_POD_8080:-0}:8080"),
])
def test_ports_stay_on_the_engine_hosts_loopback_unless_configured(address: str, expected: str) -> None:
    project = output(ports=(published_port("DEVENV_PORT_WEB_POD_8080", 8080),))
    document, _ = remote_document(project, "", "build-box", MOUNTPOINT, bind_address=address)
    assert yaml.safe_load(document)["services"]["web"]["ports"] == [expected]


def test_a_bind_address_that_is_not_an_ip_is_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        remote_document(output(), "", "build-box", MOUNTPOINT, bind_address="everywhere")
    assert "local.remote_bind" in caught.value.what and caught.value.where == "devenv.toml"


def test_the_document_is_deterministic_marked_and_holds_no_secret_value() -> None:
    project = output(bind("../.devenv/files/shop/web/creds", "/run/creds"))
    first, _ = remote_document(project, "# Rendered by devenv.\n", "build\nbox", MOUNTPOINT, "busybox:1.36.1")
    assert first == remote_document(project, "# Rendered by devenv.\n", "build\nbox", MOUNTPOINT, "busybox:1.36.1")[0]
    assert first.startswith("# Rendered by devenv.\n# Remote-engine form for build box: rendered files come from "
                            f"volume directory {MOUNTPOINT}.\nservices:\n")
    assert SECRET not in first
    assert project.services["web"]["volumes"][0]["source"] == "../.devenv/files/shop/web/creds"  # input untouched


def test_every_rendered_file_is_shipped_with_its_mode() -> None:
    assert shipped_files(output()) == {
        "files/shop/web/site/default.conf": (b"server {}\n", 0o644),
        "files/shop/web/site/index.html": (b"<h1>hi</h1>\n", 0o644),
        "files/shop/web/empty/.devenv-keep": (b"", 0o644),
        f"{PARENT}/.devenv/files/shop/web/creds/password": (SECRET.encode(), 0o400),
    }


segment = st.text(alphabet=st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1,
                  max_size=8)


plain = segment.filter(lambda text: text not in (".", ".."))


@given(st.lists(st.one_of(segment, st.sampled_from(["..", ".", ""])), min_size=1, max_size=8),
       st.lists(plain, min_size=1, max_size=4))
def test_member_paths_stay_inside_the_volume_and_keep_prefixes(parts: list[str], rest: list[str]) -> None:
    """A bind source maps inside the volume, and a file under it maps under its image (directory mounts work)."""
    path = "/".join(parts)
    inside = member(path)
    assert not posixpath.isabs(inside) and ".." not in inside.split("/")
    child = "/".join(rest)
    assert member(f"{path}/{child}") == (f"{inside}/{child}" if inside else child)
