"""One throw-away stack versus four of the same project at once: time to all-healthy and to all-gone.

Uses tests/engine/stacks/three-services, mirrored to the offline busybox stand-in that
tests/images/build.sh builds (the [mirrors] table of tests/images/mirrors.toml, as the engine tests do).
Usage: python benchmarks/stacks_bench.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

STACK = Path(__file__).resolve().parents[1] / "tests" / "engine" / "stacks" / "three-services"
MIRRORS = Path(__file__).resolve().parents[1] / "tests" / "images" / "mirrors.toml"


def devenv(cwd: Path, *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "CI": "true"})
    if done.returncode:
        sys.exit(f"devenv {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def cycle(cwd: Path, count: int) -> tuple[float, float]:
    projects = [f"bench{uuid.uuid4().hex[:6]}" for _ in range(count)]
    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(lambda p: devenv(cwd, "up", "--project", p), projects))
    up = time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(lambda p: devenv(cwd, "down", "--project", p, "--volumes"), projects))
    return up, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder) / "stack"
        shutil.copytree(STACK, cwd)
        config = cwd / "devenv.toml"
        config.write_text(f"{config.read_text()}\n{MIRRORS.read_text()}")
        devenv(cwd, "render")
        cycle(cwd, 1)  # warm-up
        one_up, one_down = cycle(cwd, 1)
        four_up, four_down = cycle(cwd, 4)
    print(f"one stack  (6 containers):  up {one_up:5.1f} s   down {one_down:5.1f} s")
    print(f"four stacks (24 containers): up {four_up:5.1f} s   down {four_down:5.1f} s  "
          f"(x{four_up / one_up:.1f} and x{four_down / one_down:.1f} for 4x the work, on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
