"""Readiness latency: how long after an app first answers its readiness probe the stack sees it ready.

The app (busybox httpd) starts listening a known delay after its container starts; its production probe
runs every `periodSeconds` (10 by default). Measured from the engine's own health log: the end of the
first successful check minus (the app container's start + the known delay). The baseline, measured in
the same run, is the same probe as a plain Compose health check at production's period, which is what
a naive translation gives.

Usage: python benchmarks/readiness_bench.py [--period 10] [--delay 3] [--runs 3]
(needs the engine and the offline busybox image `busybox:1.36.1` or the test stand-in)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from datetime import datetime
from pathlib import Path

import yaml

IMAGE = os.environ.get("DEVENV_BENCH_BUSYBOX", "busybox:1.36.1")


def manifest(period: int, delay: int) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: app}}
        spec:
          selector: {{matchLabels: {{app: app}}}}
          template:
            metadata: {{labels: {{app: app}}}}
            spec:
              containers:
              - name: app
                image: {IMAGE}
                command: ["sh", "-c", "sleep {delay}; mkdir -p /www; echo ok > /www/ready; exec httpd -f -p 8080 -h /www"]
                ports: [{{containerPort: 8080}}]
                readinessProbe:
                  httpGet: {{path: /ready, port: 8080}}
                  periodSeconds: {period}
        """)


def sh(argv: list[str], cwd: Path) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def when(stamp: str) -> float:
    """An engine timestamp (nanoseconds, Z) as seconds since the epoch."""
    main, _, rest = stamp.rstrip("Z").partition(".")
    fraction = float("0." + (rest.split("+")[0] or "0")[:6])
    return datetime.fromisoformat(main + "+00:00").timestamp() + fraction


def latency(project: str, cwd: Path, delay: int) -> float:
    """Seconds from the app answering to the first successful health check of its pod."""
    ids = sh(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"], cwd).split()
    facts = json.loads(sh(["docker", "inspect", *ids], cwd))
    app = next(c for c in facts if c["Config"]["Labels"].get("com.docker.compose.service", "").startswith("app")
               and not c["Config"].get("Healthcheck"))
    checked = next(c for c in facts if (c["State"].get("Health") or {}).get("Log"))
    answers = when(app["State"]["StartedAt"]) + delay
    first_ok = min(when(entry["End"]) for entry in checked["State"]["Health"]["Log"] if entry["ExitCode"] == 0)
    return first_ok - answers


def plain_compose(compose_file: Path, period: int) -> None:
    """The naive translation: the probe as a health check every `period` seconds."""
    document = yaml.safe_load(compose_file.read_text())
    for service in document["services"].values():
        if "healthcheck" in service:
            service["healthcheck"] = {"test": ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ready"],
                                      "interval": f"{period}s", "timeout": "1s", "retries": 3, "start_period": "120s"}
    compose_file.write_text(yaml.safe_dump(document))


def measure(work: Path, period: int, delay: int, naive: bool, run: int) -> float:
    devenv = [sys.executable, "-m", "devenv"]
    sh([*devenv, "render"], work)
    compose_file = work / "compose" / "compose.yaml"
    if naive:
        plain_compose(compose_file, period)
    project = f"bench-ready-{'naive' if naive else 'devenv'}-{run}"
    compose = ["docker", "compose", "-p", project, "-f", str(compose_file), "--env-file", ".devenv/compose.env"]
    try:
        sh([*compose, "up", "-d", "--wait", "--wait-timeout", "120"], work)
        return latency(project, work, delay)
    finally:
        sh([*compose, "down", "-v", "-t", "0"], work)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", type=int, default=10)
    parser.add_argument("--delay", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "k8s").mkdir()
        (work / "k8s" / "app.yaml").write_text(manifest(args.period, args.delay))
        (work / "devenv.toml").write_text(
            f'[project]\nname = "bench"\n[envs.dev]\nmanifests = ["k8s"]\n[local]\nhelper_image = "{IMAGE}"\n')
        ours = [measure(work, args.period, args.delay, False, i) for i in range(args.runs)]
        naive = [measure(work, args.period, args.delay, True, i) for i in range(args.runs)]
    a, b = statistics.median(ours), statistics.median(naive)
    print(f"readiness seen after the app answers, periodSeconds={args.period}, median of {args.runs}:")
    print(f"  devenv:                               {a:.2f} s  runs: " + ", ".join(f"{x:.2f}" for x in ours))
    print(f"  health check at production's period:  {b:.2f} s  runs: " + ", ".join(f"{x:.2f}" for x in naive))
    print(f"  target <= 0.5 s: {'met' if a <= 0.5 else 'NOT met'}; ratio devenv / naive: {a / b:.2f}")


if __name__ == "__main__":
    main()
