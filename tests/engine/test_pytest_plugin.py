"""The project's own pytest plugin in use: the `devenv_stack` fixture brings the stack up for the session."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.engine.conftest import copy_stack


@pytest.fixture(scope="session")
def devenv_config(tmp_path_factory: pytest.TempPathFactory, engine: None) -> Path:
    return copy_stack("three-services", tmp_path_factory.mktemp("plugin")) / "devenv.toml"


def test_the_fixture_hands_the_test_its_service_addresses(devenv_stack) -> None:  # type: ignore[no-untyped-def]
    address = devenv_stack.address("frontend", 8000)
    with urllib.request.urlopen(f"http://{address}/fetched.html", timeout=5) as response:
        assert response.read() == b"hello from backend"
