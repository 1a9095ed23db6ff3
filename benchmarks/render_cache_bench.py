"""How much the render cache saves: load_environment cold (empty cache: the renderer runs) against warm
(cache hit), for the corpus Helm chart and for a Kustomize overlay of the corpus base with four components.

    python benchmarks/render_cache_bench.py [--runs N]

Prints, per source, the median of N runs of each and the cold/warm ratio. Both are measured in the same run
on the same machine, so the ratio is the figure to compare; the corpus stays where it is (read-only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devenv.config import Config, load_config  # noqa: E402
from devenv.sources.helm import describe_helm  # noqa: E402
from devenv.sources.load import load_environment  # noqa: E402
from devenv.sources.tools import find_kustomize  # noqa: E402

CORPUS = Path(os.environ.get("DEVENV_CORPUS", "/work/shared/corpus")) / "microservices-demo"
COMPONENTS = ("without-loadgenerator", "non-public-frontend", "custom-base-url", "container-images-tag")


def write_project(folder: Path) -> Config:
    """A devenv.toml with one Helm and one Kustomize environment, both reading the corpus in place."""
    overlay = folder / "overlay"
    overlay.mkdir()
    base = Path(os.path.relpath(CORPUS / "kustomize", overlay))  # Kustomize refuses absolute paths
    (overlay / "kustomization.yaml").write_text(
        f"resources:\n- {base / 'base'}\ncomponents:\n" + "".join(f"- {base / 'components' / c}\n" for c in COMPONENTS))
    (folder / "devenv.toml").write_text(
        '[project]\nname = "bench"\nmirror = "helm"\n\n'
        f'[envs.helm]\nhelm = "{CORPUS / "helm-chart"}"\nrelease = "boutique"\nnamespace = "shop"\n\n'
        '[envs.kustomize]\nkustomize = "overlay"\n')
    return load_config(folder / "devenv.toml")


def measure(config: Config, env_name: str, runs: int) -> tuple[float, float, int]:
    env = config.env(env_name)
    cache = config.state_dir / "cache"
    load_environment(config, env, use_cache=False)  # warm-up: imports, the in-process engine's first load
    cold, warm = [], []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        started = time.perf_counter()
        loaded = load_environment(config, env)
        cold.append(time.perf_counter() - started)
        assert not loaded.cached
        started = time.perf_counter()
        loaded = load_environment(config, env)
        warm.append(time.perf_counter() - started)
        assert loaded.cached
    return statistics.median(cold), statistics.median(warm), len(loaded.manifests)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"the corpus is not at {CORPUS} (set DEVENV_CORPUS)", file=sys.stderr)
        return 2
    helm, _ = describe_helm()
    kustomize = find_kustomize()
    print(f"renderers: Helm = {helm or 'none'}; Kustomize = {kustomize.name if kustomize else 'none'}")
    print(f"{'source':<44} {'objects':>7} {'cold ms':>9} {'warm ms':>9} {'cold/warm':>9}")
    with tempfile.TemporaryDirectory(prefix="devenv-bench-") as scratch:
        config = write_project(Path(scratch))
        sources = [("helm", "corpus helm-chart (onlineboutique)")] if helm else []
        sources += [("kustomize", f"corpus kustomize base + {len(COMPONENTS)} components")] if kustomize else []
        for env_name, label in sources:
            cold, warm, objects = measure(config, env_name, args.runs)
            print(f"{label:<44} {objects:>7} {cold * 1000:>9.2f} {warm * 1000:>9.2f} {cold / warm:>8.1f}x")
    print(f"(medians of {args.runs} runs each; cold = empty cache, the renderer runs; warm = cache hit)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
