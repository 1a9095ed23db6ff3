"""The write guard judges the connection the driver would really make: loopback, unix sockets and
allowed hosts pass; everything else, including hosts that libpq or PyMySQL would take from the
environment, a service file or an option file, is refused before anything connects.

Refusals are never tested by connecting: hosts are names under `.invalid` or documentation
addresses (192.0.2.0/24, 2001:db8::/32), and `no_network` fails the test if any driver or socket
is asked to connect."""

import socket

import pytest
from sqlalchemy.engine import make_url

from devenv.errors import InputError
from devenv.seed.load import guard
from devenv.seed.load.guard import (
    check_driver_params,
    cleared_driver_environment,
    ensure_local,
    judge,
)

ACCEPTED = [
    ("postgresql://u:p@127.0.0.1:5432/db", frozenset()),
    ("postgresql://u:p@127.8.9.10/db", frozenset()),
    ("postgresql://u:p@localhost/db", frozenset()),
    ("postgresql://u:p@LOCALHOST./db", frozenset()),
    ("postgresql://u:p@[::1]:5432/db", frozenset()),
    ("postgresql://u:p@[::ffff:127.0.0.1]:5432/db", frozenset()),
    ("postgresql://u@/db?host=/var/run/postgresql", frozenset()),
    ("postgresql://u@/db", frozenset()),
    ("postgresql://u@localhost/db?hostaddr=127.0.0.1", frozenset()),
    ("postgresql://u@localhost/db?sslmode=disable&application_name=x&connect_timeout=3", frozenset()),
    ("postgresql://u@localhost/db?options=-c%20search_path%3Dapp", frozenset()),
    ("postgresql://u@localhost,127.0.0.2/db", frozenset()),
    ("postgres://u@localhost/db", frozenset()),
    ("mysql+pymysql://u:p@/db?unix_socket=/tmp/mysql.sock", frozenset()),
    ("mysql+pymysql://u:p@127.0.0.1:3306/db?charset=utf8mb4", frozenset()),
    ("mariadb+pymysql://u:p@localhost:3306/db", frozenset()),
    ("sqlite:///tmp/x.db", frozenset()),
    ("sqlite://", frozenset()),
    ("postgresql://u:p@postgres:5432/db", frozenset({"postgres"})),
    ("postgresql://u:p@Orders-DB:5432/db", frozenset({"orders-db"})),
]

