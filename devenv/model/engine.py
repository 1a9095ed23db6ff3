"""Which Docker engine a command talks to, and where that engine sits relative to this machine.

A target is chosen the way the docker CLI chooses one (`--context`, then DOCKER_HOST, then
DOCKER_CONTEXT, then the CLI's current context); a location says whether the engine shares this
machine's files and loopback (a local engine, Docker Desktop) or not (a build box, a CI pool host).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_CONTEXT = "default"
DEFAULT_HOST = "unix:///var/run/docker.sock"

#: how the published ports of a remote engine are reached from this machine
TUNNEL_SSH = "ssh"    # an SSH local forward to the engine host's loopback (ssh:// engines)
TUNNEL_EXEC = "exec"  # a relay through the engine's API: `docker exec -i RELAY nc 127.0.0.1 PORT` per connection


@dataclass(frozen=True)
class EngineTarget:
    """One engine: the context name (DEFAULT_CONTEXT for DOCKER_HOST or the CLI's default), its endpoint,
    and what selected it (`--context`, DOCKER_HOST, DOCKER_CONTEXT, the docker config, or the default)."""

    context: str = DEFAULT_CONTEXT
    host: str = DEFAULT_HOST
    chosen_by: str = "default"

    @property
    def name(self) -> str:
        """How the developer names this engine: the context, or its endpoint for the default context."""
        return self.context if self.context != DEFAULT_CONTEXT else self.host

    @property
    def scheme(self) -> str:
        return urlsplit(self.host).scheme or "unix"

    @property
    def address(self) -> str:
        """The engine host's network name (ssh:// and tcp://), "" for a socket."""
        return (urlsplit(self.host).hostname or "") if self.scheme in ("ssh", "tcp") else ""

    @property
    def cli_args(self) -> list[str]:
        """Global docker CLI options that select this engine whatever the caller's environment says."""
        if self.context != DEFAULT_CONTEXT:
            return ["--context", self.context]
        if self.chosen_by == "DOCKER_HOST":
            return ["--host", self.host]
        return []

    @property
    def client_options(self) -> dict[str, str]:
        """python-on-whales DockerClient keyword arguments for this engine."""
        if self.context != DEFAULT_CONTEXT:
            return {"context": self.context}
        if self.chosen_by == "DOCKER_HOST":
            return {"host": self.host}
        return {}

    @property
    def key(self) -> str:
        """A short stable name for files this machine keeps about the engine (tunnels, probe results)."""
        return hashlib.sha256(f"{self.context}\n{self.host}".encode()).hexdigest()[:10]

    @property
    def tunnel(self) -> str:
        """How a remote engine's loopback is reached: SSH for ssh:// engines, the API relay otherwise."""
        return TUNNEL_SSH if self.scheme == "ssh" else TUNNEL_EXEC


@dataclass(frozen=True)
class Location:
    """Whether the engine shares this machine's files and loopback, and how that was found out."""

    local: bool
    how: str  # "probe", "cache" or a guess from the endpoint

    @property
    def remote(self) -> bool:
        return not self.local
