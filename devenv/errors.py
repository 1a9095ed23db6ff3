"""The errors devenv raises on purpose: each carries what went wrong, where, a hint, and an exit code.

Only the command line turns them into text; library code raises, never prints.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EXIT_GATE = 1
EXIT_INPUT = 2
EXIT_RUNTIME = 3


@dataclass
class DevenvError(Exception):
    """A failure the user can act on: `what` happened `where`, and `hint` says what to do."""

    what: str
    where: str = ""
    hint: str = ""
    exit_code: int = EXIT_INPUT
    details: str = ""

    def __str__(self) -> str:
        parts = [self.what]
        if self.where:
            parts.insert(0, f"{self.where}:")
        return " ".join(parts)


class InputError(DevenvError):
    """Bad usage or bad input: a manifest, devenv.toml, a command-line value (exit code 2)."""


class RuntimeFailure(DevenvError):
    """The input was fine but running it failed: engine down, unhealthy service, seeding (exit code 3)."""

    def __init__(self, what: str, where: str = "", hint: str = "", details: str = "") -> None:
        super().__init__(what, where, hint, EXIT_RUNTIME, details)


def read_input(path: Path, shown: str) -> str:
    """The text of an input file (a manifest, devenv.toml), or one InputError: unreadable, or not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}", hint="check the file's permissions") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
                         hint="save the file as UTF-8") from None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest of `choices` to a mistyped `word`, or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean '{close[0]}'?" if close else ""
