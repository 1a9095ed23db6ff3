"""`devenv up` on a real engine: three workloads, production FQDNs, the manifest's env names, clean `down`."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest

from tests.engine.conftest import Devenv, leftovers

RUNTIME_DEFAULTS = {"PATH", "HOSTNAME", "HOME", "TERM"}
# what the kubelet adds for the Services of the namespace (enableServiceLinks defaults to true)
SERVICE_LINKS = {f"{svc}_{suffix}" for svc in ("BACKEND", "FRONTEND") for suffix in (
    "SERVICE_HOST", "SERVICE_PORT", "PORT", "PORT_80_TCP", "PORT_80_TCP_PROTO", "PORT_80_TCP_PORT", "PORT_80_TCP_ADDR")}
SERVICE_LINKS.add("BACKEND_SERVICE_PORT_WEB")
MANIFEST_ENV = {
    "backend": {"LISTEN_PORT", "GREETING"},
    "frontend": {"BACKEND_URL", "MODE", "API_KEY", "POD_NAMESPACE"},
    "worker": {"QUEUE", "WORKERS"},
}


@pytest.mark.stack_name("three-services")
def test_up_reaches_services_by_production_names_and_down_leaves_nothing(stack: Devenv) -> None:
    up = stack("up", "--timeout", "120")
    assert "ready" in up.stdout

    # frontend fetched the backend over HTTP through backend.apps.svc.cluster.local (Service port 80 -> http)
    assert stack.exec("frontend", "cat", "/www/fetched.html") == "hello from backend"
    # the short and namespace-qualified forms reach the same container from another pod
    for name in ("backend", "backend.apps", "backend.apps.svc", "backend.apps.svc.cluster.local"):
        assert stack.exec("worker", "wget", "-q", "-O", "-", f"http://{name}:80/index.html") == "hello from backend"

    # every running container sees exactly the manifest's variable names (plus the runtime's own)
    environments = {service: dict(line.split("=", 1) for line in stack.exec(service, "env").splitlines() if "=" in line)
                    for service in MANIFEST_ENV}
    for service, expected in MANIFEST_ENV.items():
        assert set(environments[service]) - RUNTIME_DEFAULTS == expected | SERVICE_LINKS, service
    # the names are the manifest's, plus the kubelet's service links ([local] service_links = true here)
    assert environments["backend"]["GREETING"] == "costs $5"
    assert environments["worker"]["BACKEND_SERVICE_HOST"] == "backend"  # reachable, as the cluster IP would be
    assert environments["worker"]["BACKEND_PORT_80_TCP"] == "tcp://backend:80"
    api_key = environments["frontend"]["API_KEY"]
    assert api_key and api_key != "production-key-never-local"

    # the published port answers on 127.0.0.1 only
    status = stack.status()
    ports = [p for s in status["services"] for p in s["ports"]]
    assert ports and all(p.startswith("127.0.0.1:") for p in ports)
    host_port = ports[0].split("->")[0]
    with urllib.request.urlopen(f"http://{host_port}/fetched.html", timeout=5) as response:
        assert response.read() == b"hello from backend"

    stack("down")
    assert leftovers(stack.project) == {"containers": [], "networks": [], "volumes": []}


@pytest.mark.stack_name("three-services")
def test_render_is_deterministic_and_valid_for_compose(stack: Devenv) -> None:
    stack("render")
    first = (stack.cwd / "compose" / "compose.yaml").read_bytes()
    stack("render", "--no-cache")
    assert (stack.cwd / "compose" / "compose.yaml").read_bytes() == first
    assert stack("render", "--check").returncode == 0
    config = subprocess.run(["docker", "compose", "-f", "compose/compose.yaml", "--env-file", ".devenv/compose.env",
                             "config", "--format", "json"], cwd=stack.cwd, capture_output=True, text=True, check=True)
    assert set(json.loads(config.stdout)["services"]) >= {"backend", "frontend", "worker"}
    assert b"production-key-never-local" not in first


@pytest.mark.stack_name("three-services")
def test_changing_a_service_port_on_a_running_stack_keeps_the_pod_on_its_network(stack: Devenv) -> None:
    """The pod sandbox is recreated for the new port; its containers must follow it, not lose their network."""
    config = stack.cwd / "devenv.toml"
    config.write_text(config.read_text().replace("service_links = true", "service_links = false"))
    stack("up", "--timeout", "120")
    manifest = stack.cwd / "k8s" / "backend.yaml"
    manifest.write_text(manifest.read_text().replace("{name: web, port: 80,", "{name: web, port: 81,"))
    stack("up", "--timeout", "120")
    assert stack.exec("worker", "wget", "-q", "-O", "-", "http://backend.apps:81/index.html") == "hello from backend"
