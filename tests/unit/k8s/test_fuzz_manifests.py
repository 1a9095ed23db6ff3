"""Type-mutation fuzzing of the corpus (tests/unit/k8s/fuzz.py): every field of every corpus object replaced by a
value of each other JSON type, rendered in-process. Each case ends rendered or refused with an InputError
(exit 2), never a traceback, and nothing rendered carries a Python repr of a mistyped value."""

from __future__ import annotations

import traceback
from collections import Counter

import pytest

from tests.unit.k8s.fuzz import CORPUS, cases, corpus_objects, render, run_case

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")


def test_the_unmutated_corpus_renders() -> None:
    import json

    for source, objects in corpus_objects():
        render("\n---\n".join(json.dumps(o) for o in objects))


def test_every_type_mutation_renders_or_is_refused() -> None:
    outcomes: Counter[str] = Counter()
    crashes: list[str] = []
    for case in cases():
        try:
            outcome = run_case(case)
        except Exception:  # noqa: BLE001 - each would have been a traceback
            crashes.append(f"{case}\n{traceback.format_exc(limit=-3)}")
            continue
        outcomes[outcome] += 1
        if outcome == "repr":
            crashes.append(f"{case}: a Python repr of the value reached the output")
    assert crashes == [], f"{len(crashes)} of {sum(outcomes.values()) + len(crashes)} cases:\n" + "\n".join(crashes[:10])
    assert sum(outcomes.values()) > 20_000  # well over a thousand: every field, every other type
    assert outcomes["rendered"] > 2_000 and outcomes["refused"] > 10_000  # both outcomes are exercised
