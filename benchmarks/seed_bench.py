"""Seeding throughput: devenv's seeder against a plain COPY of pre-generated rows (the ceiling) and a
naive Faker-per-cell + SQLAlchemy ORM insert (the floor), on the same local PostgreSQL, same run.

    python benchmarks/seed_bench.py                 # starts a throw-away PostgreSQL 15
    python benchmarks/seed_bench.py --url postgresql://postgres@127.0.0.1:5432/bench
    python benchmarks/seed_bench.py --scale 0.1     # 100,000 rows instead of 1,000,000
    python benchmarks/seed_bench.py --only pagila   # or --only shop

Two schemas. "shop" (chinook-shaped): eight related tables (customers, addresses, categories,
products, orders, order_items, payments, reviews) with foreign keys, unique and check constraints,
one million rows in total. "pagila": the Pagila sample schema from ../shared/corpus/pagila/ (15
tables, a partitioned payment table, domains, an enum, arrays, a tsvector filled by a trigger, a
NOT NULL foreign-key cycle), about 0.9 million rows.

The bar for both is a restore: the very rows devenv wrote, dumped as COPY text beforehand, loaded
into the same empty schema with its foreign keys dropped and re-added (validated), sequences set,
as pg_restore loads a dump; devenv / restore is end-to-end rows/s of `devenv seed` (reflection,
planning, generation, COPY, constraints, sequences) over that. devenv also builds primary keys,
unique constraints and indexes after each table's rows, as pg_restore's post-data section does; the
restore bar keeps them during COPY, so a stricter bar is printed too: the same restore with those
built after the data. For "shop" the older figures are
printed too: a COPY of rows already in memory with the foreign keys on, the same without foreign
keys, and the floor (measured on a small sample and extrapolated: it says so).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import (  # noqa: E402
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
    text,
)
from sqlalchemy.orm import Session, registry  # noqa: E402

from devenv.seed.api import seed  # noqa: E402
from devenv.seed.spec.parse import parse_spec  # noqa: E402

ROWS = {
    "customers": 100_000, "addresses": 100_000, "categories": 200, "products": 20_000, "orders": 250_000,
    "order_items": 400_000, "payments": 100_000, "reviews": 29_800,
}


def schema() -> MetaData:
    md = MetaData()
    Table("customers", md, Column("id", Integer, primary_key=True),
          Column("email", String(120), unique=True, nullable=False), Column("first_name", String(50), nullable=False),
          Column("last_name", String(50), nullable=False), Column("phone", String(30)),
          Column("created_at", DateTime(timezone=True), nullable=False), Column("is_active", Boolean, nullable=False))
    Table("addresses", md, Column("id", Integer, primary_key=True),
          Column("customer_id", ForeignKey("customers.id"), nullable=False), Column("street", String(120), nullable=False),
          Column("city", String(60), nullable=False), Column("postcode", String(12)), Column("country_code", String(2)))
    Table("categories", md, Column("id", Integer, primary_key=True), Column("name", String(60), unique=True, nullable=False))
    Table("products", md, Column("id", Integer, primary_key=True),
          Column("category_id", ForeignKey("categories.id"), nullable=False),
          Column("sku", String(20), unique=True, nullable=False), Column("name", String(100), nullable=False),
          Column("price", Numeric(10, 2), CheckConstraint("price > 0"), nullable=False),
          Column("stock", Integer, CheckConstraint("stock >= 0"), nullable=False))
    Table("orders", md, Column("id", Integer, primary_key=True),
          Column("customer_id", ForeignKey("customers.id"), nullable=False),
          Column("status", String(10), CheckConstraint("status IN ('new', 'paid', 'shipped', 'cancelled')"), nullable=False),
          Column("total", Numeric(12, 2), nullable=False), Column("created_at", DateTime(timezone=True), nullable=False))
    Table("order_items", md, Column("id", Integer, primary_key=True),
          Column("order_id", ForeignKey("orders.id"), nullable=False),
          Column("product_id", ForeignKey("products.id"), nullable=False),
          Column("quantity", Integer, CheckConstraint("quantity > 0"), nullable=False),
          Column("unit_price", Numeric(10, 2), nullable=False))
    Table("payments", md, Column("id", Integer, primary_key=True),
          Column("order_id", ForeignKey("orders.id"), nullable=False), Column("amount", Numeric(12, 2), nullable=False),
          Column("paid_at", DateTime(timezone=True), nullable=False), Column("provider", String(20), nullable=False))
    Table("reviews", md, Column("id", Integer, primary_key=True),
          Column("product_id", ForeignKey("products.id"), nullable=False),
          Column("customer_id", ForeignKey("customers.id"), nullable=False),
          Column("rating", Integer, CheckConstraint("rating BETWEEN 1 AND 5"), nullable=False), Column("body", Text))
    return md


def spec_for(scale: float):
    return parse_spec({
        "database": "bench", "seed": 42,
        "tables": {name: {"rows": max(1, int(rows * scale))} for name, rows in ROWS.items()}
        | {"payments": {"rows": max(1, int(ROWS["payments"] * scale)),
                        "columns": {"provider": {"choices": ["card", "paypal", "bank"], "weights": [7, 2, 1]}}}},
    })


def fresh(url: str) -> None:
    engine = create_engine(url)
    md = schema()
    md.drop_all(engine)
    md.create_all(engine)
    engine.dispose()


def measure_devenv(url: str, scale: float) -> tuple[int, float]:
    fresh(url)
    summary = seed(url, spec_for(scale), reset=True)
    return summary.rows, summary.seconds


def pregenerate(url: str, scale: float) -> dict[str, tuple[list[str], list[tuple]]]:
    """All rows, generated before the clock starts (with devenv's generators, kept in memory)."""
    from devenv.seed.generate.pools import Pools
    from devenv.seed.generate.table import TableBuilder
    from devenv.seed.schema.discovery import reflect_schema
    from devenv.seed.schema.fill_order import make_plan

    spec = spec_for(scale)
    engine = create_engine(url)
    with engine.connect() as conn:
        reflected = reflect_schema(conn)
    engine.dispose()
    plan = make_plan(reflected, reflected.tables)
    known: dict = {}
    pools = Pools(spec.seed, spec.locale)
    needed: dict[str, set[str]] = {}
    for table in reflected.tables.values():
        for fk in table.foreign_keys:
            needed.setdefault(fk.ref_table, set()).update(fk.ref_columns)
    out = {}
    for name in plan.order:
        builder = TableBuilder(reflected.tables[name], spec, plan, known, pools, needed.get(name, set()), [])
        rows = [row for batch in builder.batches() for row in batch]
        known[name] = builder.data
        out[name] = (builder.columns, rows)
    return out


def measure_copy(url: str, data: dict[str, tuple[list[str], list[tuple]]], foreign_keys: bool = True) -> tuple[int, float]:
    """The ceiling: COPY ... FROM STDIN of rows already in memory, one transaction. Without
    `foreign_keys` the constraints are dropped first: pure ingestion, for information only."""
    import psycopg

    fresh(url)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        if not foreign_keys:
            for table, name in conn.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint "
                                            "WHERE contype = 'f'").fetchall():
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for name, (columns, rows) in data.items():
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
        seconds = time.perf_counter() - started
    return sum(len(rows) for _, rows in data.values()), seconds


