"""Kubernetes probes as Compose health checks that work in images without a shell or curl.

exec probes run in their own container, exactly as the kubelet runs them. Network probes (httpGet,
tcpSocket, grpc) run from the pod's sandbox, which shares the pod's network namespace and carries
busybox: the application image needs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devenv.k8s.manifest import ObjectRef
from devenv.translate.context import Context

PROBE_ORDER = ("readinessProbe", "startupProbe", "livenessProbe")


@dataclass(frozen=True)
class Check:
    """One health check: where it runs (`container` or `sandbox`) and its Compose definition."""

    runs_in: str
    test: list[str]
    timing: dict[str, str | int]


def container_checks(ctx: Context, obj: ObjectRef, container: dict[str, Any], field: str) -> list[Check]:
    """The health check standing for the container's readiness (readiness, else startup, else liveness)."""
    chosen = next((name for name in PROBE_ORDER if container.get(name)), None)
    if chosen is None:
        return []
    probe = container[chosen] or {}
    where = f"{field}.{chosen}"
    if container.get("livenessProbe"):
        ctx.report("liveness-probe", obj, f"{field}.livenessProbe")
    check = _check(ctx, obj, container, probe, where)
    return [check] if check else []


def _check(ctx: Context, obj: ObjectRef, container: dict[str, Any], probe: dict[str, Any], where: str) -> Check | None:
    timing = _timing(probe)
    if "exec" in probe:
        command = [str(part) for part in (probe["exec"] or {}).get("command") or []]
        return Check("container", ["CMD", *command], timing)
    if "httpGet" in probe:
        get = probe["httpGet"] or {}
        port = resolve_port(container, get.get("port"))
        if port is None:
            ctx.report("probe-approximated", obj, f"{where}.httpGet.port", prod=str(get.get("port")), local="no check",
                       reason="the probe names a port the container does not declare")
            return None
        host = str(get.get("host") or "127.0.0.1")
        path = str(get.get("path") or "/")
        if not path.startswith("/"):
            path = "/" + path
        if str(get.get("scheme", "HTTP")).upper() == "HTTPS":
            ctx.report("probe-approximated", obj, f"{where}.httpGet.scheme", prod="HTTPS GET", local="TCP connect")
            return Check("sandbox", listening(port), timing)
        headers = []
        for header in get.get("httpHeaders") or []:
            headers += ["--header", f"{header.get('name')}: {header.get('value')}"]
        url = f"http://{host}:{port}{path}"
        # the engine enforces the probe's timeout itself (healthcheck.timeout)
        return Check("sandbox", ["CMD", "wget", "-q", "-O", "/dev/null", *headers, url], timing)
    if "tcpSocket" in probe:
        port = resolve_port(container, (probe["tcpSocket"] or {}).get("port"))
        return Check("sandbox", listening(port), timing) if port else None
    if "grpc" in probe:
        port = int((probe["grpc"] or {}).get("port", 0))
        ctx.report("probe-approximated", obj, f"{where}.grpc", prod="gRPC health check", local="TCP listening check")
        return Check("sandbox", listening(port), timing)
    return None


def listening(port: int) -> list[str]:
    """Succeeds when something listens on `port` in the pod's network namespace (read from /proc)."""
    pattern = f":{port:04X} [0-9A-F]+:0000 0A"
    return ["CMD", "grep", "-qE", pattern, "/proc/net/tcp", "/proc/net/tcp6"]


def _timing(probe: dict[str, Any]) -> dict[str, str | int]:
    period = int(probe.get("periodSeconds") or 10)
    failures = int(probe.get("failureThreshold") or 3)
    initial = int(probe.get("initialDelaySeconds") or 0)
    # Probe often while starting (a laptop should not wait a full period to see readiness), and give
    # start-up the generous budget the kubelet gives readiness, which never kills a container.
    return {
        "interval": f"{min(period, 2)}s",
        "timeout": f"{int(probe.get('timeoutSeconds') or 1)}s",
        "retries": failures,
        "start_period": f"{max(initial + period * failures, 120)}s",
    }


def resolve_port(container: dict[str, Any], port: Any) -> int | None:
    """A port number, or the number of the container port with that name."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    for declared in container.get("ports") or []:
        if declared.get("name") == port:
            return int(declared.get("containerPort", 0))
    return None


def combine(checks: list[Check]) -> dict[str, Any] | None:
    """One Compose healthcheck for several checks running in the same container."""
    if not checks:
        return None
    timing = checks[0].timing
    if len(checks) == 1:
        return {"test": checks[0].test, **timing}
    script = " && ".join(" ".join(_shell_quote(part) for part in check.test[1:]) for check in checks)
    return {"test": ["CMD", "sh", "-c", script], **timing}


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
