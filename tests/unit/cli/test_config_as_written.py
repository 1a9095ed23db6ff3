"""devenv.toml as users write it: a [publish] or [secrets] key that names nothing in the rendered environment is
one error naming the key (a typo is never silent), the project name defaults to the directory name as Compose
normalises it, `project.mirror` is only needed to choose an environment, and `namespace` works for plain
manifests."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devenv.config import PROJECT_NAME_RE, load_config
from devenv.stackid import compose_project_name
from tests.unit.cli.conftest import DEVENV_TOML, Result

Devenv = Callable[..., Result]

SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: default}
stringData: {password: p, username: u}
"""

READER = """\
apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: default}
spec:
  containers:
    - name: c
      image: busybox:1.36.1
      env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: made-by-hand, key: token}}}]
"""

NO_PUBLISH = DEVENV_TOML.replace("[publish]\nweb = [80]\n", "")
NO_MIRROR = NO_PUBLISH.replace('mirror = "prod"\n', "")

# (case id, devenv.toml, extra files under k8s/prod, command, fragments expected in stderr)
ERRORS = [
    ("publish-service-typo", NO_PUBLISH + "[publish]\nwbe = [80]\n", {}, ["render"],
     ["key 'publish.wbe' names no Service of environment 'prod'", "did you mean 'web'?"]),
    ("publish-namespaced-typo", NO_PUBLISH + '[publish]\n"default/wbe" = [80]\n', {}, ["render"],
     ["key 'publish.\"default/wbe\"' names no Service", "did you mean 'default/web'?"]),
    ("publish-other-namespace", NO_PUBLISH + '[publish]\n"shop/web" = [80]\n', {}, ["render"],
     ["key 'publish.\"shop/web\"' names no Service", "did you mean 'default/web'?"]),
    ("publish-container-port", NO_PUBLISH + "[publish]\nweb = [8080]\n", {}, ["render"],
     ["key 'publish.web' lists port 8080, which Service web does not declare", "its ports: 80",
      "spec.ports[].port"]),
    ("publish-in-the-environment-rendered", NO_PUBLISH + "[publish]\napi = [80]\n",
     {"api.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n"},
     ["render", "--env", "staging"], ["key 'publish.api' names no Service of environment 'staging'"]),
    ("secret-typo", NO_PUBLISH + '[secrets."default/dbb"]\npassword = "x"\n', {"secret.yaml": SECRET}, ["render"],
     ["key 'secrets.\"default/dbb\"' names no Secret of environment 'prod'", "did you mean 'default/db'?"]),
    ("secret-wrong-namespace", NO_PUBLISH + '[secrets."shop/db"]\npassword = "x"\n', {"secret.yaml": SECRET},
     ["render"], ["key 'secrets.\"shop/db\"' names no Secret", "did you mean 'default/db'?"]),
    ("secret-key-typo", NO_PUBLISH + '[secrets."default/db"]\npasword = "x"\n', {"secret.yaml": SECRET}, ["render"],
     ["key 'secrets.\"default/db\".pasword' names no key of Secret default/db", "did you mean 'password'?"]),
    ("secret-none-at-all", NO_PUBLISH + '[secrets."default/db"]\npassword = "x"\n', {}, ["render"],
     ["key 'secrets.\"default/db\"' names no Secret", "there are no Secrets here"]),
    ("mirror-needed-to-choose", NO_MIRROR, {}, ["render"],
     ["key 'project.mirror' is required", "--env", "prod, staging"]),
    ("mirror-needed-by-report", NO_MIRROR, {}, ["report"], ["key 'project.mirror' is required"]),
]

# (case id, devenv.toml, extra files under k8s/prod, command, fragment expected in compose.yaml)
ACCEPTED = [
    ("publish-by-name", DEVENV_TOML, {}, ["render"], "127.0.0.1:${DEVENV_PORT_WEB_POD_8080"),
    ("publish-by-namespace-and-name", NO_PUBLISH + '[publish]\n"default/web" = [80]\n', {}, ["render"],
     "127.0.0.1:${DEVENV_PORT_WEB_POD_8080"),
    ("secret-defined", NO_PUBLISH + '[secrets."default/db"]\npassword = "x"\n', {"secret.yaml": SECRET}, ["render"],
     "image: nginx:1.27.2"),
    ("secret-read-but-defined-nowhere", NO_PUBLISH + '[secrets."default/made-by-hand"]\ntoken = "t"\n',
     {"reader.yaml": READER}, ["render"], "reader-pod:"),
    ("no-mirror-with-env", NO_MIRROR, {}, ["render", "--env", "staging"], "environment 'staging'"),
    ("no-mirror-single-env", NO_MIRROR.replace('[envs.staging]\nmanifests = ["k8s/staging"]\n', ""), {},
     ["render"], "environment 'prod'"),
]


