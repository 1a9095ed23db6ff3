"""Hypothesis strategies for hostile strings: any character, with the ones YAML readers treat specially
(line breaks of YAML 1.1, non-printables, indicators, Compose's `$`) drawn often."""

from __future__ import annotations

from hypothesis import strategies as st

#: characters that have broken, or could break, a YAML emitter or Compose's interpolation
TRICKY = ("\n", "\r", "\t", " ", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\x9b",
          "\xa0", "\ufffe", "\uffff", "\U0001f600", ":", "#", "-", "?", "[", "]", "{", "}", "&", "*", "!", "|",
          ">", "'", '"', "%", "@", "`", ",", "\\", "~", "=", "/", ".", "$", "${", "$$", "$(", "}", "<<",
          ": ", " #", "- ", "---", "...", "yes", "null", "0x1", "1e3", "\n  privileged: true", "\u2028pid: host")

#: any Unicode character Python can encode as UTF-8 (lone surrogates are tested on their own)
CHARACTER = st.characters(blacklist_categories=("Cs",))


def strings(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any string, often built from the tricky pieces above."""
    piece = st.one_of(CHARACTER, st.sampled_from(TRICKY))
    return st.lists(piece, max_size=max_size).map("".join)
