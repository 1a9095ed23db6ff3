"""The remote-engine form of a rendered project: the same services, with nothing read from this machine's disk.

`compose.yaml` bind-mounts the rendered files (ConfigMaps, Secrets, the gateway's configuration) from
the output and state directories. An engine that does not share this machine's disk would mount empty
directories of its own host instead. This form, derived from the same render at `up` time:

- ships those files in one volume filled through the engine's API (`shipped_files`), and binds each
  mount from that volume's directory on the engine's host: still one read-only bind per mount, file
  mounts (subPath) included, so read-only root filesystems and directory semantics stay as rendered
  (Compose's inline `configs:` would refuse read-only services and only add files to the image's
  directory);
- refuses a bind of a relative path (it names this machine's files) and reports an absolute hostPath
  (it reads the engine host's disk, as a hostPath reads the node's);
- adds `devenv-relay`, devenv's own idle helper on the engine host's network, the far end of the API
  tunnel that reaches loopback-published ports from this machine;
- optionally publishes on another address of the engine host than its loopback.

Build contexts and `develop.watch` paths are untouched: Compose sends them from this machine.
The committed compose.yaml never changes, so `devenv render --check` means the same for every engine.
"""

from __future__ import annotations

import ipaddress
import posixpath
from dataclasses import replace
from typing import Any

from devenv.compose.writer import compose_document
from devenv.errors import InputError
from devenv.model import labels as names
from devenv.model.interpolation import Interpolated
from devenv.model.output import Output

RELAY = "devenv-relay"
LOOPBACK = "127.0.0.1"
PARENT = "_parent_"  # stands for a leading `..` of a state-directory path inside the files volume
IDLE = "trap 'exit 0' TERM INT\nwhile :; do sleep 3600 & wait $$!; done"


def member(path: str) -> str:
    """Where a rendered file path lives inside the files volume (prefix-preserving, never above its root)."""
    parts = posixpath.normpath(path).split("/")
    return "/".join(PARENT if part == ".." else part for part in parts if part not in ("", "."))


def _covered(output: Output, source: str) -> bool:
    """Whether a bind source is a rendered file or a directory of rendered files."""
    return any(key == source or key.startswith(source.rstrip("/") + "/") for key in output.files)


def _rendered_root(output: Output, source: str) -> bool:
    """A path under a folder that rendered files live in (a subPath to a missing key is still one)."""
    roots = {key[: key.index("/files/") + len("/files")] for key in output.files if "/files/" in key}
    return any(source.startswith(root + "/") for root in roots)


def shipped_files(output: Output) -> dict[str, tuple[bytes, int]]:
    """Every rendered file as the files volume holds it: volume path -> (content, mode)."""
    return {member(key): (file.content, file.mode) for key, file in sorted(output.files.items())}


def remote_output(output: Output, mountpoint: str, relay_image: str = "",
                  bind_address: str = LOOPBACK) -> tuple[Output, list[str]]:
    """The project with rendered-file binds read from `mountpoint` (the files volume on the engine's host),
    the relay added when `relay_image` is given; plus notes on host paths the engine reads on its own host."""
    services: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for name, service in output.services.items():
        service = dict(service)
        if service.get("volumes"):
            service["volumes"] = [_mount(output, name, mount, mountpoint, notes) for mount in service["volumes"]]
        if service.get("ports") and bind_address != LOOPBACK:
            service["ports"] = [_bound(port, bind_address) for port in service["ports"]]
        services[name] = service
    if relay_image:
        services[RELAY] = relay_service(relay_image)
    return replace(output, services=services), notes


def _mount(output: Output, service: str, mount: Any, mountpoint: str, notes: list[str]) -> Any:
    if not isinstance(mount, dict) or mount.get("type") != "bind":
        return mount
    source = str(mount.get("source", ""))
    if _covered(output, source) or _rendered_root(output, source):
        return {**mount, "source": f"{mountpoint.rstrip('/')}/{member(source)}"}
    if not posixpath.isabs(source):
        raise InputError(f"service {service} mounts {source} from this machine, which the engine cannot see",
                         where=f"services.{service}.volumes[target={mount.get('target')}]",
                         hint="run it on a local engine, or build the files into the image")
    notes.append(f"{service}: host path {source} is mounted from the engine's host, not from this machine")
    return mount


def _bound(port: Any, address: str) -> Any:
    """A published port moved to `address` (an IP address, checked); devenv's own port reference stays one."""
    text = str(port)
    if not text.startswith(LOOPBACK + ":"):
        return port
    rebound = address + text[len(LOOPBACK):]
    return Interpolated(rebound) if isinstance(port, Interpolated) else rebound


def relay_service(image: str) -> dict[str, Any]:
    """devenv's relay: idles on the engine host's network so `docker exec -i` can reach its loopback."""
    return {
        "image": image,
        "pull_policy": "missing",
        "entrypoint": ["sh", "-c", IDLE],
        "network_mode": "host",
        "restart": "unless-stopped",
        "labels": {names.ROLE: names.ROLE_RELAY, names.POD: RELAY, names.OBJECT: "Relay/devenv",
                   **names.STACK_LABELS},
    }


def remote_document(output: Output, header: str, engine: str, mountpoint: str, relay_image: str = "",
                    bind_address: str = LOOPBACK) -> tuple[str, list[str]]:
    """compose.yaml's remote form for `engine` (text), and the notes `remote_output` found."""
    try:
        ipaddress.ip_address(bind_address)
    except ValueError:
        raise InputError(f"key 'local.remote_bind' must be an IP address of the engine's host, not {bind_address!r}",
                         where="devenv.toml", hint='e.g. remote_bind = "0.0.0.0" (every address of the engine host)'
                         ) from None
    remote, notes = remote_output(output, mountpoint, relay_image, bind_address)
    lines = [line for line in header.splitlines() if line.strip()]
    engine, folder = " ".join(engine.split()), " ".join(mountpoint.split())  # one comment line, whatever they hold
    lines.append(f"# Remote-engine form for {engine}: rendered files come from volume directory {folder}.")
    return compose_document(remote, "\n".join(lines) + "\n"), notes