# Every way found to make a driver connect somewhere else: (URL, environment, allowed hosts).
BYPASSES = [
    # plain non-local hosts
    ("postgresql://u:p@192.0.2.5:5432/db", {}, frozenset()),
    ("postgresql://u:p@db.prod.invalid/db", {}, frozenset()),
    ("postgresql://u:p@prod-db.invalid/db", {}, frozenset({"postgres"})),
    ("postgresql://u:p@0.0.0.0/db", {}, frozenset()),
    ("postgresql://u@[2001:db8::1]/db", {}, frozenset()),
    ("postgresql://u@[::ffff:192.0.2.1]/db", {}, frozenset()),
    ("postgresql://u@[fe80::1%25eth0]/db", {}, frozenset()),
    ("postgresql://u@127.1/db", {}, frozenset()),
    ("postgresql://u@localhost.db.prod.invalid/db", {}, frozenset()),
    ("mysql+pymysql://u:p@mysql.prod.invalid:3306/db", {}, frozenset()),
    ("mysql://u:p@mysql.prod.invalid/db", {}, frozenset()),
    ("mariadb://u:p@192.0.2.7/db", {}, frozenset()),
    # host lists and query hosts
    ("postgresql://u@/db?host=db.prod.invalid", {}, frozenset()),
    ("postgresql://u@127.0.0.1/db?host=db.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost,db.prod.invalid/db", {}, frozenset()),
    ("postgresql://u@/db?host=localhost,db.prod.invalid", {}, frozenset()),
    ("postgresql://u@/db?host=localhost&host=db.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost/db?hostaddr=192.0.2.10", {}, frozenset()),
    ("postgresql://u@localhost/db?hostaddr=127.0.0.1,192.0.2.10", {}, frozenset()),
    ("postgresql://u@postgres/db?hostaddr=192.0.2.10", {}, frozenset({"postgres"})),
    # the environment libpq reads when the URL leaves something out
    ("postgresql:///db", {"PGHOST": "db.prod.invalid"}, frozenset()),
    ("postgres:///db", {"PGHOST": "db.prod.invalid"}, frozenset()),
    ("pgsql:///db", {"PGHOST": "db.prod.invalid"}, frozenset()),
    ("postgresql+psycopg2:///db", {"PGHOST": "db.prod.invalid"}, frozenset()),
    ("postgresql+asyncpg://u@/db", {"PGHOST": "db.prod.invalid"}, frozenset()),
    ("postgresql:///db", {"PGHOST": "/var/run/postgresql,db.prod.invalid"}, frozenset()),
    ("postgresql://u@localhost/db", {"PGHOSTADDR": "192.0.2.10"}, frozenset()),
    ("postgresql://u@127.0.0.1:5432/db", {"PGHOSTADDR": "192.0.2.10"}, frozenset()),
    ("postgresql:///db", {"PGHOSTADDR": "192.0.2.10"}, frozenset()),
    # service files: the host comes from a file devenv does not read
    ("postgresql://u@localhost/db?service=prod", {}, frozenset()),
    ("postgresql:///db?service=prod", {}, frozenset()),
    ("postgresql://u@localhost/db?servicefile=/tmp/pg_service.conf&service=prod", {}, frozenset()),
    ("postgresql://u@localhost/db", {"PGSERVICE": "prod"}, frozenset()),
    ("postgresql:///db", {"PGSERVICE": "prod"}, frozenset()),
    ("postgres:///db", {"PGSERVICE": "prod", "PGSERVICEFILE": "/tmp/pg_service.conf"}, frozenset()),
    ("postgresql://u@localhost/db", {"PGSERVICEFILE": "/tmp/pg_service.conf"}, frozenset()),
    # a connection string hidden in the database name, options naming hosts, unknown parameters
    ("postgresql://u@localhost/host=db.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost/postgresql://db.prod.invalid/db", {}, frozenset()),
    ("postgresql://u@localhost/db?options=-c%20host%3Ddb.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost/db?options=--hostaddr%3D192.0.2.1", {}, frozenset()),
    ("postgresql://u@localhost/db?HOST=db.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost/db?passfile=/tmp/x&requirepeer=x", {}, frozenset()),
    ("postgresql://u@localhost/db?dbname=host%3Ddb.prod.invalid", {}, frozenset()),
    ("postgresql://u@localhost/db?sslmode=disable&sslmode=require", {}, frozenset()),
    # MySQL option files and other ways PyMySQL finds a host
    ("mysql+pymysql://u@localhost/db?read_default_file=/tmp/my.cnf", {}, frozenset()),
    ("mysql+pymysql://u@localhost/db?read_default_group=prod", {}, frozenset()),
    ("mysql+mysqldb://u@localhost/db?read_default_file=/tmp/my.cnf", {}, frozenset()),
    ("mariadb+pymysql://u@127.0.0.1/db?read_default_file=~/.my.cnf", {}, frozenset()),
    ("mysql+pymysql://u@localhost/db?unix_socket=db.prod.invalid", {}, frozenset()),
    ("mysql+pymysql://u@localhost/db?host=db.prod.invalid", {}, frozenset()),
    ("mysql+pymysql://u@localhost/db?init_command=SELECT%201", {}, frozenset()),
    ("mysql+pymysql://u@localhost/db?local_infile=1", {}, frozenset()),
]


@pytest.fixture()
def no_network(monkeypatch):
    """Fail the test if anything tries to resolve a name or connect."""
    import psycopg
    import pymysql

    def forbidden(*args, **kwargs):
        raise AssertionError("the guard let a connection attempt through")

    for target, name in ((psycopg, "connect"), (psycopg.Connection, "connect"), (pymysql, "connect"),
                         (pymysql.connections.Connection, "connect"), (socket, "getaddrinfo"),
                         (socket, "create_connection"), (socket.socket, "connect")):
        monkeypatch.setattr(target, name, forbidden)


@pytest.mark.parametrize("url,allow", ACCEPTED)
def test_local_urls_pass(url, allow):
    ensure_local(url, allow, environ={})


