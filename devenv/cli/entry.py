"""The `devenv` executable: answers `--version` before loading the command-line framework, so scripts
that ask for it (and shells that complete it) do not pay for Typer and Rich."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from devenv import __version__

        sys.stdout.write(f"devenv {__version__}\n")
        return
    from devenv.cli.app import main as run

    run()
