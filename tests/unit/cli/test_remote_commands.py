"""Engine selection and remote engines at the command line, with the engine adapter replaced: `--context` on
every engine command, `up`/`status`/`port`/`down` on an engine that does not share this machine's files and
loopback (the remote form, the tunnel's addresses), `doctor` naming the engine, `gc` across engines."""

# ruff: noqa: F811 (the fixtures `engine` and `fixed_variables` are imported from test_engine_commands)
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from devenv.engine.lifecycle import StackInfo
from devenv.engine.stack import ServiceState
from devenv.engine.tunnel import Tunnel
from devenv.errors import RuntimeFailure
from devenv.model.engine import EngineTarget, Location
from devenv.stackid import StackLabels
from tests.unit.cli.conftest import Result
from tests.unit.cli.test_engine_commands import (  # noqa: F401 (fixtures)
    WEB_POD,
    FakeEngine,
    engine,
    fixed_variables,
    running,
)

Devenv = Any
BOX = EngineTarget("build-box", "ssh://dev@build-box.internal", "--context")
RELAY = ServiceState("devenv-relay", "relay", "running", "", 0, 0, False, uptime=10.0, id="id-devenv-relay")
CLIENT = SimpleNamespace(version=lambda: SimpleNamespace(server=SimpleNamespace(version="20.10.24")),
                         compose=SimpleNamespace(version=lambda: "Docker Compose version v2.40.3"))
ENGINE_COMMANDS = [["up"], ["down"], ["status"], ["logs"], ["port", "web", "80"], ["run", "nope"],
                   ["exec", "web", "--", "env"], ["gc", "--dry-run"], ["verify"], ["watch"], ["doctor"], ["seed"]]


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """Every context `resolve` is asked for; it answers with BOX for "build-box"."""
    asked: list[str | None] = []

    def resolve(context: str | None = None, environ: Any = None) -> EngineTarget:
        asked.append(context)
        return BOX if context == "build-box" else EngineTarget()

    monkeypatch.setattr("devenv.engine.target.resolve", resolve)
    return asked


