"""Throw-away database servers for the seed tests: a PostgreSQL 15 and a MariaDB, each started once
per session in a temporary folder on a free loopback port, stopped at the end. Without the server
binaries the tests skip, unless DEVENV_REQUIRE_ENGINE=1, which makes them fail."""

from __future__ import annotations

import itertools
import os

import pytest

from tests.support.throwaway import ServerUnavailable, ThrowawayMariaDB, ThrowawayPostgres

_names = itertools.count(1)


def _start(factory, label: str):
    try:
        server = factory()
    except ServerUnavailable as exc:
        message = f"{label} unavailable: {exc}. Install it with .ci/setup-databases.sh"
        if os.environ.get("DEVENV_REQUIRE_ENGINE") == "1":
            pytest.fail(f"DEVENV_REQUIRE_ENGINE=1 but {message}", pytrace=False)
        pytest.skip(message)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server():
    server = _start(ThrowawayPostgres, "PostgreSQL 15")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mariadb_server():
    server = _start(ThrowawayMariaDB, "MariaDB")
    yield server
    server.stop()


@pytest.fixture()
def pg_url(postgres_server) -> str:
    """A fresh, empty database on the session's PostgreSQL."""
    return postgres_server.create_database(f"t{next(_names)}")


@pytest.fixture()
def maria_url(mariadb_server) -> str:
    """A fresh, empty database on the session's MariaDB."""
    return mariadb_server.create_database(f"t{next(_names)}")
