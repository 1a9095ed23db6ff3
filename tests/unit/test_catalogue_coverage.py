"""Every code of the catalogue is emitted by at least one case: a translation case, a public corpus app,
or a test that plants it (diff, verify, acceptance and configuration codes come from those stages' own
tests). A code nothing can emit is dead vocabulary: delete it or give it a case."""

from __future__ import annotations

from pathlib import Path

from devenv.model.catalogue import CATALOGUE
from tests.unit.test_translate_cases import CASE_FILES, snapshot

TESTS = Path(__file__).resolve().parents[1]


def _emitted_by_cases() -> set[str]:
    found: set[str] = set()
    for case in CASE_FILES:
        found.update(line.split()[1] for line in snapshot(case.read_text())["deltas"])
    return found


def _named_by_tests() -> set[str]:
    """Codes a test asserts (quoted in its source) or a case's expected output holds (goldens)."""
    texts = [p.read_text(errors="replace") for p in TESTS.rglob("*.py") if p.name != Path(__file__).name]
    texts += [p.read_text(errors="replace") for p in (TESTS / "cases").rglob("*")
              if p.is_file() and (".golden." in p.name or p.name.startswith("expected"))]
    return {code for code in CATALOGUE
            if any(f'"{code}"' in text or f"'{code}'" in text or f" {code} " in text for text in texts)}


def test_every_code_is_emitted_somewhere() -> None:
    unused = sorted(set(CATALOGUE) - _emitted_by_cases() - _named_by_tests())
    assert unused == [], "catalogue codes no case emits: add a case that plants each, or delete the code"