def measure_naive(url: str, sample: float) -> tuple[int, float]:
    """The floor: one Faker call per cell, one ORM object per row, session.add + commit."""
    from faker import Faker

    fresh(url)
    md = schema()
    mapper = registry(metadata=md)
    classes = {name: type(name.title(), (), {}) for name in md.tables}
    for name, cls in classes.items():
        mapper.map_imperatively(cls, md.tables[name])
    fake = Faker()
    Faker.seed(42)
    rnd = random.Random(42)
    counts = {name: max(1, int(rows * sample)) for name, rows in ROWS.items()}
    engine = create_engine(url)
    started = time.perf_counter()
    total = 0
    with Session(engine) as session:
        def add(name: str, rows: list[dict]) -> None:
            session.add_all([classes[name](**row) for row in rows])
            session.flush()

        add("customers", [dict(id=i, email=f"{i}.{fake.email()}", first_name=fake.first_name(), last_name=fake.last_name(),
                               phone=fake.phone_number()[:30], created_at=fake.date_time_this_decade(tzinfo=None),
                               is_active=fake.boolean()) for i in range(1, counts["customers"] + 1)])
        add("addresses", [dict(id=i, customer_id=rnd.randint(1, counts["customers"]), street=fake.street_address()[:120],
                               city=fake.city(), postcode=fake.postcode(), country_code=fake.country_code())
                          for i in range(1, counts["addresses"] + 1)])
        add("categories", [dict(id=i, name=f"{fake.word()}-{i}") for i in range(1, counts["categories"] + 1)])
        add("products", [dict(id=i, category_id=rnd.randint(1, counts["categories"]), sku=f"SKU-{i:08d}",
                              name=fake.catch_phrase()[:100], price=Decimal(fake.pydecimal(2, 2, positive=True)) + 1,
                              stock=fake.random_int(0, 500)) for i in range(1, counts["products"] + 1)])
        add("orders", [dict(id=i, customer_id=rnd.randint(1, counts["customers"]),
                            status=fake.random_element(["new", "paid", "shipped", "cancelled"]),
                            total=fake.pydecimal(3, 2, positive=True), created_at=fake.date_time_this_decade())
                       for i in range(1, counts["orders"] + 1)])
        add("order_items", [dict(id=i, order_id=rnd.randint(1, counts["orders"]),
                                 product_id=rnd.randint(1, counts["products"]), quantity=fake.random_int(1, 9),
                                 unit_price=fake.pydecimal(3, 2, positive=True)) for i in range(1, counts["order_items"] + 1)])
        add("payments", [dict(id=i, order_id=rnd.randint(1, counts["orders"]), amount=fake.pydecimal(3, 2, positive=True),
                              paid_at=fake.date_time_this_decade(), provider=fake.random_element(["card", "paypal"]))
                         for i in range(1, counts["payments"] + 1)])
        add("reviews", [dict(id=i, product_id=rnd.randint(1, counts["products"]),
                             customer_id=rnd.randint(1, counts["customers"]), rating=fake.random_int(1, 5),
                             body=fake.paragraph()) for i in range(1, counts["reviews"] + 1)])
        session.commit()
        total = sum(counts.values())
    seconds = time.perf_counter() - started
    engine.dispose()
    return total, seconds


