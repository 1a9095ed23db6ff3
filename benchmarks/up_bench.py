"""Time to healthy and time to gone: `devenv up` of the bundled example versus `docker compose up --wait`
of the very same rendered project, and `devenv down` versus `docker compose down` of it, measured
alternately in the same run (images present, volumes dropped between runs).

Each round runs, for devenv and then for Compose: up, down (data kept), up, down --volumes; the data
kept by the first down is dropped (untimed) before the next up, so every up starts from empty volumes.

When the engine lacks one of the real images the example names, the copy of the example gets the
offline stand-ins' [mirrors] table (tests/images/mirrors.toml, as the engine tests append it) and
the recommender build gets the stand-in Python base; both sides then run the same stand-ins.

Usage: python benchmarks/up_bench.py [--runs 3] [--stand-ins]   (needs the engine and the images)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIRRORS = ROOT / "tests" / "images" / "mirrors.toml"
#: what the example runs: its manifests' images, the sandboxes' busybox, the gateway's nginx, the build's base
EXAMPLE_IMAGES = ("busybox:1.36.1", "nginx:1.27.2", "postgrest/postgrest:v12.2.3", "postgres:16.4", "redis:7.4.1",
                  "python:3.12-slim")


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def missing(images: list[str] | tuple[str, ...]) -> list[str]:
    return [i for i in images
            if subprocess.run(["docker", "image", "inspect", i], capture_output=True, check=False).returncode]


def use_stand_ins(config: Path) -> None:
    """Append the stand-ins' [mirrors] table and the recommender's stand-in base to a copied devenv.toml."""
    stand_ins: dict[str, str] = tomllib.loads(MIRRORS.read_text(encoding="utf-8"))["mirrors"]
    absent = missing([stand_ins[i] for i in EXAMPLE_IMAGES])
    if absent:
        sys.exit(f"stand-in images missing ({', '.join(absent)}): run tests/images/build.sh")
    base = (f'\n[build."registry.example.com/shop/recommender".args]\n'
            f'PYTHON_IMAGE = "{stand_ins["python:3.12-slim"]}"\n')
    config.write_text(f"{config.read_text(encoding='utf-8').rstrip()}\n\n{MIRRORS.read_text(encoding='utf-8')}{base}",
                      encoding="utf-8")


def drop_volumes(project: str) -> None:
    names = subprocess.run(["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}"],
                           capture_output=True, text=True, check=True).stdout.split()
    if names:
        subprocess.run(["docker", "volume", "rm", *names], capture_output=True, check=True)


def stopping(project: str, command: list[str], cwd: Path, env: dict[str, str]) -> list[tuple[str, float, bool]]:
    """Run `command` (a down) while recording the engine's kill and die events of the project's containers: for
    each container it stopped, seconds from the first stop signal to its exit, and whether it had to be killed
    (SIGKILL: it waited out its whole grace period)."""
    events = subprocess.Popen(["docker", "events", "--filter", "type=container", "--filter",
                               f"label=com.docker.compose.project={project}", "--filter", "event=kill", "--filter",
                               "event=die", "--format", "{{json .}}"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # the subscription is in place
    run(command, cwd, env)
    time.sleep(0.5)
    events.terminate()
    output = events.communicate()[0]
    signalled: dict[str, float] = {}
    died: dict[str, float] = {}
    killed: set[str] = set()
    for text in output.splitlines():
        event = json.loads(text)
        attributes = event["Actor"]["Attributes"]
        name = attributes.get("com.docker.compose.service", attributes.get("name", "?"))
        moment = event["timeNano"] / 1e9
        if event["Action"] == "kill":
            signalled.setdefault(name, moment)
            if attributes.get("signal") == "9":
                killed.add(name)
        elif event["Action"] == "die":
            died[name] = moment
    return sorted(((name, died[name] - signalled[name], name in killed) for name in signalled if name in died),
                  key=lambda item: -item[1])


def line(label: str, figures: list[float]) -> str:
    return f"{label} median {statistics.median(figures):6.2f} s  runs: " + ", ".join(f"{x:.2f}" for x in figures)


def compare(ours_label: str, theirs_label: str, ours: list[float], theirs: list[float]) -> None:
    a, b = statistics.median(ours), statistics.median(theirs)
    print(line(f"{ours_label:<34}", ours))
    print(line(f"{theirs_label:<34}", theirs))
    print(f"  ratio devenv / compose: {a / b:.3f}  (devenv's own time: {a - b:+.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stand-ins", action="store_true", help="use the offline stand-ins even if the real "
                                                                 "images are present")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in ("devenv.toml", "examples", "seeds"):
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, work / name)
        absent = missing(EXAMPLE_IMAGES)
        if args.stand_ins or absent:
            use_stand_ins(work / "devenv.toml")
            print("images: the offline stand-ins (tests/images/mirrors.toml)"
                  + (f"; absent: {', '.join(absent)}" if absent else ""))
        env = {**os.environ, "CI": "true"}
        devenv = [sys.executable, "-m", "devenv"]
        run([*devenv, "render"], work, env)
        compose = ["docker", "compose", "-p", "benchcompose", "-f", "compose/compose.yaml", "--env-file",
                   ".devenv/compose.env"]
        mine = [*devenv, "up", "--project", "benchdevenv", "--no-seed"], [*devenv, "down", "--project", "benchdevenv"]
        theirs = [*compose, "up", "-d", "--wait", "--wait-timeout", "300"], [*compose, "down"]
        figures: dict[str, list[float]] = {k: [] for k in ("up-d", "up-c", "down-d", "down-c", "downv-d", "downv-c")}
        # warm-up (page cache, image layers), not counted; which containers take long to stop
        run(mine[0], work, env)
        stops = stopping("benchdevenv", mine[1], work, env)
        drop_volumes("benchdevenv")
        run(theirs[0], work, env)
        run([*theirs[1], "--volumes"], work, env)
        for _ in range(args.runs):
            for (up, down), key, project in ((mine, "d", "benchdevenv"), (theirs, "c", "benchcompose")):
                figures[f"up-{key}"].append(run(up, work, env))
                figures[f"down-{key}"].append(run(down, work, env))
                drop_volumes(project)
                figures[f"up-{key}"].append(run(up, work, env))
                figures[f"downv-{key}"].append(run([*down, "--volumes"], work, env))
        print(f"bundled example, {args.runs} rounds, {os.cpu_count()} cores")
        print("stop signal to exit on `devenv down` (data kept): " + ", ".join(
            f"{name} {seconds:.2f} s" + (" (SIGKILL after its grace period)" if killed else "")
            for name, seconds, killed in stops))
        compare("devenv up (render, start, wait)", "docker compose up --wait", figures["up-d"], figures["up-c"])
        compare("devenv down", "docker compose down", figures["down-d"], figures["down-c"])
        compare("devenv down --volumes", "docker compose down --volumes", figures["downv-d"], figures["downv-c"])


if __name__ == "__main__":
    main()
