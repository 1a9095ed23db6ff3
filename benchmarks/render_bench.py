"""Rendering speed: N workloads (each a Deployment, a Service and a ConfigMap) from YAML text to the
written Compose file, for N = 100, 1,000 and 5,000; prints devenv's own time and the growth ratios.
`validate` is the cold validation against the Kubernetes API schemas. The warm rows load the objects a
first render kept (sources/validated.py: no parse, no validation) and translate and write; the baseline
in the same run is libyaml merely parsing the same text (the floor of any tool that reads YAML). Times
are CPU seconds of this process (steady on a loaded machine); wall seconds follow in brackets.

Usage: python benchmarks/render_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from devenv.compose.writer import write_project
from devenv.k8s.validate import validate_manifests
from devenv.k8s.yamlio import parse_manifests
from devenv.pipeline import batch
from devenv.translate.context import Options
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.translate import translate

TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata: {{name: app{i}-config, namespace: ns{ns}}}
data: {{LOG_LEVEL: info, UPSTREAM: "http://app{j}.ns{ns}.svc.cluster.local:80"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: ns{ns}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}}}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/app{i}:1.0.{i}
          args: ["--port=$(PORT)"]
          envFrom: [{{configMapRef: {{name: app{i}-config}}}}]
          env: [{{name: PORT, value: "8080"}}]
          ports: [{{name: http, containerPort: 8080}}]
          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}
          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app{i}, namespace: ns{ns}}}
spec:
  selector: {{app: app{i}}}
  ports: [{{port: 80, targetPort: http}}]
"""


def manifests_text(count: int) -> str:
    return "---\n".join(TEMPLATE.format(i=i, j=(i + 1) % count, ns=i % 10) for i in range(count))


def render_once(text: str, out: Path) -> tuple[float, float, float, float]:
    with batch():
        return _render_once(text, out)


def _render_once(text: str, out: Path) -> tuple[float, float, float, float]:
    started = time.perf_counter()
    manifests = parse_manifests(text, "bench.yaml")
    parsed = time.perf_counter()
    validate_manifests(manifests)
    validated = time.perf_counter()
    output = translate(manifests, Options(), LocalSecrets(None))
    translated = time.perf_counter()
    write_project(output, "# bench\n", out, out / ".state")
    written = time.perf_counter()
    return parsed - started, validated - parsed, translated - validated, written - translated


def warm_once(text: str, out: Path) -> tuple[float, float]:
    """A warm render: objects from the cache a first render filled, then translate and write."""
    from devenv.sources.validated import Validated

    cache = out / ".state" / "cache" / "validated"
    first = Validated(cache)
    first.parse(text, "bench.yaml", "default")
    first.save()
    cpu, wall = time.process_time(), time.perf_counter()
    with batch():
        validated = Validated(cache)
        manifests = validated.parse(text, "bench.yaml", "default")
        output = translate(manifests, Options(), LocalSecrets(None))
        write_project(output, "# bench\n", out, out / ".state")
    return time.process_time() - cpu, time.perf_counter() - wall


def yaml_floor(text: str) -> float:
    import yaml

    cpu = time.process_time()
    list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {}
    print(f"{'workloads':>9} {'parse':>9} {'validate':>9} {'translate':>10} {'write':>9} {'total':>9} {'per 1k':>9}")
    for count in (100, 1000, 5000):
        text = manifests_text(count)
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                runs.append(render_once(text, Path(folder)))
        parse, check, trans, write = (statistics.median(r[k] for r in runs) for k in range(4))
        total = parse + check + trans + write
        results[count] = total
        print(f"{count:>9} {parse:>8.3f}s {check:>8.3f}s {trans:>9.3f}s {write:>8.3f}s {total:>8.3f}s "
              f"{total / count * 1000:>8.3f}s")
    print(f"growth 100 -> 1,000: x{results[1000] / results[100]:.1f} (linear would be x10)")
    print(f"growth 1,000 -> 5,000: x{results[5000] / results[1000]:.1f} (linear would be x5)")
    print()
    print(f"{'workloads':>9} {'warm render':>16} {'libyaml parse only':>19} {'ratio':>6}")
    warm_results = {}
    for count in (100, 1000, 5000):
        text = manifests_text(count)
        warm, floor = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                warm.append(warm_once(text, Path(folder)))
            floor.append(yaml_floor(text))
        cpu, wall = statistics.median(w[0] for w in warm), statistics.median(w[1] for w in warm)
        base = statistics.median(floor)
        warm_results[count] = cpu
        print(f"{count:>9} {cpu:>7.3f}s [{wall:.3f}s] {base:>18.3f}s {cpu / base:>6.2f}")
    print(f"warm growth 1,000 -> 5,000: x{warm_results[5000] / warm_results[1000]:.1f} (linear would be x5); "
          f"target <= 2 s at 5,000: {'met' if warm_results[5000] <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
