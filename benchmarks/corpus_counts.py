"""What devenv makes of each public corpus app: objects read, Compose services, deltas by severity
(and by code with --codes), and whether `docker compose config` accepts the result.

Reads ../shared/corpus (never copied here). Used to compare a change's effect on real applications:
run it before and after, and diff the two outputs.
Usage: python benchmarks/corpus_counts.py [--codes] [--no-config-check]
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devenv.config import load_config
from devenv.pipeline import render, write

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

APPS = {
    "opentelemetry-demo": 'manifests = ["{c}/opentelemetry-demo/opentelemetry-demo.yaml"]',
    "bitnami-wordpress": 'helm = "{c}/bitnami-wordpress"\nrelease = "blog"\nnamespace = "blog"',
    "microservices-demo": 'manifests = ["{c}/microservices-demo/kubernetes-manifests"]',
    "microservices-demo-helm": 'helm = "{c}/microservices-demo/helm-chart"\nrelease = "boutique"\n'
                               'namespace = "boutique"',
    "sock-shop": 'manifests = ["{c}/sock-shop/complete-demo.yaml"]',
}


def counts(app: str, folder: Path, config_check: bool) -> tuple[str, collections.Counter[str]]:
    (folder / "devenv.toml").write_text(f"[envs.{app}]\n" + APPS[app].format(c=CORPUS) + "\n")
    rendered = render(load_config(folder / "devenv.toml"), use_cache=False)
    write(rendered)
    severities = collections.Counter(d.severity for d in rendered.deltas)
    verdict = "-"
    if config_check and shutil.which("docker"):
        done = subprocess.run(["docker", "compose", "-f", "compose/compose.yaml", "--env-file", ".devenv/compose.env",
                               "config", "-q"], cwd=folder, capture_output=True, text=True)
        verdict = "ok" if done.returncode == 0 else "FAILED: " + done.stderr.strip().splitlines()[-1]
    line = (f"{app:26} objects {len(rendered.manifests):3}  services {len(rendered.output.services):3}  "
            f"volumes {len(rendered.output.volumes):3}  deltas error {severities['error']:3} "
            f"warning {severities['warning']:3} info {severities['info']:3}  compose config {verdict}")
    return line, collections.Counter(f"{d.severity} {d.code}" for d in rendered.deltas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", action="store_true", help="also print the deltas by code")
    parser.add_argument("--no-config-check", action="store_true", help="skip `docker compose config`")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"the corpus is not at {CORPUS}")
    for app in APPS:
        with tempfile.TemporaryDirectory() as folder:
            line, by_code = counts(app, Path(folder), not args.no_config_check)
        print(line)
        if args.codes:
            for code, count in sorted(by_code.items()):
                print(f"    {count:4}  {code}")


if __name__ == "__main__":
    main()
