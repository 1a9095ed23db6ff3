"""The real reader: any string from a manifest, in any field devenv writes, reads back exactly through
`docker compose config --format json` (Go's yaml.v3 plus Compose's interpolation), and every service has
exactly the keys devenv meant. One Compose call per example, each carrying many strings.

Marked `engine`: it needs the Docker CLI with Compose v2 (no running engine). It skips without one, and
fails instead when DEVENV_REQUIRE_ENGINE=1 (CI sets it), so it can never pass silently.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.compose import yamlout
from devenv.compose.writer import compose_document
from devenv.translate.expansion import expand
from tests.unit.security.helpers import configmap, pod, run
from tests.unit.security.strategies import strings

pytestmark = pytest.mark.engine
REQUIRED = os.environ.get("DEVENV_REQUIRE_ENGINE") == "1"
EXAMPLES = int(os.environ.get("DEVENV_ROUNDTRIP_EXAMPLES", "40"))  # more for a deeper local run
ENVIRONMENT = {name: value for name, value in os.environ.items() if not name.startswith(("DEVENV_", "COMPOSE_"))}


def _missing() -> str:
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    if subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0:
        return "Compose v2 is not installed"
    return ""


@pytest.fixture(scope="module", autouse=True)
def compose_cli() -> None:
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"DEVENV_REQUIRE_ENGINE=1 but {reason}")
        pytest.skip(reason)


def compose_config(text: str) -> dict[str, Any]:
    """The project as Compose reads it, interpolated and normalized. HOME stays set: were a `${HOME}` from a
    manifest interpolated, its value would show."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compose.yaml"
        path.write_text(text, encoding="utf-8")
        done = subprocess.run(["docker", "compose", "-f", str(path), "-p", "roundtrip", "config", "--format", "json"],
                              capture_output=True, text=True, timeout=60, env=ENVIRONMENT, check=False)
    assert done.returncode == 0, f"Compose refused the rendered file:\n{done.stderr}\n{text}"
    return json.loads(done.stdout)


def escaped(text: str) -> str:
    """How `config` prints a literal value: it escapes `$` again, so its output is a Compose file too."""
    return text.replace("$", "$$")


def go_clean(path: str) -> str:
    """Go's path.Clean, which Compose applies to mount targets."""
    return re.sub(r"^/+", "/", posixpath.normpath(path)) if path else "."


def keys_read(service: dict[str, Any]) -> set[str]:
    return {key for key, value in service.items() if value is not None}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(strings(40), min_size=8, max_size=8))
def test_manifest_strings_round_trip_through_compose(values: list[str]) -> None:
    image, workdir, mount, command, arg, env_value, config_value, probe = values
    output = run(configmap({"FROM_CM": config_value}), pod(
        image="img" + image, workingDir="/w" + workdir, command=[command], args=[arg],
        env=[{"name": "DIRECT", "value": env_value}], envFrom=[{"configMapRef": {"name": "cfg"}}],
        volumes=[{"name": "data", "emptyDir": {}}], volumeMounts=[{"name": "data", "mountPath": "/m/" + mount}],
        readinessProbe={"exec": {"command": ["test", probe]}}))
    read = compose_config(compose_document(output, ""))["services"]
    for name, meant in output.services.items():
        assert keys_read(read[name]) == set(meant), f"{name}: Compose reads other keys than devenv wrote"
    app = read["app"]
    direct = expand(env_value, {"FROM_CM": config_value}.get)
    assert app["image"] == escaped("img" + image)
    assert app["working_dir"] == escaped("/w" + workdir)
    assert app["volumes"][0]["target"] == escaped(go_clean("/m/" + mount))
    assert app["entrypoint"] == [escaped(expand(command, {"FROM_CM": config_value, "DIRECT": direct}.get))]
    assert app["command"] == [escaped(expand(arg, {"FROM_CM": config_value, "DIRECT": direct}.get))]
    assert app["environment"] == {"FROM_CM": escaped(config_value), "DIRECT": escaped(direct)}
    assert app["healthcheck"]["test"] == ["CMD", "test", escaped(probe)]


label_keys = strings(20).filter(lambda key: key.strip() != "")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(label_keys, strings(40), min_size=1, max_size=6), st.lists(strings(40), min_size=4, max_size=4))
def test_any_label_and_value_round_trips_through_compose(labels: dict[str, str], values: list[str]) -> None:
    """Keys too (Compose never interpolates a key), at several depths, beside values that imitate keys."""
    entry, argument, user, volume_label = values
    document = {"services": {"svc": {"image": "busybox", "labels": labels, "entrypoint": [entry], "command": [argument],
                                     "user": "u" + user, "healthcheck": {"test": ["CMD", entry, argument]},
                                     "network_mode": "none", "volumes": [{"type": "volume", "source": "vol",
                                                                          "target": "/v"}]}},
                "volumes": {"vol": {"labels": {"k": volume_label, **labels}}}}
    read = compose_config(yamlout.dump(document))
    service = read["services"]["svc"]
    assert keys_read(service) == {"image", "labels", "entrypoint", "command", "user", "healthcheck", "network_mode",
                                  "volumes"}
    assert service["labels"] == {escaped(k): escaped(v) for k, v in labels.items()}
    assert service["entrypoint"] == [escaped(entry)] and service["command"] == [escaped(argument)]
    assert service["user"] == escaped("u" + user)
    assert service["healthcheck"]["test"] == ["CMD", escaped(entry), escaped(argument)]
    assert read["volumes"]["vol"]["labels"] == {escaped(k): escaped(v) for k, v in {"k": volume_label, **labels}.items()}
    assert set(read["services"]) == {"svc"} and set(read["volumes"]) == {"vol"}


DOLLARS = ["$", "$$", "${HOME}", "$HOME", "${HOME:-x}", "$(HOME)", "${", "a$b$$c${d}"]


@pytest.mark.parametrize("text", DOLLARS)
def test_dollar_reaches_every_field_literally(text: str) -> None:
    """`$` or `${HOME}` in each field a manifest feeds is read literally, never interpolated."""
    output = run(configmap({"C": text}), pod(
        image=f"img{text}", workingDir=f"/w{text}", command=[f"c{text}"], args=[f"a{text}"],
        envFrom=[{"configMapRef": {"name": "cfg"}}], volumes=[{"name": "d", "emptyDir": {}}],
        volumeMounts=[{"name": "d", "mountPath": f"/m{text}"}], readinessProbe={"exec": {"command": [text]}}))
    app = compose_config(compose_document(output, ""))["services"]["app"]
    assert app["image"] == escaped(f"img{text}")
    assert app["working_dir"] == escaped(f"/w{text}")
    assert app["environment"]["C"] == escaped(text)
    assert app["volumes"][0]["target"] == escaped(f"/m{text}")
    assert app["healthcheck"]["test"] == ["CMD", escaped(text)]
    assert app["entrypoint"] == [escaped(expand(f"c{text}", {"C": text}.get))]
