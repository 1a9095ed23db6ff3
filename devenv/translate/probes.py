"""Kubernetes probes as Compose health checks that work in images without a shell or curl.

exec probes run in their own container, exactly as the kubelet runs them. Network probes (httpGet,
tcpSocket, grpc) run from the pod's sandbox, which shares the pod's network namespace and carries
busybox: the application image needs nothing.
"""

from __future__ import annotations

import hashlib
import shlex
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
    timing: dict[str, str | int]  # production's period, timeout, retries and initial delay


def container_checks(ctx: Context, obj: ObjectRef, container: dict[str, Any], field: str) -> list[Check]:
    """The health check standing for the container's readiness (readiness, else startup, else liveness)."""
    chosen = next((name for name in PROBE_ORDER if container.get(name)), None)
    if chosen is None:
        return []
    probe = container[chosen] or {}
    where = f"{field}.{chosen}"
    if container.get("startupProbe") and chosen != "startupProbe":
        ctx.report("probe-approximated", obj, f"{field}.startupProbe", prod="startup probe",
                   local=f"not run: the {chosen} stands for it",
                   reason="locally one health check stands for readiness; start-up budgets are generous anyway")
    if container.get("livenessProbe"):
        checked = chosen == "livenessProbe"
        ctx.report("liveness-probe", obj, f"{field}.livenessProbe", prod="restarts the container",
                   local="checked as readiness, no restart" if checked else "not checked",
                   reason="liveness probes are checked but do not restart the container locally" if checked else
                   f"the {chosen} stands for readiness locally; the liveness probe is not run and never restarts "
                   "the container")
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
        # busybox wget -T crashes in some builds: `timeout` bounds each attempt instead
        return Check("sandbox", ["CMD", "timeout", str(timing["timeout"]), "wget", "-q", "-O", "/dev/null", *headers, url],
                     timing)
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
    """Production's probe settings; `combine` turns them into a Compose health check."""
    return {
        "period": int(probe.get("periodSeconds") or 10),
        "timeout": int(probe.get("timeoutSeconds") or 1),
        "retries": int(probe.get("failureThreshold") or 3),
        "initial": int(probe.get("initialDelaySeconds") or 0),
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


#: seconds between attempts while a container starts: readiness is seen this soon after the app answers
POLL = "0.2"
#: how long one starting check keeps polling before it reports a failure (then the next check polls again)
START_BUDGET = 30
#: Docker's pause between two checks; short, because a check itself waits (see `combine`)
INTERVAL = "250ms"
SHELLS = frozenset({"sh", "bash", "ash", "dash", "/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/bash"})


def combine(checks: list[Check]) -> dict[str, Any] | None:
    """One Compose health check for the checks running in one container.

    Readiness is noticed within `POLL` seconds of the app answering, whatever production's period: a
    check that starts before the app has ever been ready polls in a loop (inside one check, so the
    engine starts one process, not one per attempt) until the app answers, then leaves a marker in
    /dev/shm (present in every container, writable even with a read-only root). Every later check first
    waits production's `periodSeconds`, then probes once, so a running stack probes as often as
    production does and `failureThreshold` consecutive failures still make it unhealthy. This works on
    every engine (Docker 20.10 has no `start_interval`). Exec probes run in the app's own image: they
    are wrapped only when they already run a shell; otherwise they are checked every two seconds.
    """
    if not checks:
        return None
    timing = checks[0].timing
    period, timeout, retries = int(timing["period"]), int(timing["timeout"]), int(timing["retries"])
    start_period = f"{max(int(timing['initial']) + period * retries, 120)}s"
    probes = [_as_shell(check) for check in checks]
    if any(p is None for p in probes):
        test = checks[0].test if len(checks) == 1 else ["CMD", "sh", "-c", " && ".join(
            " ".join(_shell_quote(part) for part in check.test[1:]) for check in checks)]
        return {"test": test, "interval": f"{min(period, 2)}s", "timeout": f"{timeout}s", "retries": retries,
                "start_period": start_period}
    shell = next((c.test[1] for c in checks if c.runs_in == "container"), "sh")
    probe = " && ".join(f"{{ {p}; }}" for p in probes if p)
    marker = "/dev/shm/.devenv-ready-" + hashlib.sha256(probe.encode()).hexdigest()[:12]
    starting = f"until {probe}; do sleep {POLL}; done"
    script = (f"if [ -e {marker} ]; then sleep {period}; {probe}; "
              f"else timeout {START_BUDGET} {shell} -c {shlex.quote(starting)} && touch {marker}; fi")
    budget = max(START_BUDGET, period + timeout * len(checks)) + 5
    return {"test": ["CMD", shell, "-c", script], "interval": INTERVAL, "timeout": f"{budget}s",
            "retries": retries, "start_period": start_period}


def _as_shell(check: Check) -> str | None:
    """The check as one shell command line, or None when its image may have no shell."""
    argv = check.test[1:]
    if check.runs_in == "sandbox":  # the sandbox is busybox: it has sh, timeout, sleep and touch
        return shlex.join(argv)
    if len(argv) >= 3 and argv[0] in SHELLS and argv[1] == "-c":
        return shlex.join(argv)
    return None


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