@pytest.mark.parametrize("url,environ,allow", BYPASSES)
def test_every_bypass_is_refused(url, environ, allow):
    with pytest.raises(InputError) as caught:
        judge(url, allow, environ=environ)
    assert "refusing" in caught.value.what or "more than once" in caught.value.what
    assert caught.value.hint


@pytest.mark.parametrize("url,environ,allow", BYPASSES)
def test_seeding_refuses_every_bypass_before_any_connection(url, environ, allow, monkeypatch, no_network):
    from devenv.seed.api import has_data, mask, seed
    from devenv.seed.spec.parse import parse_spec

    for name in [n for n in list(__import__("os").environ) if n.startswith(guard.DRIVER_ENV_PREFIXES)]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = parse_spec({"database": "x", "seed": 1})
    for call in (lambda: seed(url, spec, allow_hosts=allow), lambda: has_data(url, spec, allow_hosts=allow),
                 lambda: mask(url, spec, key=b"k" * 32, allow_hosts=allow)):
        with pytest.raises(InputError):
            call()


def test_what_the_environment_would_add_is_spelt_out():
    explicit = judge("postgresql:///db", environ={"PGHOST": "/run/pg", "PGPORT": "5433", "PGUSER": "me",
                                                   "PGPASSWORD": "pw", "PGHOSTADDR": "127.0.0.1"})
    assert explicit.query == {"host": "/run/pg", "port": "5433", "hostaddr": "127.0.0.1"}
    assert (explicit.username, explicit.password, explicit.database) == ("me", "pw", "db")
    # What the URL says wins, as in libpq: PGHOST and PGPORT are not used when the URL has a host and port.
    explicit = judge("postgresql://u@127.0.0.1:6000/db", environ={"PGHOST": "db.prod.invalid", "PGPORT": "1"})
    assert explicit.host == "127.0.0.1" and explicit.port == 6000 and "host" not in explicit.query


def test_the_drivers_final_arguments_are_checked_again():
    """Whatever SQLAlchemy makes of a URL, the arguments handed to the driver are judged too."""
    for params in ({"host": "localhost,db.prod.invalid"}, {"hostaddr": "192.0.2.1"}, {"service": "prod"},
                   {"read_default_file": "/tmp/my.cnf"}, {"dbname": "host=db.prod.invalid"},
                   {"host": "127.0.0.1", "options": "-c host=x"}):
        with pytest.raises(InputError):
            check_driver_params("postgresql" if "read_default_file" not in params else "mysql", params,
                                frozenset(), "shown")
    check_driver_params("postgresql", {"host": "127.0.0.1", "port": 5, "dbname": "db"}, frozenset(), "shown")


def test_a_hole_in_url_judging_is_still_caught_at_connect_time(monkeypatch, no_network):
    """Even if judging the URL let a host through, the connect hook refuses it before the driver runs."""
    from devenv.seed.load import connect

    monkeypatch.setattr(connect, "judge", lambda url, allow: make_url(url))
    engine = connect.guarded_engine("postgresql://u@db.prod.invalid/db")
    with pytest.raises(InputError, match="db.prod.invalid"):
        engine.connect()
    engine.dispose()


def test_driver_variables_are_hidden_while_connecting(monkeypatch):
    monkeypatch.setenv("PGHOST", "db.prod.invalid")
    monkeypatch.setenv("MYSQL_HOST", "db.prod.invalid")
    monkeypatch.setenv("DEVENV_UNRELATED", "kept")
    import os

    with cleared_driver_environment():
        assert "PGHOST" not in os.environ and "MYSQL_HOST" not in os.environ
        assert os.environ["DEVENV_UNRELATED"] == "kept"
    assert os.environ["PGHOST"] == "db.prod.invalid"


def test_refusal_never_shows_the_password():
    with pytest.raises(InputError) as caught:
        ensure_local("postgresql://u:s3cret@192.0.2.5/db", environ={})
    assert "s3cret" not in str(caught.value) + caught.value.where + caught.value.hint
    with pytest.raises(InputError) as caught:
        ensure_local("postgresql:///db", environ={"PGHOST": "db.prod.invalid", "PGPASSWORD": "s3cret"})
    assert "s3cret" not in str(caught.value) + caught.value.where + caught.value.hint
    assert "PGHOST" in caught.value.what