PAGILA = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pagila" / "pagila-schema.sql"
PAGILA_ROWS = {
    "actor": 2_000, "address": 60_000, "category": 16, "city": 600, "country": 109, "customer": 50_000,
    "film": 20_000, "film_actor": 100_000, "film_category": 20_000, "inventory": 100_000, "language": 6,
    "payment": 265_000, "rental": 265_000, "staff": 2, "store": 2,
}


def pagila_spec(scale: float):
    return parse_spec({"database": "pagila", "seed": 7, "tables": {
        name: {"rows": max(1, int(rows * scale)) if rows > 200 else rows} for name, rows in PAGILA_ROWS.items()}})


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def recreate(url: str, ddl: str) -> None:
    """An empty database with `ddl` loaded (the schema devenv and the restore both fill)."""
    import psycopg

    base, _, name = plain(url).rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute(ddl)


def dump_tables(url: str) -> dict[str, tuple[list[str], bytes]]:
    """Every filled table's rows as COPY text (partitioned tables through their parent)."""
    import psycopg

    out: dict[str, tuple[list[str], bytes]] = {}
    with psycopg.connect(plain(url)) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")]
        for name in names:
            columns = [r[0] for r in conn.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                "AND attgenerated = '' ORDER BY attnum", (name,))]
            data = bytearray()
            with conn.cursor().copy(f'COPY (SELECT {", ".join(columns)} FROM "{name}") TO STDOUT') as copy:
                for chunk in copy:
                    data += chunk
            out[name] = (columns, bytes(data))
    return out


