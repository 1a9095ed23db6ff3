"""The commands that need no engine, through the real `main()`: output, files written and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest

from devenv import __version__
from devenv.engine.client import ENGINE_HINT
from devenv.errors import InputError, RuntimeFailure
from devenv.sources.tools import Tool
from tests.unit.cli.conftest import Result, manifest

Devenv = Callable[..., Result]

#: every command the README's tour names
COMMANDS = ["init", "render", "up", "down", "status", "logs", "watch", "report", "diff", "verify", "seed", "run", "exec",
            "port", "gc", "doctor"]


def test_version_prints_the_package_version(devenv: Devenv) -> None:
    result = devenv("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"devenv {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_lists_every_command(devenv: Devenv, command: str) -> None:
    result = devenv("--help")
    assert result.exit_code == 0
    listed = {line.strip(" │").split(" ")[0] for line in result.stdout.splitlines()}
    assert command in listed, result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_its_own_help(devenv: Devenv, command: str) -> None:
    result = devenv(command, "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout and command in result.stdout


def test_no_arguments_shows_the_help(devenv: Devenv) -> None:
    result = devenv()
    assert result.exit_code in (0, 2)  # click's no_args_is_help exits with 2 since click 8.2
    assert "Usage:" in result.stdout + result.stderr


# --- render ----------------------------------------------------------------------------------------------


def test_render_writes_the_compose_project_into_the_out_dir(devenv: Devenv, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    result = devenv("render", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    compose = (out / "compose.yaml").read_text()
    assert "image: nginx:1.27.2" in compose and "web-pod:" in compose
    assert "environment 'prod'" in compose
    assert f"rendered {out / 'compose.yaml'}" in result.stdout
    assert "2 services, 3 deltas (3 info)" in result.stdout
    assert not (project / "compose").exists()


def test_render_twice_writes_nothing_the_second_time(devenv: Devenv, project: Path) -> None:
    assert "2 file(s) written" in devenv("render").stdout
    again = devenv("render")
    assert again.exit_code == 0 and "(unchanged;" in again.stdout


def test_render_of_another_environment(devenv: Devenv, project: Path) -> None:
    assert devenv("render", "--env", "staging").exit_code == 0
    compose = (project / "compose" / "compose.yaml").read_text()
    assert "image: nginx:1.27.3" in compose and "environment 'staging'" in compose


@pytest.mark.parametrize("change, code, said", [
    (None, 0, "is up to date"),
    (lambda root: (root / "k8s" / "prod" / "app.yaml").write_text(manifest(image="nginx:1.28.0")), 1, "is stale"),
    (lambda root: (root / "compose" / "compose.yaml").write_text("# edited by hand\n"), 1, "is stale"),
    (lambda root: (root / "compose" / "compose.yaml").unlink(), 1, "is stale"),
], ids=["fresh", "manifest-changed", "output-edited", "output-missing"])
def test_render_check_exits_1_only_when_stale(devenv: Devenv, project: Path, change: Callable[[Path], object] | None,
                                              code: int, said: str) -> None:
    assert devenv("render").exit_code == 0
    if change:
        change(project)
    before = sorted(p.read_bytes() for p in (project / "compose").rglob("*") if p.is_file())
    result = devenv("render", "--check")
    assert result.exit_code == code
    assert said in result.stdout + result.stderr
    if code:
        assert "compose.yaml" in result.stderr and "hint: run `devenv render`" in result.stderr
    assert sorted(p.read_bytes() for p in (project / "compose").rglob("*") if p.is_file()) == before


# --- report ----------------------------------------------------------------------------------------------


def test_report_json_parses_and_lists_the_deltas(devenv: Devenv, project: Path) -> None:
    result = devenv("report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["command"] == "report" and document["environment"] == "prod" and document["project"] == "tiny"
    codes = {d["code"] for d in document["deltas"]}
    assert "replicas-reduced" in codes
    replicas = next(d for d in document["deltas"] if d["code"] == "replicas-reduced")
    assert replicas["object"] == {"kind": "Deployment", "namespace": "default", "name": "web"}
    assert (replicas["prod"], replicas["local"]) == ("2", "1")
    assert document["summary"]["open"] == len(document["deltas"])
    assert document["gate"] == {"fail_on": None, "failed": False, "failing": 0}


@pytest.mark.parametrize("fmt, parse", [
    ("json", json.loads),
    ("sarif", json.loads),
    ("junit", ElementTree.fromstring),
    ("markdown", lambda text: text.index("replicas-reduced")),
    ("table", lambda text: text.index("replicas-reduced")),
])
def test_report_formats_are_well_formed(devenv: Devenv, project: Path, fmt: str,
                                        parse: Callable[[str], object]) -> None:
    result = devenv("report", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    parse(result.stdout)


# the tiny project's deltas are all of severity info
@pytest.mark.parametrize("fail_on, code", [(None, 0), ("info", 1), ("warning", 0), ("error", 0)])
def test_report_fail_on_gates_on_severity(devenv: Devenv, project: Path, fail_on: str | None, code: int) -> None:
    gate = ["--fail-on", fail_on] if fail_on else []
    result = devenv("report", "--format", "json", *gate)
    assert result.exit_code == code
    assert result.json()["gate"]["failed"] is bool(code)


def test_report_accepted_deltas_do_not_fail_the_gate(devenv: Devenv, project: Path) -> None:
    config = project / "devenv.toml"
    config.write_text(config.read_text() + '\n[[accept]]\ncode = "*"\nreason = "all fine locally"\n')
    result = devenv("report", "--format", "json", "--fail-on", "info")
    assert result.exit_code == 0, result.stdout
    assert all(d["accepted"] for d in result.json()["deltas"])


def test_report_rejects_an_unknown_format_as_usage_error(devenv: Devenv, project: Path) -> None:
    result = devenv("report", "--format", "yaml")
    assert result.exit_code == 2
    assert "yaml" in result.stderr


# --- diff ------------------------------------------------------------------------------------------------


def test_diff_between_two_environments_names_what_differs(devenv: Devenv, project: Path) -> None:
    result = devenv("diff", "staging", "prod", "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert (document["environment_a"], document["environment_b"]) == ("staging", "prod")
    assert {d["code"] for d in document["deltas"]} == {"diff-image", "diff-replicas", "diff-config-value"}
    image = next(d for d in document["deltas"] if d["code"] == "diff-image")
    assert (image["prod"], image["local"]) == ("nginx:1.27.2", "nginx:1.27.3")


def test_diff_table_labels_the_sides_with_the_environment_names(devenv: Devenv, project: Path) -> None:
    result = devenv("diff", "staging", "prod")
    assert result.exit_code == 0
    assert "prod: nginx:1.27.2   staging: nginx:1.27.3" in result.stdout


@pytest.mark.parametrize("fail_on, code", [("warning", 1), ("error", 0)])
def test_diff_fail_on_gates_like_report(devenv: Devenv, project: Path, fail_on: str, code: int) -> None:
    assert devenv("diff", "staging", "prod", "--fail-on", fail_on).exit_code == code


def test_diff_of_an_environment_with_itself_is_empty(devenv: Devenv, project: Path) -> None:
    result = devenv("diff", "prod", "prod", "--format", "json", "--fail-on", "info")
    assert result.exit_code == 0
    assert result.json()["deltas"] == []


def test_diff_of_an_unknown_environment_is_exit_2(devenv: Devenv, project: Path) -> None:
    result = devenv("diff", "staging", "qa")
    assert result.exit_code == 2
    assert "no environment named 'qa'" in result.stderr


# --- bad input: exit 2, one message, no traceback --------------------------------------------------------

BAD_CONFIGS = [
    ("unknown-key", '[project]\nnmae = "x"\n[envs.prod]\nmanifests = ["k8s/prod"]\n',
     ["project.nmae", "did you mean 'name'"]),
    ("toml-syntax", "[envs.prod\n", ["not valid TOML"]),
    ("no-environment", '[project]\nname = "tiny"\n', ["key 'envs' declares no environment"]),
    ("two-sources", '[envs.prod]\nmanifests = ["k8s/prod"]\nkustomize = "k"\n', ["exactly one of manifests"]),
    ("bad-port", '[envs.prod]\nmanifests = ["k8s/prod"]\n[publish]\nweb = [70000]\n', ["publish.web"]),
    ("bad-timeout", '[envs.prod]\nmanifests = ["k8s/prod"]\n[local]\ntimeout = -1\n', ["local.timeout"]),
    ("bad-project-name", '[project]\nname = "Tiny Shop"\n[envs.prod]\nmanifests = ["k8s/prod"]\n', ["project.name"]),
    ("mirror-unknown", '[project]\nmirror = "prd"\n[envs.prod]\nmanifests = ["k8s/prod"]\n', ["did you mean 'prod'"]),
    ("accept-not-array", 'accept = 1\n[envs.prod]\nmanifests = ["k8s/prod"]\n', ["key 'accept' must be an array"]),
]


def assert_one_clear_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("error:") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["render"], ["report"], ["up"], ["status"], ["down"]])
@pytest.mark.parametrize("toml, fragments", [c[1:] for c in BAD_CONFIGS], ids=[c[0] for c in BAD_CONFIGS])
def test_bad_devenv_toml_is_exit_2_with_one_message(devenv: Devenv, project: Path, toml: str, fragments: list[str],
                                                    command: list[str]) -> None:
    (project / "devenv.toml").write_text(toml)
    result = devenv(*command)
    assert_one_clear_error(result, "devenv.toml", *fragments)
    assert result.stdout == ""


def test_missing_manifest_directory_is_exit_2(devenv: Devenv, project: Path) -> None:
    (project / "k8s" / "prod" / "app.yaml").unlink()
    (project / "k8s" / "prod").rmdir()
    assert_one_clear_error(devenv("render"), "k8s/prod", "does not exist", "hint:")


def test_unknown_env_is_exit_2_naming_the_declared_ones(devenv: Devenv, project: Path) -> None:
    assert_one_clear_error(devenv("render", "--env", "prd"), "no environment named 'prd'", "declared: prod, staging",
                           "did you mean 'prod'")


def test_missing_config_file_is_exit_2(devenv: Devenv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_clear_error(devenv("report"), "no devenv.toml", "--config")
    assert_one_clear_error(devenv("--config", str(tmp_path / "nope.toml"), "report"), "nope.toml does not exist")


def test_config_option_names_a_devenv_toml_elsewhere(devenv: Devenv, project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = devenv("--config", str(project / "devenv.toml"), "report", "--format", "json")
    assert result.exit_code == 0 and result.json()["project"] == "tiny"


def test_debug_lets_the_error_through_with_its_traceback(devenv: Devenv, project: Path) -> None:
    with pytest.raises(InputError, match="no environment named 'qa'"):
        devenv("--debug", "render", "--env", "qa")


def test_bad_manifest_names_file_and_document(devenv: Devenv, project: Path) -> None:
    (project / "k8s" / "prod" / "app.yaml").write_text(manifest() + "---\nkind: [\n")
    assert_one_clear_error(devenv("render"), "k8s/prod/app.yaml", "document 3")


# --- doctor ----------------------------------------------------------------------------------------------


@pytest.fixture
def renderers_found(monkeypatch: pytest.MonkeyPatch) -> None:
    kubectl = Tool("kubectl kustomize", ("/bin/kubectl", "kustomize"))
    monkeypatch.setattr("devenv.sources.tools.find_kustomize", lambda: kubectl)
    monkeypatch.setattr("devenv.sources.helm.describe_helm", lambda: ("helm v3.15.0 at /bin/helm", ""))


def test_doctor_without_an_engine_says_how_to_fix_it_and_exits_3(devenv: Devenv, renderers_found: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine() -> None:
        raise RuntimeFailure("the Docker engine is not reachable", hint=ENGINE_HINT)

    monkeypatch.setattr("devenv.engine.client.require_engine", no_engine)
    result = devenv("doctor")
    assert result.exit_code == 3
    assert "fail Docker engine / Compose v2: the Docker engine is not reachable" in result.stdout
    assert f"fix: {ENGINE_HINT}" in result.stdout
    assert "ok   Kustomize: kubectl kustomize (/bin/kubectl)" in result.stdout
    assert "ok   Helm: helm v3.15.0" in result.stdout
    assert "Traceback" not in result.stderr


def test_doctor_with_everything_present_exits_0(devenv: Devenv, renderers_found: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    client = SimpleNamespace(version=lambda: SimpleNamespace(server=SimpleNamespace(version="27.3.1")),
                             compose=SimpleNamespace(version=lambda: "Docker Compose version v2.29.7\n"))
    monkeypatch.setattr("devenv.engine.client.require_engine", lambda: client)
    monkeypatch.setattr("devenv.cli.doctor._location", lambda: None)  # the probe containers: engine tests
    result = devenv("doctor")
    assert result.exit_code == 0, result.stdout
    assert "ok   Docker engine: 27.3.1 at " in result.stdout
    assert "ok   Compose v2: Docker Compose version v2.29.7" in result.stdout


def test_doctor_counts_a_missing_kustomize_but_not_a_missing_helm(devenv: Devenv,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    client = SimpleNamespace(version=lambda: SimpleNamespace(server=SimpleNamespace(version="27")),
                             compose=SimpleNamespace(version=lambda: "v2"))
    monkeypatch.setattr("devenv.engine.client.require_engine", lambda: client)
    monkeypatch.setattr("devenv.cli.doctor._location", lambda: None)
    monkeypatch.setattr("devenv.sources.helm.describe_helm", lambda: ("", "pip install helm-python-sdk"))
    monkeypatch.setattr("devenv.sources.tools.find_kustomize", lambda: None)
    result = devenv("doctor")
    assert result.exit_code == 3
    assert "fail Kustomize: neither kustomize nor kubectl found" in result.stdout
    assert "fail Helm" in result.stdout and "fix: pip install helm-python-sdk" in result.stdout
    monkeypatch.setattr("devenv.sources.tools.find_kustomize", lambda: SimpleNamespace(name="kustomize", argv=("/k",)))
    assert devenv("doctor").exit_code == 0
