"""The bundled example on a second engine that sees neither this machine's files nor its loopback: it comes
up healthy there from the rendered files shipped through the API, `port`, the Ingress gateway and seeding
work from here through the tunnel, `verify` finds the files as rendered, and `down` leaves nothing on
either engine (nor a tunnel process here)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.remote.conftest import ROOT, Remote, copy_project, leftovers, new_project, relays


def fetch(url: str, host: str = "") -> bytes:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    with urllib.request.urlopen(request, timeout=15) as response:
        return bytes(response.read())


def test_bundled_example_runs_on_a_remote_engine_reached_from_here(remote_engine: str, tmp_path: Path) -> None:
    project = copy_project([ROOT / "devenv.toml", ROOT / "examples", ROOT / "seeds"], tmp_path / "repo")
    remote = Remote(project, new_project("remote"), {"DOCKER_HOST": remote_engine})
    try:
        up = remote("up", "--timeout", "240")
        assert f"on {remote_engine} (remote engine)" in up.stdout
        assert "seeded shop" in up.stdout, up.stdout  # through the tunnel to the remote database's loopback port
        assert "ingress: http://shop.localhost:" in up.stdout

        # nothing of this machine is mounted there: every bind comes from the files volume on the engine's host
        containers = remote.docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={remote.project}")
        mounts = [m for c in json.loads(remote.docker("inspect", *containers.split())) for m in c["Mounts"]]
        binds = {m["Source"] for m in mounts if m["Type"] == "bind"}
        volume = f"{remote.project}_devenv-files"
        assert binds and all(f"/volumes/{volume}/_data/" in source for source in binds), binds
        assert not any(str(tmp_path) in source for source in binds)

        status = remote.status()
        assert status["engine"] == {"name": remote_engine, "host": remote_engine, "remote": True}
        assert all(s["ready"] for s in status["services"] if s["service"] != "cleanup-sessions"), status
        web = remote("port", "web", "80").stdout.strip()
        assert web.startswith("127.0.0.1:")
        products = json.loads(fetch(f"http://{web}/api/products"))
        assert {p["sku"] for p in products} >= {"MUG-001"}
        fetch(f"http://{web}/healthz")  # answers 200 (urlopen raises otherwise)
        gateway = remote("port", "devenv-gateway", "8080").stdout.strip()
        assert fetch(f"http://{gateway}/healthz", host="shop.localhost") == b"ok"
        # the recommender is built on the remote engine from the working tree sent by this machine
        recommended = json.loads(fetch(f"http://{web}/recommendations"))
        assert recommended["version"] == "1.8.0" and recommended["recommended"]
        # the addresses status prints are the tunnel's, and they answer
        published = {s["service"]: s["ports"] for s in status["services"]}
        assert published["web-pod"] == [f"{web}->8080/tcp"]

        verify = remote("verify", "--format", "json", check=False)
        codes = {d["code"] for d in json.loads(verify.stdout)["deltas"]}
        assert not {"runtime-file", "runtime-env", "runtime-state", "runtime-image"} & codes, verify.stdout
        assert remote("run", "cleanup-sessions").returncode == 0
        assert remote("exec", "cache", "--", "redis-cli", "ping").stdout.strip() == "PONG"
        assert "database system is ready" in remote("logs", "db", "--tail", "200").stdout
        assert "seeded shop" in remote("seed", "--reset").stdout  # again, by itself: the tunnel is reused
    finally:
        remote("down", "--volumes", check=False)
    assert leftovers(remote.project, remote_engine) == {"containers": [], "networks": [], "volumes": []}
    assert leftovers(remote.project, None) == {"containers": [], "networks": [], "volumes": []}
    assert not [r for r in relays() if str(project) in r]
