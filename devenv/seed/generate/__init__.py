"""Synthetic values and rows: seeded randomness, Faker pools, value generators, kinds, whole tables."""