@pytest.mark.parametrize("command", ENGINE_COMMANDS, ids=[c[0] for c in ENGINE_COMMANDS])
def test_every_engine_command_takes_context_and_selects_the_engine_first(devenv: Devenv, project: Path,
                                                                         engine: FakeEngine, chosen: list[str | None],
                                                                         command: list[str],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("devenv.engine.client.require_engine", lambda: CLIENT)
    result = devenv(*command, "--context", "build-box") if "--" not in command else devenv(
        *command[:2], "--context", "build-box", *command[2:])
    assert "No such option" not in result.stderr, result.stderr
    assert chosen and chosen[0] == "build-box"


@pytest.fixture
def remote(monkeypatch: pytest.MonkeyPatch, engine: FakeEngine, tmp_path: Path) -> dict[str, Any]:
    """The engine in use is BOX, remote: files shipped to /volumes/x, the tunnel maps 127.0.0.1:18080 to :41000."""
    seen: dict[str, Any] = {"shipped": [], "stopped": []}
    monkeypatch.setattr("devenv.engine.target.resolve", lambda context=None, environ=None: BOX)
    monkeypatch.setattr("devenv.engine.probe.locate", lambda *args, **kwargs: Location(False, "test"))

    def ship(project: str, files: dict[str, Any], labels: dict[str, str], helper: str) -> str:
        seen["shipped"].append((project, sorted(files), helper))
        return "/volumes/x/_data"

    def ensure(state_dir: Path, target: EngineTarget, project: str, published: dict[str, int], docker_args: list[str],
               relay: str) -> Tunnel:
        seen["tunnel"] = (target, project, published, docker_args, relay)
        return Tunnel(4242, target.tunnel, {label: (port, 41000) for label, port in published.items()})

    monkeypatch.setattr("devenv.engine.files.ship", ship)
    monkeypatch.setattr("devenv.engine.tunnel.ensure", ensure)
    monkeypatch.setattr("devenv.engine.tunnel.stop", lambda state_dir, target, project: seen["stopped"].append(project))
    engine.states = [running("web"), WEB_POD, RELAY]
    return seen


def test_up_on_a_remote_engine_runs_the_remote_form_and_prints_the_tunnels_addresses(
        devenv: Devenv, project: Path, engine: FakeEngine, fixed_variables: dict[str, str],
        remote: dict[str, Any]) -> None:
    result = devenv("up", "--context", "build-box")
    assert result.exit_code == 0, result.stderr
    assert "starting 2 services of project 'tiny' (environment 'prod') on build-box (remote engine)" in result.stdout
    assert "web-pod: http://127.0.0.1:41000 -> 8080/tcp" in result.stdout
    [(files, expected, _, services)] = engine.named("up")
    assert files.compose_file == project / ".devenv" / "remote" / f"{BOX.key}-tiny.compose.yaml"
    assert files.directory == (project / "compose").resolve()  # build contexts still resolve from the output
    text = files.compose_file.read_text()
    assert "Remote-engine form for build-box" in text and "network_mode: service:web-pod" in text
    assert "devenv-relay" not in text  # an ssh:// engine is reached through an SSH tunnel, not the relay
    assert (expected, services) == (["web", "web-pod"], None)
    assert remote["tunnel"][1:4] == ("tiny", {"web-pod:8080": 18080}, ["--context", "build-box"])


def test_up_of_some_services_on_an_api_relayed_engine_starts_the_relay_too(
        devenv: Devenv, project: Path, engine: FakeEngine, fixed_variables: dict[str, str], remote: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    socket_engine = EngineTarget("default", "unix:///run/remote.sock", "DOCKER_HOST")
    monkeypatch.setattr("devenv.engine.target.resolve", lambda context=None, environ=None: socket_engine)
    assert devenv("up", "web").exit_code == 0
    [(files, _, _, services)] = engine.named("up")
    assert services == ["web", "devenv-relay"]
    assert "devenv-relay:" in files.compose_file.read_text()
    assert remote["tunnel"][4] == "id-devenv-relay"  # the tunnel reaches the engine host through the relay


def test_status_and_port_show_the_addresses_that_work_from_here(devenv: Devenv, project: Path, engine: FakeEngine,
                                                                remote: dict[str, Any]) -> None:
    document = devenv("status", "--json").json()
    assert document["engine"] == {"name": "build-box", "host": BOX.host, "remote": True}
    ports = {s["service"]: s["ports"] for s in document["services"]}
    assert ports["web-pod"] == ["127.0.0.1:41000->8080/tcp"]
    assert "127.0.0.1:41000->8080/tcp" in devenv("status").stdout
    assert devenv("port", "web", "80").stdout == "127.0.0.1:41000\n"


def test_down_stops_this_machines_tunnel_to_the_stack(devenv: Devenv, project: Path, engine: FakeEngine,
                                                      remote: dict[str, Any]) -> None:
    assert devenv("down").exit_code == 0
    assert remote["stopped"] == ["tiny"]


def test_a_relayed_engine_without_its_relay_says_to_run_up_again(devenv: Devenv, project: Path, engine: FakeEngine,
                                                                 remote: dict[str, Any],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("devenv.engine.target.resolve",
                        lambda context=None, environ=None: EngineTarget("default", "tcp://10.0.0.3:2376", "DOCKER_HOST"))
    engine.states = [running("web"), WEB_POD]
    result = devenv("port", "web", "80")
    assert result.exit_code == 3 and "relay of project 'tiny'" in result.stderr and "devenv up" in result.stderr


@pytest.fixture
def doctor_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("devenv.engine.client.require_engine", lambda: CLIENT)
    monkeypatch.setattr("devenv.sources.tools.find_kustomize", lambda: SimpleNamespace(name="kubectl", argv=["kubectl"]))
    monkeypatch.setattr("devenv.sources.helm.describe_helm", lambda: ("helm 3", ""))
    monkeypatch.setattr("devenv.engine.target.resolve", lambda context=None, environ=None: BOX)


@pytest.mark.parametrize("location, said", [
    (Location(True, "probe"), ["Engine location: local (probe): it shares this machine's files and loopback"]),
    (Location(False, "probe"), ["Engine location: remote (build-box.internal, probe)",
                                "files: rendered config and secret files are copied into a volume on the engine",
                                ("ports: published on the engine host's loopback, reached on 127.0.0.1 here through "
                                 "an SSH tunnel"), "builds: build contexts",
                                "hostPath: hostPath volumes mount the engine host's paths"]),
], ids=["local", "remote"])
def test_doctor_names_the_engine_where_it_is_its_version_and_what_works(devenv: Devenv, project: Path,
                                                                        doctor_env: None, location: Location,
                                                                        said: list[str],
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    refreshed: list[bool] = []
    monkeypatch.setattr("devenv.engine.probe.locate",
                        lambda state_dir, image, target, refresh=False: refreshed.append(refresh) or location)
    result = devenv("doctor", "--context", "build-box")
    assert result.exit_code == 0, result.stdout
    assert "ok   Docker engine: 20.10.24 at build-box (chosen by --context)" in result.stdout
    for fragment in said:
        assert fragment in result.stdout
    assert refreshed == [True]  # doctor looks again, it does not trust the cache


def stack(project: str, ttl: int) -> StackInfo:
    return StackInfo(project, StackLabels("prod", 1, ttl, "elsewhere:1", ""), True, 2)


def test_gc_sweeps_every_engine_of_a_pool_and_skips_an_unreachable_one(devenv: Devenv, project: Path,
                                                                       engine: FakeEngine,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from devenv.engine import client

    targets = {name: EngineTarget(name, f"ssh://{name}", "--context") for name in ("ci-1", "ci-2", "ci-3")}
    monkeypatch.setattr("devenv.engine.target.resolve", lambda context=None, environ=None: targets[str(context)])
    stacks = {"ci-1": [stack("a", 60), stack("b", 0)], "ci-3": [stack("c", 60)]}

    def require() -> None:
        if client.selected() == targets["ci-2"]:
            raise RuntimeFailure("the Docker engine is not reachable", hint="start it")

    monkeypatch.setattr("devenv.engine.client.require_engine", require)
    monkeypatch.setattr("devenv.engine.lifecycle.list_stacks", lambda: stacks[client.selected().name])  # type: ignore[union-attr]
    removed: list[tuple[str, str]] = []
    monkeypatch.setattr("devenv.engine.lifecycle.remove_stack",
                        lambda project: removed.append((client.selected().name, project)))  # type: ignore[union-attr]
    result = devenv("gc", "--context", "ci-1", "--context", "ci-2", "--context", "ci-3")
    assert result.exit_code == 0, result.stderr
    assert removed == [("ci-1", "a"), ("ci-3", "c")]
    assert "ci-1: removed a: expired" in result.stdout and "ci-3: removed c: expired" in result.stdout
    assert "ci-2: skipped: the Docker engine is not reachable" in result.stderr
    assert "2 stack(s) removed, 1 kept on 3 engines" in result.stdout
    document = devenv("gc", "--dry-run", "--json", "--context", "ci-1", "--context", "ci-2").json()
    assert [(e["engine"], e["error"], [p["project"] for p in e["would_remove"]], e["kept"])
            for e in document["engines"]] == [("ci-1", "", ["a"], ["b"]), ("ci-2", "the Docker engine is not reachable",
                                                                          [], [])]
    failed: Result = devenv("gc", "--context", "ci-2", "--context", "ci-2")  # one engine, twice: its error stands
    assert failed.exit_code == 3 and "not reachable" in failed.stderr


def test_gc_without_context_visits_the_engines_this_checkout_used(devenv: Devenv, project: Path, engine: FakeEngine,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from devenv.engine import client, probe

    probe.remember(project / ".devenv", BOX, local=False)
    visited: list[str] = []
    monkeypatch.setattr("devenv.engine.lifecycle.list_stacks",
                        lambda: visited.append(client.selected().name) or [])  # type: ignore[union-attr]
    document = devenv("gc", "--dry-run", "--json").json()
    assert visited == ["unix:///nonexistent/devenv-unit-tests.sock", "build-box"]
    assert [e["engine"] for e in document["engines"]] == visited


@pytest.mark.parametrize("value, code, said", [
    ('"0.0.0.0"', 0, '"0.0.0.0:${DEVENV_PORT_WEB_POD_8080:-0}:8080"'),
    ('"everywhere"', 2, "key 'local.remote_bind' must be an IP address of the engine's host, not 'everywhere'"),
], ids=["every-address", "not-an-address"])
def test_remote_bind_publishes_on_the_engine_hosts_address_when_the_developer_says_so(
        devenv: Devenv, project: Path, engine: FakeEngine, fixed_variables: dict[str, str], remote: dict[str, Any],
        value: str, code: int, said: str) -> None:
    config = project / "devenv.toml"
    config.write_text(config.read_text().replace("timeout = 42", f"timeout = 42\nremote_bind = {value}"))
    result = devenv("up")
    assert result.exit_code == code, result.stderr
    if code:
        assert said in result.stderr and not engine.named("up")
    else:
        [(files, *_)] = engine.named("up")
        assert said in files.compose_file.read_text()
        assert '"127.0.0.1:${DEVENV_PORT' in (project / "compose" / "compose.yaml").read_text()  # committed form
