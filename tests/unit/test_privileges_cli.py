"""Host privileges at the command line: `[local] allow` is validated with hints; `up` refuses a hostile
manifest (exit 2, the object, the field and the line to add) before writing anything or calling the engine;
`report` lists each privilege as an error that neither an annotation nor an [[accept]] rule accepts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from devenv.config import load_config
from devenv.errors import InputError
from tests.unit.privileges_helpers import CASES, Hostile, host_privileges

TOML = '[envs.prod]\nmanifests = ["k8s"]\n'
NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/devenv-test/docker.sock"}


def project(tmp_path: Path, manifests: str, toml: str = TOML) -> Path:
    (tmp_path / "k8s").mkdir(exist_ok=True)
    (tmp_path / "k8s" / "app.yaml").write_text(manifests)
    (tmp_path / "devenv.toml").write_text(toml)
    return tmp_path / "devenv.toml"


def devenv(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **NO_ENGINE}, timeout=60)


def in_process(config: Path, *args: str) -> Any:
    """`devenv --config CONFIG ARGS` in-process; a devenv error propagates as the exception it is."""
    from devenv.cli import app as app_module

    if not any((c.name or getattr(c.callback, "__name__", "")) == "up" for c in app_module.app.registered_commands):
        app_module._register()
    result = CliRunner().invoke(app_module.app, ["--config", str(config), *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call into the engine fails the test: a refusal must come first."""
    from devenv.engine import client, stack

    def called(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the engine was called before the refusal")

    monkeypatch.setattr(client, "require_engine", called)
    monkeypatch.setattr(stack, "up", called)


def renamed(case: Hostile) -> tuple[str, str]:
    """The case's manifest with the workload named after the case, and the allow entry for it."""
    body = yaml.safe_load(case.manifest)
    body["metadata"]["name"] = case.id
    privilege = case.entry.partition(":")[0]
    return yaml.safe_dump(body), f"{privilege}:ops/{case.id}"


# --- the grammar of [local] allow ---------------------------------------------------------------------------

@pytest.mark.parametrize("allow", [
    [], ["privileged:ops/agent"], ["host-path:monitoring/node-exporter", "host-network:kube-system/x"],
    ["cap-sys-admin:ops/agent", "cap-all:ops/agent", "cap-net-admin:ops/*"], ["unsafe-sysctl:default/db-*"],
    ["seccomp-unconfined:a/b.c", "apparmor-unconfined:a/b", "proc-unmasked:a/b", "host-pid:a/b", "host-ipc:a/b",
     "host-port:a/b"],
])
def test_valid_allow_entries(tmp_path: Path, allow: list[str]) -> None:
    path = tmp_path / "devenv.toml"
    path.write_text(TOML + f"[local]\nallow = {json.dumps(allow)}\n")
    assert [str(g) for g in load_config(path).local.allow] == allow


@pytest.mark.parametrize("allow, key, fragments", [
    ('"privileged:ops/agent"', "local.allow", ["must be a list of strings", "allow = ["]),
    ("[1]", "local.allow[0]", ["must be a string"]),
    ('["privileged"]', "local.allow[0]", ["is not PRIVILEGE:NAMESPACE/WORKLOAD", "privileged:default/agent"]),
    ('["privileged:agent"]', "local.allow[0]", ["is not PRIVILEGE:NAMESPACE/WORKLOAD"]),
    ('["priviliged:ops/agent"]', "local.allow[0]", ["unknown privilege 'priviliged'", "did you mean 'privileged'"]),
    ('["ok:ops/a", "hostpath:ops/agent"]', "local.allow[0]", ["unknown privilege 'ok'"]),
    ('["privileged:ops/a", "hostpath:ops/agent"]', "local.allow[1]", ["did you mean 'host-path'"]),
    ('["SYS_ADMIN:ops/agent"]', "local.allow[0]", ["did you mean 'cap-sys-admin'"]),
    ('["CAP_NET_ADMIN:ops/agent"]', "local.allow[0]", ["did you mean 'cap-net-admin'"]),
    ('["cap-sys_admin:ops/agent"]', "local.allow[0]", ["did you mean 'cap-sys-admin'"]),
    ('["cap-chown:ops/agent"]', "local.allow[0]", ["Docker's default set", "no grant is needed"]),
    ('["cap-bogus:ops/agent"]', "local.allow[0]", ["unknown privilege 'cap-bogus'", "cap-<capability>"]),
    ('["privileged:*/agent"]', "local.allow[0]", ["invalid namespace '*'", "wildcard is allowed in the workload"]),
    ('["privileged:Ops/agent"]', "local.allow[0]", ["invalid namespace 'Ops'", "RFC 1123"]),
    ('["privileged:ops/Agent"]', "local.allow[0]", ["invalid workload 'Agent'", "Deployment"]),
    ('["privileged:ops/"]', "local.allow[0]", ["invalid workload ''"]),
    ('["privileged:ops/a/b"]', "local.allow[0]", ["invalid workload 'a/b'"]),
])
def test_invalid_allow_entries_name_the_key_with_a_hint(tmp_path: Path, allow: str, key: str,
                                                        fragments: list[str]) -> None:
    path = tmp_path / "devenv.toml"
    path.write_text(TOML + f"[local]\nallow = {allow}\n")
    with pytest.raises(InputError) as raised:
        load_config(path)
    text = f"{raised.value} {raised.value.hint}"
    assert str(path) in text and f"key '{key}'" in text
    for fragment in fragments:
        assert fragment in text, text


@pytest.mark.parametrize("code", ["privileged", "capability", "host-path", "host-network", "unsafe-sysctl"])
def test_an_accept_rule_naming_a_privilege_is_an_error_pointing_to_allow(tmp_path: Path, code: str) -> None:
    path = tmp_path / "devenv.toml"
    path.write_text(TOML + f'[[accept]]\ncode = "{code}"\nreason = "trust me"\n')
    with pytest.raises(InputError) as raised:
        load_config(path)
    assert "accept[0].code" in str(raised.value) and "[[accept]] cannot accept" in str(raised.value)
    assert "allow = [" in raised.value.hint


# --- up refuses, before any engine call ---------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_up_refuses_an_ungranted_privilege_before_writing_or_calling_the_engine(tmp_path: Path, no_engine: None,
                                                                                 case: Hostile) -> None:
    config = project(tmp_path, case.manifest)
    with pytest.raises(InputError) as raised:
        in_process(config, "up")
    error = raised.value
    assert error.exit_code == 2
    assert f'allow = ["{case.entry}"]' in error.hint and "[local]" in error.hint
    assert "Deployment/ops/agent" in error.details
    for field in case.fields:
        assert field in error.details
    assert not (tmp_path / "compose" / "compose.yaml").exists()