def _write(project: Path, toml: str, files: dict[str, str]) -> None:
    (project / "devenv.toml").write_text(toml)
    for name, content in files.items():
        (project / "k8s" / "prod" / name).write_text(content)


@pytest.mark.parametrize("toml, files, command, fragments", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_a_key_naming_nothing_is_one_error_naming_it(devenv: Devenv, project: Path, toml: str,
                                                     files: dict[str, str], command: list[str],
                                                     fragments: list[str]) -> None:
    _write(project, toml, files)
    result = devenv(*command)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("error:") == 1, result.stderr
    assert "devenv.toml" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert not (project / "compose").exists()


@pytest.mark.parametrize("toml, files, command, fragment", [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_keys_that_name_something_render(devenv: Devenv, project: Path, toml: str, files: dict[str, str],
                                         command: list[str], fragment: str) -> None:
    _write(project, toml, files)
    result = devenv(*command)
    assert result.exit_code == 0, result.stderr
    assert fragment in (project / "compose" / "compose.yaml").read_text()


def test_a_given_secret_value_reaches_the_container(devenv: Devenv, project: Path) -> None:
    _write(project, NO_PUBLISH + '[secrets."default/made-by-hand"]\ntoken = "local-token"\n', {"reader.yaml": READER})
    assert devenv("render").exit_code == 0
    assert "local-token" in (project / ".devenv" / "compose.env").read_text() + (
        project / "compose" / "compose.yaml").read_text()


# --- the project name: the directory's, as Compose normalises it --------------------------------------

@pytest.mark.parametrize("folder, name", [
    ("my.app", "myapp"),
    ("My_App", "my_app"),
    ("shop-2", "shop-2"),
    ("-leading-dash", "leading-dash"),
    ("__init__", "init__"),
    ("app 2 (copy)", "app2copy"),
    ("Ünïcode", "ncode"),
    ("...", ""),
])
def test_directory_names_normalise_as_compose_does(folder: str, name: str) -> None:
    assert compose_project_name(folder) == name


@given(st.text(max_size=40))
def test_a_normalised_name_is_empty_or_a_valid_project_name(folder: str) -> None:
    name = compose_project_name(folder)
    assert name == "" or PROJECT_NAME_RE.match(name)
    assert re.fullmatch(r"[a-z0-9_-]*", name)


def test_a_checkout_in_a_dotted_directory_renders(devenv: Devenv, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dotted = project.parent / "my.app"
    project.rename(dotted)
    monkeypatch.chdir(dotted)
    (dotted / "devenv.toml").write_text(DEVENV_TOML.replace('name = "tiny"\n', ""))
    assert load_config(dotted / "devenv.toml").project == "myapp"
    assert devenv("render").exit_code == 0


def test_a_directory_name_with_nothing_left_is_an_error_naming_the_key(devenv: Devenv, project: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    odd = project.parent / "_-."
    project.rename(odd)
    monkeypatch.chdir(odd)
    (odd / "devenv.toml").write_text(DEVENV_TOML.replace('name = "tiny"\n', ""))
    result = devenv("render")
    assert result.exit_code == 2
    assert "key 'project.name' '' (from the directory name) is not a valid Compose project name" in result.stderr
    assert "hint:" in result.stderr


# --- namespace of a plain-manifests environment -------------------------------------------------------

def test_namespace_places_plain_manifests_without_one(devenv: Devenv, project: Path) -> None:
    (project / "k8s" / "prod" / "app.yaml").write_text(
        (project / "k8s" / "prod" / "app.yaml").read_text().replace("namespace: default", "").replace(", }", "}"))
    toml = NO_PUBLISH.replace('manifests = ["k8s/prod"]\n', 'manifests = ["k8s/prod"]\nnamespace = "shop"\n')
    _write(project, toml + '[publish]\n"shop/web" = [80]\n', {})
    result = devenv("render")
    assert result.exit_code == 0, result.stderr
    compose = (project / "compose" / "compose.yaml").read_text()
    assert "dev.devenv.object: Deployment/shop/web" in compose and "- web.shop.svc.cluster.local" in compose
    assert "127.0.0.1:${DEVENV_PORT_WEB_POD_8080" in compose
