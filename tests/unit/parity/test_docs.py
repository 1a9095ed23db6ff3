"""docs/deltas.md documents every catalogue code: its table is generated from the catalogue and
rewritten with `pytest --update-goldens`."""

from __future__ import annotations

from devenv.model.catalogue import CATALOGUE
from tests.unit.parity.conftest import REPO

DOC = REPO / "docs" / "deltas.md"
START, END = "<!-- catalogue:start -->", "<!-- catalogue:end -->"


def catalogue_table() -> str:
    lines = ["| code | severity | category | reason | hint |", "|---|---|---|---|---|"]
    for code in sorted(CATALOGUE):
        entry = CATALOGUE[code]
        cells = [f"`{code}`", entry.severity, entry.category, entry.reason, entry.hint]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def test_every_code_is_documented(update_goldens: bool) -> None:
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    current = rest.partition(END)[0].strip("\n")
    if update_goldens:
        DOC.write_text(f"{head}{START}\n{catalogue_table()}\n{END}{tail}")
        return
    assert current == catalogue_table(), "run `pytest tests/unit/parity --update-goldens` to regenerate docs/deltas.md"