def test_up_lists_every_refusal_and_one_line_that_grants_them_all(tmp_path: Path) -> None:
    texts, entries = zip(*(renamed(case) for case in CASES))
    project(tmp_path, "---\n".join(texts))
    done = devenv(tmp_path, "up")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "compose").exists()
    for case in CASES:
        assert f"Deployment/ops/{case.id}" in done.stderr
    line = re.search(r"^hint: .*\[local\] in devenv\.toml: (allow = \[.*\])$", done.stderr, re.MULTILINE)
    assert line, done.stderr
    assert sorted(json.loads(line.group(1).partition("=")[2])) == sorted(set(entries))

    # the line as printed grants them all: up now gets past the refusal, to the (absent) engine
    (tmp_path / "devenv.toml").write_text(TOML + f"[local]\n{line.group(1)}\n")
    done = devenv(tmp_path, "up")
    assert done.returncode == 3, done.stderr
    assert "host privilege" not in done.stderr
    compose = yaml.safe_load((tmp_path / "compose" / "compose.yaml").read_text())
    assert all(case.granted({"services": {k.replace(case.id, "agent", 1): v for k, v in compose["services"].items()}})
               for case in CASES)


def test_render_writes_the_stack_without_the_privileges_and_says_so(tmp_path: Path) -> None:
    project(tmp_path, "---\n".join(renamed(case)[0] for case in CASES))
    done = devenv(tmp_path, "render")
    assert done.returncode == 0, done.stderr
    assert f"{len(CASES)} host privilege(s)" in done.stderr and "[local] allow" in done.stderr
    compose = yaml.safe_load((tmp_path / "compose" / "compose.yaml").read_text())
    assert host_privileges(compose) == []


ACCEPT_EVERYTHING = """
[[accept]]
code = "*"
reason = "accept everything"
"""


def test_report_lists_each_privilege_as_an_error_no_annotation_or_rule_accepts(tmp_path: Path) -> None:
    texts = []
    for case in CASES:
        body = yaml.safe_load(renamed(case)[0])
        body["spec"]["replicas"] = 2  # an ordinary delta the rule and the annotation do accept
        for metadata in (body["metadata"], body["spec"]["template"]["metadata"]):
            metadata.setdefault("annotations", {})["devenv.dev/accept"] = "*"
        texts.append(yaml.safe_dump(body))
    project(tmp_path, "---\n".join(texts), TOML + ACCEPT_EVERYTHING)
    done = devenv(tmp_path, "report", "--format", "json", "--fail-on", "error")
    assert done.returncode == 1, done.stderr
    deltas = json.loads(done.stdout)["deltas"]
    privileges = [d for d in deltas if d["code"] in {c.code for c in CASES}]
    assert sorted({d["object"]["name"] for d in privileges}) == sorted(c.id for c in CASES)
    assert all(d["severity"] == "error" and not d["accepted"] for d in privileges)
    assert all(d["accepted"] for d in deltas if d["code"] == "replicas-reduced")
