"""Command-line start-up: `devenv --version`, `devenv --help` and a warm `devenv render` of the bundled
example, each against `python -c pass` (the interpreter's own start) in the same run. Wall seconds,
median of --runs, with bytecode caching on as in an installed package (PYTHONDONTWRITEBYTECODE is
cleared for the children so the modules' .pyc files exist after the first, uncounted, run).

Usage: python benchmarks/cli_bench.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from up_bench import run  # one timed, checked command: the same as the up benchmark's

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "devenv --version": [sys.executable, "-m", "devenv", "--version"],
        "devenv --help": [sys.executable, "-m", "devenv", "--help"],
        "devenv render (example, warm)": [sys.executable, "-m", "devenv", "render"],
    }
    for argv in commands.values():  # compile the modules and warm the render cache, not counted
        run(argv, ROOT, env)
    figures: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            figures[name].append(run(argv, ROOT, env))
    base = statistics.median(figures["python -c pass"])
    print(f"{args.runs} runs each, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:<32} median {median:5.3f} s  (x{median / base:4.1f} python -c pass; "
              f"devenv's own {median - base:+.3f} s)  runs: " + ", ".join(f"{v:.3f}" for v in values))


if __name__ == "__main__":
    main()
