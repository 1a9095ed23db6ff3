"""Value generators, one module per family, gathered here into one namespace (`g.Email`, `g.IntRange`)."""

from devenv.seed.generate.generators.base import Batch, Generator, WithNulls, as_list, fit
from devenv.seed.generate.generators.choices import Boolean, Choice, Constant, Nth, PoolChoice
from devenv.seed.generate.generators.contact import Email, Phone
from devenv.seed.generate.generators.identifiers import Bytes, HexToken, Uuid
from devenv.seed.generate.generators.numeric import DecimalRange, FloatRange, IntRange, Sequential, UniqueInt
from devenv.seed.generate.generators.text import IndexedText, Joined, JsonDoc, Letters, RegexGen, Slug, TemplateGen
from devenv.seed.generate.generators.times import IntervalGen, TimeOfDay, TimeRange

__all__ = [
    "Batch", "Boolean", "Bytes", "Choice", "Constant", "DecimalRange", "Email", "FloatRange", "Generator",
    "HexToken", "IndexedText", "IntRange", "IntervalGen", "Joined", "JsonDoc", "Letters", "Nth", "Phone",
    "PoolChoice", "RegexGen", "Sequential", "Slug", "TemplateGen", "TimeOfDay", "TimeRange", "UniqueInt", "Uuid",
    "WithNulls", "as_list", "fit",
]
