"""Time to healthy: `devenv up` of the bundled example versus `docker compose up --wait` of the very same
rendered project, measured alternately in the same run (images present, volumes dropped between runs).

Usage: python benchmarks/up_bench.py [--runs 3]   (needs the engine and the example's images)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in ("devenv.toml", "examples", "seeds"):
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, work / name)
        env = {**os.environ, "CI": "true"}
        devenv = [sys.executable, "-m", "devenv"]
        run([*devenv, "render"], work, env)
        compose = ["docker", "compose", "-p", "benchcompose", "-f", "compose/compose.yaml", "--env-file",
                   ".devenv/compose.env"]
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(run([*devenv, "up", "--project", "benchdevenv", "--no-seed"], work, env))
            run([*devenv, "down", "--project", "benchdevenv", "--volumes"], work, env)
            theirs.append(run([*compose, "up", "-d", "--wait", "--wait-timeout", "300"], work, env))
            run([*compose, "down", "--volumes", "-t", "10"], work, env)
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"devenv up (render + start + wait), median of {args.runs}: {a:.2f} s  runs: "
              + ", ".join(f"{x:.2f}" for x in ours))
        print(f"docker compose up --wait, same project, median:      {b:.2f} s  runs: "
              + ", ".join(f"{x:.2f}" for x in theirs))
        print(f"ratio devenv / compose: {a / b:.2f}  (devenv's own overhead: {a - b:+.2f} s)")


if __name__ == "__main__":
    main()
