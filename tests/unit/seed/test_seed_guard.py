"""The write guard: loopback, unix sockets and allowed hosts pass; everything else is refused."""

import pytest

from devenv.errors import InputError
from devenv.seed.load.guard import ensure_local

ACCEPTED = [
    ("postgresql://u:p@127.0.0.1:5432/db", frozenset()),
    ("postgresql://u:p@127.8.9.10/db", frozenset()),
    ("postgresql://u:p@localhost/db", frozenset()),
    ("postgresql://u:p@LOCALHOST./db", frozenset()),
    ("postgresql://u:p@[::1]:5432/db", frozenset()),
    ("postgresql://u@/db?host=/var/run/postgresql", frozenset()),
    ("postgresql://u@/db", frozenset()),
    ("mysql+pymysql://u:p@/db?unix_socket=/tmp/mysql.sock", frozenset()),
    ("mysql+pymysql://u:p@127.0.0.1:3306/db", frozenset()),
    ("sqlite:///tmp/x.db", frozenset()),
    ("sqlite://", frozenset()),
    ("postgresql://u:p@postgres:5432/db", frozenset({"postgres"})),
    ("postgresql://u:p@Orders-DB:5432/db", frozenset({"orders-db"})),
]

REFUSED = [
    ("postgresql://u:p@10.0.0.5:5432/db", frozenset()),
    ("postgresql://u:p@192.168.1.20/db", frozenset()),
    ("postgresql://u:p@db.example.com/db", frozenset()),
    ("postgresql://u:p@prod-db/db", frozenset({"postgres"})),
    ("postgresql://u:p@0.0.0.0/db", frozenset()),
    ("postgresql://u@/db?host=db.prod.internal", frozenset()),
    ("postgresql://u@127.0.0.1/db?host=10.1.1.1", frozenset()),
    ("postgresql://u@localhost,10.2.2.2/db", frozenset()),
    ("postgresql://u@[2001:db8::1]/db", frozenset()),
    ("mysql+pymysql://u:p@mysql.internal:3306/db", frozenset()),
]


@pytest.mark.parametrize("url,allow", ACCEPTED)
def test_local_urls_pass(url, allow):
    ensure_local(url, allow, environ={})


@pytest.mark.parametrize("url,allow", REFUSED)
def test_other_urls_are_refused(url, allow):
    with pytest.raises(InputError) as caught:
        ensure_local(url, allow, environ={})
    assert "refusing to write" in caught.value.what
    assert "local stack" in caught.value.hint


def test_pghost_is_checked_when_the_url_names_no_host():
    with pytest.raises(InputError):
        ensure_local("postgresql://u@/db", environ={"PGHOST": "10.9.9.9"})
    ensure_local("postgresql://u@/db", environ={"PGHOST": "/var/run/postgresql"})


def test_refusal_never_shows_the_password():
    with pytest.raises(InputError) as caught:
        ensure_local("postgresql://u:s3cret@10.0.0.5/db", environ={})
    assert "s3cret" not in str(caught.value) + caught.value.where + caught.value.hint


def test_seed_and_mask_refuse_before_connecting():
    from devenv.seed.api import mask, seed
    from devenv.seed.spec.parse import parse_spec

    spec = parse_spec({"database": "x", "seed": 1})
    # Port 9 on a private address: a connection attempt would hang or fail differently.
    with pytest.raises(InputError):
        seed("postgresql://u:p@10.255.255.1:9/db", spec)
    with pytest.raises(InputError):
        mask("postgresql://u:p@10.255.255.1:9/db", spec, key=b"k" * 32)
