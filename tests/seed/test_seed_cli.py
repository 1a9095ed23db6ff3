"""`devenv seed --url` and `--suggest` as a user runs them, with no stack and no devenv.toml, on a
real PostgreSQL 15: the draft never holds the URL's password, bad targets exit 2 with the
reason, a failing run still shows its warnings, the database's words appear once, and masking
failures get masking hints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests.support.pg_checks import plain

pytestmark = pytest.mark.postgres


def devenv(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=300, check=False)


def execute(url: str, sql: str) -> None:
    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute(sql)


def test_the_draft_never_holds_the_password_and_runs_unmodified(pg_url, tmp_path):
    execute(pg_url, "CREATE TABLE person (id serial PRIMARY KEY, email text NOT NULL, phone text)")
    secret = "Pw-Never-Written-42"
    url = pg_url.replace("postgres@", f"postgres:{secret}@")  # the throw-away server trusts: any password works
    drafted = devenv("seed", "--suggest", url, cwd=tmp_path)
    assert drafted.returncode == 0, drafted.stderr
    assert secret not in drafted.stdout + drafted.stderr
    assert 'database = "' + pg_url.rsplit("/", 1)[1] + '"' in drafted.stdout
    (tmp_path / "s.toml").write_text(drafted.stdout, encoding="utf-8")
    seeded = devenv("seed", "--url", url, "--spec", "s.toml", cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert secret not in seeded.stdout + seeded.stderr
    assert not (tmp_path / "devenv.toml").exists()


@pytest.mark.parametrize("setup,spec,reason", [
    ("", 'database = "x"\nseed = 1\n', "no table to fill in the database's default schema"),
    ("CREATE TABLE t (id int PRIMARY KEY)", 'database = "x"\nseed = 1\nschema = "nope"\n', "no table to fill in schema nope"),
])
def test_an_empty_database_or_a_wrong_schema_exits_2_with_the_reason(pg_url, tmp_path, setup, spec, reason):
    if setup:
        execute(pg_url, setup)
    (tmp_path / "s.toml").write_text(spec, encoding="utf-8")
    run = devenv("seed", "--url", pg_url, "--spec", "s.toml", cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert reason in run.stderr
    assert "seeded" not in run.stdout


def test_a_failing_run_keeps_its_warnings_and_says_the_database_error_once(pg_url, tmp_path):
    """A check the seeder cannot read is warned about; the database then refuses a row: the
    warning is still printed, and the database's message appears once."""
    execute(pg_url, "CREATE TABLE t (id serial PRIMARY KEY, n int NOT NULL CHECK (n % 7 = 3))")
    (tmp_path / "s.toml").write_text('database = "x"\nseed = 1\n', encoding="utf-8")
    run = devenv("seed", "--url", pg_url, "--spec", "s.toml", cwd=tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "warning: t: check constraint not understood" in run.stderr
    assert run.stderr.count('violates check constraint "t_n_check"') == 1
    assert "Traceback" not in run.stderr


def test_masking_failures_get_masking_hints(pg_url, tmp_path):
    execute(pg_url, "CREATE TABLE t (id int PRIMARY KEY, code text NOT NULL CHECK (code LIKE 'A%'))")
    (tmp_path / "dump.sql").write_text("COPY public.t (id, code) FROM stdin;\n1\tAX\n2\tAY\n\\.\n", encoding="utf-8")
    (tmp_path / "s.toml").write_text('database = "x"\nseed = 1\n[mask]\nsource = "dump.sql"\nsafe = ["t.id"]\n'
                                     '[mask.rules.t]\ncode = { rule = "constant", value = "B" }\n', encoding="utf-8")
    run = devenv("seed", "--url", pg_url, "--spec", "s.toml", "--key", str(tmp_path / "k"), cwd=tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "refused the masked rows" in run.stderr
    assert "masking rule" in run.stderr and "override the column in the spec" not in run.stderr
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0


def test_url_needs_a_spec_and_the_guard_still_applies(tmp_path):
    run = devenv("seed", "--url", "postgresql://u@db.prod.invalid/x", cwd=tmp_path)
    assert run.returncode == 2 and "--url needs --spec" in run.stderr
    (tmp_path / "s.toml").write_text('database = "x"\nseed = 1\n', encoding="utf-8")
    run = devenv("seed", "--url", "postgresql://u@db.prod.invalid/x", "--spec", "s.toml", cwd=tmp_path)
    assert run.returncode == 2 and "refusing to write to db.prod.invalid" in run.stderr
