"""A large stream parsed on two cores gives exactly what one parse gives, and falls back to it on any doubt."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.errors import InputError
from devenv.k8s import yamlio

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


def serial(text: str) -> list[object]:
    return [m.body for m in yamlio.parse_manifests(text, "s.yaml")]


def only_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in `devenv render`: no other thread runs (other tests leave daemon threads behind)."""
    monkeypatch.setattr(yamlio.threading, "active_count", lambda: 1)


def split(text: str, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    monkeypatch.setattr(yamlio, "PARALLEL_FROM", 0)
    only_thread(monkeypatch)
    try:
        return [m.body for m in yamlio.parse_manifests(text, "s.yaml")]
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("text, second", [
    ("a: 1\n---\nb: 2\n", None),  # the only marker is in the first half
    ("a: 1\n---\nb: 2\n---\nc: 3\n", "---\nc: 3\n"),
    ("a: 1\nb: 2\nc: |\n  x\n---x\n---\nd: 4\n", "---\nd: 4\n"),  # `---x` is no marker
    ("a: 1\nb: 2\nc: 3\nd: 4\n---", "---"),  # a marker at the very end
    ("a: 1\nb: 2\nc: 3\nd: 4\n--- \n", "--- \n"),
])
def test_the_boundary_is_a_document_marker_in_the_second_half(text: str, second: str | None) -> None:
    cut = yamlio.middle_boundary(text)
    assert (text[cut:] if cut is not None else None) == second


PIECES = [*"ab:-# \n\t'\"|>&*!%@`", "---", "\n---\n", "\n--- ", "...", "\n...\n"]
SCALARS = st.one_of(st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
                    st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
OBJECTS = st.fixed_dictionaries({"apiVersion": st.just("v1"), "kind": st.just("ConfigMap"),
                                 "metadata": st.fixed_dictionaries({"name": st.from_regex(r"[a-z]{1,8}",
                                                                                          fullmatch=True)}),
                                 "data": st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), SCALARS,
                                                         max_size=4)})


@settings(max_examples=150, deadline=None)
@given(st.lists(OBJECTS, min_size=1, max_size=8), st.sampled_from(["|", ">", None]))
def test_any_stream_parses_the_same_in_halves(objects: list[dict[str, object]], style: str | None) -> None:
    text = yaml.safe_dump_all(objects, default_style=style, explicit_start=True)
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert split(text, monkeypatch) == serial(text)


def test_the_corpus_parses_the_same_in_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    streams = sorted(CORPUS.rglob("*.yaml"))
    assert streams, f"no corpus under {CORPUS}"
    halves = 0
    for stream in streams:
        text = stream.read_text()
        try:
            expected = serial(text)
        except InputError:
            continue
        assert split(text, monkeypatch) == expected, stream
        halves += yamlio.middle_boundary(text) is not None
    assert halves > 10


def configmaps(count: int, extra: str = "") -> str:
    return "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n{extra.format(i=i)}"
                   for i in range(count))


@pytest.mark.parametrize("text", [
    configmaps(4) + "---\ndata: [1, 2\n",  # broken in the second half
    configmaps(1) + "data: {a: 'x\n" + configmaps(4),  # a quoted scalar running into a marker
    configmaps(1) + "data: [\n" + configmaps(4),
])
def test_a_broken_stream_fails_exactly_as_one_parse_reports_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError) as one:
        serial(text)
    assert "not valid YAML" in one.value.what
    monkeypatch.setattr(yamlio, "PARALLEL_FROM", 0)
    only_thread(monkeypatch)
    with pytest.raises(InputError) as halves:
        serial(text)
    assert (halves.value.what, halves.value.where) == (one.value.what, one.value.where)


def test_values_marshal_cannot_carry_fall_back_to_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    text = configmaps(4, "data: {{at: !!timestamp 2024-01-0{i}}}\n".replace("{i}", "1"))
    assert split(text, monkeypatch) == serial(text)


def test_with_threads_running_nothing_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "PARALLEL_FROM", 0)
    monkeypatch.setattr(yamlio.threading, "active_count", lambda: 2)
    monkeypatch.setattr(yamlio.os, "fork", lambda: pytest.fail("forked beside running threads"))
    assert len(serial(configmaps(4))) == 4


def test_a_large_stream_is_parsed_in_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    forks: list[int] = []
    fork = yamlio.os.fork

    def counted() -> int:
        forks.append(1)
        return fork()

    monkeypatch.setattr(yamlio.os, "fork", counted)
    only_thread(monkeypatch)
    text = configmaps(20_000, "data: {{key: value-{i}}}\n")
    assert len(text) > yamlio.PARALLEL_FROM
    bodies = serial(text)
    assert forks == [1]
    assert [b["data"]["key"] for b in bodies] == [f"value-{i}" for i in range(20_000)]
