"""Pools of realistic values made once by a seeded Faker, then sampled per row: a million names cost
a thousand Faker calls, not a million. Each pool has its own seed, so adding a column or a
provider never changes the values of another."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any

from devenv.errors import InputError
from devenv.seed.generate.rng import derive_seed

POOL_SIZE = 1000
INT_TEXTS_MAX = 1 << 20  # at most this many numbers kept as text in a run (about 60 MB)

# Words for labels that Faker's base providers do not offer (product-like names).
ADJECTIVES = (
    "Agile", "Bold", "Bright", "Classic", "Compact", "Cosy", "Crisp", "Deluxe", "Durable", "Elegant",
    "Fresh", "Gentle", "Handy", "Light", "Modern", "Natural", "Nimble", "Original", "Practical",
    "Premium", "Quiet", "Rapid", "Rustic", "Sleek", "Smart", "Solid", "Sturdy", "Swift", "Urban", "Vivid",
)
MATERIALS = (
    "Bamboo", "Brass", "Canvas", "Ceramic", "Copper", "Cotton", "Glass", "Granite", "Leather", "Linen",
    "Maple", "Marble", "Oak", "Paper", "Plastic", "Rubber", "Silk", "Steel", "Stone", "Wool",
)
NOUNS = (
    "Backpack", "Bag", "Bottle", "Bowl", "Chair", "Clock", "Cup", "Desk", "Gloves", "Hat", "Jacket",
    "Kettle", "Lamp", "Mug", "Notebook", "Pan", "Pen", "Pillow", "Plate", "Scarf", "Shoes", "Sofa",
    "Speaker", "Table", "Teapot", "Towel", "Tray", "Umbrella", "Vase", "Wallet",
)
# Domains reserved for documentation (RFC 2606): synthetic addresses can never reach a real inbox.
SAFE_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
LETTERS = string.ascii_lowercase


class Pools:
    """Faker-made value pools for one seed and locale, built lazily and cached."""

    def __init__(self, seed: int, locale: str = "en_US") -> None:
        self.seed = seed
        self.locale = locale
        self._cache: dict[tuple[str, ...] | tuple[str, str, int], list[Any]] = {}
        self._faker: Any = None
        self.sample: int | None = None  # set on `sampler()`'s pools: values made per pool, at most

    def sampler(self) -> Pools:
        """Pools of one value each, sharing this Faker: enough to check a spec (a provider that
        does not exist or fails with its arguments) before writing, without making every pool
        first; the real pools are made when the rows are, while the database takes earlier rows."""
        sampled = Pools(self.seed, self.locale)
        sampled._faker, sampled.sample = self.faker(), 1
        return sampled

    def faker(self) -> Any:
        if self._faker is None:
            from faker import Faker  # imported late: the rest of devenv never needs it

            try:
                self._faker = Faker(self.locale)
            except AttributeError as exc:
                raise InputError(f"unknown Faker locale '{self.locale}'", "seed spec: locale",
                                 "use a locale such as en_US, de_DE, fr_FR") from exc
        return self._faker

    def get(self, provider: str, args: Mapping[str, Any] | tuple[Any, ...] = (), size: int = POOL_SIZE,
            where: str = "") -> list[Any]:
        """`size` values of Faker's `provider(**args)`, the same list for the same seed."""
        key = (provider, repr(args), size)
        if key not in self._cache:
            fake = self.faker()
            method = getattr(fake, provider, None) if not provider.startswith("_") else None
            if not callable(method):
                raise InputError(f"unknown Faker provider '{provider}'", where or "seed spec",
                                 "use a provider name such as name, email, company, date_of_birth")
            fake.seed_instance(derive_seed(self.seed, "pool", self.locale, provider, repr(args)))
            try:
                made = size if self.sample is None else min(size, self.sample)
                if isinstance(args, Mapping):
                    values = [method(**args) for _ in range(made)]
                else:
                    values = [method(*args) for _ in range(made)]
            except (TypeError, ValueError, AttributeError) as exc:
                raise InputError(f"Faker provider '{provider}' failed with these arguments: {exc}",
                                 where or "seed spec", "check the provider's arguments") from exc
            self._cache[key] = values
        return self._cache[key]

    def int_texts(self, upto: int) -> list[str] | None:
        """`str(n)` for n in 0..upto-1 (COPY text for keys), made once a run and grown on demand;
        None beyond INT_TEXTS_MAX numbers."""
        if upto > INT_TEXTS_MAX:
            return None
        texts = self._cache.setdefault(("int_texts",), [])
        if len(texts) < upto:
            texts.extend(map(str, range(len(texts), upto)))
        return texts

    def derived(self, name: str, build: Callable[[], list[Any]]) -> list[Any]:
        """A pool computed by `build()` once (e.g. lower-cased names for e-mail local parts)."""
        key = ("derived", name)
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def first_names(self) -> list[str]:
        return self.get("first_name")

    def last_names(self) -> list[str]:
        return self.get("last_name")

    def email_locals(self) -> tuple[list[str], list[str]]:
        """Lower-case ASCII first and last names, for e-mail addresses and user names."""
        def clean(values: list[str]) -> list[str]:
            out = []
            for value in values:
                ascii_only = "".join(ch for ch in value.lower() if ch in LETTERS)
                out.append(ascii_only or "user")
            return out
        return (self.derived("first_local", lambda: clean(self.first_names())),
                self.derived("last_local", lambda: clean(self.last_names())))

    def product_names(self) -> list[str]:
        return self.derived("product", lambda: [f"{a} {m} {n}" for a in ADJECTIVES for m in MATERIALS for n in NOUNS])