def measure_restore(url: str, ddl: str, dumps: dict[str, tuple[list[str], bytes]],
                    indexes: bool = False) -> tuple[int, float]:
    """Load `dumps` into a fresh `ddl` the way pg_restore does: foreign keys dropped, COPY, foreign
    keys added back (validated), sequences set; one transaction, clock from connect to commit.
    With `indexes`, primary keys, unique constraints and plain indexes are dropped too and made
    after the data (as pg_restore's post-data section does, and devenv now does): a stricter bar."""
    import psycopg

    recreate(url, ddl)
    rows = sum(data.count(b"\n") for _, data in dumps.values())
    started = time.perf_counter()
    with psycopg.connect(plain(url)) as conn:
        fks = conn.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE contype = 'f' AND conparentid = 0").fetchall()
        for table, name, _ in fks:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        keys: list[tuple[str, str, str]] = []
        plain_indexes: list[tuple[str, str]] = []
        if indexes:
            keys = conn.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                "WHERE contype IN ('p', 'u') AND conparentid = 0 AND NOT condeferrable "
                                "AND connamespace = 'public'::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_inherits "
                                "WHERE inhparent = conindid OR inhrelid = conindid)").fetchall()
            for table, name, _ in keys:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            plain_indexes = conn.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class t "
                "ON t.oid = i.indrelid AND t.relkind = 'r' AND t.relnamespace = 'public'::regnamespace "
                "WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)").fetchall()
            for index, _ in plain_indexes:
                conn.execute(f"DROP INDEX {index}")
        with conn.cursor() as cursor:
            for name, (columns, data) in dumps.items():
                with cursor.copy(f'COPY "{name}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for start in range(0, len(data), 1 << 20):
                        copy.write(data[start:start + (1 << 20)])
        for table, name, definition in keys:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in plain_indexes:
            conn.execute(definition)
        for table, name, definition in fks:
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for (sequence,) in conn.execute("SELECT oid::regclass::text FROM pg_class WHERE relkind = 'S'").fetchall():
            conn.execute("SELECT setval(%s, 1)", (sequence,))
        conn.commit()
    return rows, time.perf_counter() - started


def compare_restore(url: str, ddl: str, spec, label: str, runs: int) -> float:
    """devenv seed end to end against the restore of the same rows, `runs` times each, best kept."""
    best_devenv = best_restore = best_strict = float("inf")
    rows = 0
    dumps: dict[str, tuple[list[str], bytes]] = {}
    for _ in range(runs):
        recreate(url, ddl)
        started = time.perf_counter()
        summary = seed(url, spec)
        best_devenv = min(best_devenv, time.perf_counter() - started)
        rows = summary.rows
        if not dumps:
            dumps = dump_tables(url)
        best_restore = min(best_restore, measure_restore(url, ddl, dumps)[1])
        best_strict = min(best_strict, measure_restore(url, ddl, dumps, indexes=True)[1])
    ratio = best_restore / best_devenv
    print(f"{label}: {rows:,} rows; devenv seed {best_devenv:.2f} s ({rows / best_devenv:,.0f} rows/s); "
          f"restore of the same rows (COPY, FKs dropped and re-added) {best_restore:.2f} s "
          f"({rows / best_restore:,.0f} rows/s); devenv / restore = {ratio:.2f}   (target >= 0.90)")
    print(f"{label}: stricter restore, indexes and keys also built after the data (as pg_restore's post-data does, "
          f"and devenv): {best_strict:.2f} s; devenv / that = {best_strict / best_devenv:.2f}")
    return ratio


def shop_ddl(url: str) -> str:
    """The shop schema as DDL text (created once through SQLAlchemy, read back with pg_dump-like SQL)."""
    from sqlalchemy.schema import CreateTable

    engine = create_engine(url)
    text_ddl = ";\n".join(str(CreateTable(t).compile(engine)) for t in schema().sorted_tables) + ";"
    engine.dispose()
    return text_ddl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a local PostgreSQL to use (its database is emptied); default: a throw-away one")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1,000,000 rows (default 1)")
    parser.add_argument("--floor-sample", type=float, default=0.01, help="fraction of rows for the naive floor")
    parser.add_argument("--only", choices=("shop", "pagila"), help="one schema only")
    parser.add_argument("--runs", type=int, default=2, help="runs of each measure, best kept (default 2)")
    args = parser.parse_args()

    def run(url: str) -> None:
        if args.only != "shop":
            if PAGILA.exists():
                compare_restore(url, PAGILA.read_text(encoding="utf-8"), pagila_spec(args.scale), "pagila", args.runs)
            else:
                print(f"pagila: skipped, {PAGILA} not found")
        if args.only == "pagila":
            return
        compare_restore(url, shop_ddl(url), spec_for(args.scale), "shop", args.runs)
        with create_engine(url).connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar()
        print(f"PostgreSQL {version}; {int(sum(ROWS.values()) * args.scale):,} rows in 8 tables; 2 runs each, best kept")
        devenv_runs = [measure_devenv(url, args.scale) for _ in range(2)]
        rows, seconds = min(devenv_runs, key=lambda r: r[1])
        devenv_rate = rows / seconds
        data = pregenerate(url, args.scale)
        copy_runs = [measure_copy(url, data) for _ in range(2)]
        copy_rows, copy_seconds = min(copy_runs, key=lambda r: r[1])
        copy_rate = copy_rows / copy_seconds
        bare_rows, bare_seconds = min((measure_copy(url, data, foreign_keys=False) for _ in range(2)),
                                      key=lambda r: r[1])
        naive_rows, naive_seconds = measure_naive(url, args.floor_sample)
        naive_rate = naive_rows / naive_seconds
        print(f"{'method':<52}{'rows':>11}{'seconds':>10}{'rows/s':>12}")
        print(f"{'devenv seed (generate + COPY, FKs/unique/checks on)':<52}{rows:>11,}{seconds:>10.2f}{devenv_rate:>12,.0f}")
        print(f"{'plain COPY of pre-generated rows (ceiling)':<52}{copy_rows:>11,}{copy_seconds:>10.2f}{copy_rate:>12,.0f}")
        bare_rate = bare_rows / bare_seconds
        print(f"{'  same COPY, foreign keys dropped (no FK checking)':<52}{bare_rows:>11,}{bare_seconds:>10.2f}"
              f"{bare_rate:>12,.0f}")
        extrapolated = sum(ROWS.values()) * args.scale / naive_rate
        print(f"{'naive Faker per cell + ORM (floor, sample)':<52}{naive_rows:>11,}{naive_seconds:>10.2f}{naive_rate:>12,.0f}")
        print(f"  floor measured on {naive_rows:,} rows ({args.floor_sample:.0%} of each table) and extrapolated: "
              f"~{extrapolated:,.0f} s for {int(sum(ROWS.values()) * args.scale):,} rows")
        print(f"devenv / ceiling = {devenv_rate / copy_rate:.2f}   (target >= 0.50)")
        print(f"devenv / COPY without foreign keys = {devenv_rate / bare_rate:.2f}   (a stricter bar: devenv still"
              " checks every foreign key, when it puts them back)")
        print(f"devenv / floor   = {devenv_rate / naive_rate:.1f}x")

    if args.url:
        run(args.url)
        return 0
    from tests.support.throwaway import ThrowawayPostgres

    with ThrowawayPostgres("bench") as server:
        run(server.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
