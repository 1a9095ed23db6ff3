"""Fill the local stack's databases: synthetic rows from a spec in `seeds/`, or a production-like
source masked column by column.

Callers import the public functions from `devenv.seed.api`; importing this package alone loads
nothing (no SQLAlchemy, psycopg or Faker). The stages, each a subpackage whose imports point only
at the ones before it:

    spec/      the seed spec (TOML in seeds/): its model and its strict parser
    schema/    the database's schema: model, check constraints, reflection, the order tables fill in
    generate/  synthetic values and rows: seeded randomness, Faker pools, generators, kinds, tables
    load/      writing to the database: the local-only guard, engines, one bulk loader per dialect
    mask/      masking: keyed rules, the sources masked data is read from, drafting a masking spec
    run/       one seeding or masking run inside a transaction, stages put together

and, on top, `api` (the public face) and `stack` (which container of the stack serves a database).
"""
