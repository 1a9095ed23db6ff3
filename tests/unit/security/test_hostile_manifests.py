"""Hostile manifests, one case per attack: refused as bad input (exit 2, naming file, document, object and
field) or rendered with exactly the structure devenv meant and the value written literally."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from devenv.compose.writer import compose_document
from devenv.errors import EXIT_INPUT, InputError
from tests.unit.security.helpers import (
    SOURCE,
    configmap,
    http_rule,
    ingress,
    pod,
    run,
    secret,
)

CM_VOLUME = {"name": "conf", "configMap": {"name": "cfg"}}
MOUNT = {"name": "conf", "mountPath": "/etc/app"}


def statefulset(claim: str) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
            "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}},
                                  "spec": {"containers": [{"name": "db", "image": "postgres:16.4"}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": claim}, "spec": {}}]}}


def with_init(name: str) -> dict[str, Any]:
    body = pod()
    body["spec"]["initContainers"] = [{"name": name, "image": "busybox:1.36.1"}]
    return body


def mounted(volume: dict[str, Any], env: list[Any] | None = None, **mount: Any) -> dict[str, Any]:
    return pod(volumes=[volume], volumeMounts=[{"name": volume["name"], "mountPath": "/mnt", **mount}], env=env or [])


# (case id, manifests, gateway on, fragments the message must hold)
REFUSED: list[tuple[str, list[dict[str, Any]], bool, list[str]]] = [
    # item 2: names that become folders, Compose services, volumes and networks
    ("volume-name-traversal", [configmap({"k": "v"}), pod(volumes=[{**CM_VOLUME, "name": "../../../../tmp/x"}])],
     False, [f"{SOURCE} (document 2)", "Pod/default/app", "spec.volumes[0].name", "RFC 1123 label"]),
    ("namespace-traversal", [pod(namespace="../../x")], False, ["metadata.namespace", "RFC 1123 label"]),
    ("pod-name-traversal", [pod(name="../x")], False, ["metadata.name", "RFC 1123 subdomain"]),
    ("pod-name-slash", [pod(name="a/b")], False, ["metadata.name"]),
    ("workload-name-uppercase", [pod(name="App")], False, ["metadata.name"]),
    ("configmap-name-traversal", [configmap({"k": "v"}, name="../cfg")], False, ["ConfigMap", "metadata.name"]),
    ("claim-name-traversal", [mounted({"name": "data", "persistentVolumeClaim": {"claimName": "../../x"}})],
     False, ["spec.volumes[0].persistentVolumeClaim.claimName"]),
    ("claim-template-traversal", [statefulset("../../x")], False,
     ["StatefulSet/default/db", "spec.volumeClaimTemplates[0].metadata.name"]),
    ("container-name-traversal", [pod(container="a/../b")], False, ["spec.containers[0].name"]),
    ("init-container-name", [with_init("../init")], False, ["spec.initContainers[0].name"]),
    ("env-name-injection", [pod(env=[{"name": "A=B\nprivileged: true", "value": "x"}])], False,
     ["spec.containers[0].env[0].name", "environment variable name"]),
    ("configmap-key-as-file-name", [configmap({"..data": "x"}), pod(volumes=[CM_VOLUME], volumeMounts=[MOUNT])],
     False, ["spec.volumes[0].configMap", "ConfigMap cfg key", "file name"]),
    # item 3: subPath and item paths that climb out of their volume
    ("subpath-climbs", [configmap({"k": "v"}), mounted(CM_VOLUME, subPath="../../../etc")], False,
     ["spec.containers[0].volumeMounts[0].subPath", "must not contain '..'"]),
    ("subpath-absolute", [configmap({"k": "v"}), mounted(CM_VOLUME, subPath="/etc")], False,
     ["volumeMounts[0].subPath", "must be a relative path"]),
    ("subpath-secret-root", [secret(["k"]), mounted({"name": "s", "secret": {"secretName": "sec"}}, subPath="../../..")],
     False, ["volumeMounts[0].subPath"]),
    ("subpath-named-volume", [mounted({"name": "d", "emptyDir": {}}, subPath="a/../../b")], False,
     ["volumeMounts[0].subPath"]),
    ("subpathexpr-expands-to-climb", [configmap({"k": "v"}), mounted(
        CM_VOLUME, subPathExpr="$(UP)/etc", env=[{"name": "UP", "value": "../../.."}])], False,
     ["volumeMounts[0].subPathExpr", "'../../../etc' must not contain '..'"]),
    ("item-path-climbs", [configmap({"k": "v"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "k", "path": "../../x"}]}}])], False,
     ["spec.volumes[0].configMap.items[0].path", "must not contain '..'"]),
    ("item-path-absolute", [configmap({"k": "v"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "k", "path": "/etc/passwd"}]}}])], False,
     ["items[0].path", "must be a relative path"]),
    ("item-path-dotdot-prefix", [configmap({"k": "v"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "k", "path": "..data"}]}}])], False, ["must not start with '..'"]),
    ("item-path-of-missing-key", [configmap({"k": "v"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "absent", "path": "../x"}]}}])], False, ["items[0].path"]),
    ("secret-item-path", [secret(["k"]), pod(volumes=[{"name": "s", "secret": {
        "secretName": "sec", "items": [{"key": "k", "path": "../../../../.ssh/id_rsa"}]}}])], False,
     ["spec.volumes[0].secret.items[0].path"]),
    ("projected-item-path", [configmap({"k": "v"}), pod(volumes=[{"name": "p", "projected": {"sources": [
        {"configMap": {"name": "cfg", "items": [{"key": "k", "path": "../x"}]}}]}}])], False,
     ["spec.volumes[0].projected.sources[0].configMap.items[0].path"]),
    ("downward-item-path", [pod(volumes=[{"name": "d", "downwardAPI": {"items": [
        {"path": "../x", "fieldRef": {"fieldPath": "metadata.name"}}]}}])], False,
     ["spec.volumes[0].downwardAPI.items[0].path"]),
    ("token-path", [pod(volumes=[{"name": "t", "projected": {"sources": [
        {"serviceAccountToken": {"path": "../../token"}}]}}])], False,
     ["projected.sources[0].serviceAccountToken.path"]),
    ("item-paths-collide", [configmap({"a": "1", "b": "2"}), pod(volumes=[{"name": "conf", "configMap": {
        "name": "cfg", "items": [{"key": "a", "path": "x"}, {"key": "b", "path": "x/y"}]}}])], False, ["collide"]),
    ("host-alias-hostname", [{**pod(), "spec": {**pod()["spec"], "hostAliases": [
        {"ip": "127.0.0.1", "hostnames": ["a\n10.0.0.1 bank.example.com"]}]}}], False,
     ["spec.hostAliases[0].hostnames[0]"]),
    ("host-alias-ip", [{**pod(), "spec": {**pod()["spec"], "hostAliases": [{"ip": "1.2.3.4 x", "hostnames": ["a"]}]}}],
     False, ["spec.hostAliases[0].ip", "not an IP address"]),
    ("tmpfs-size-options", [mounted({"name": "t", "emptyDir": {"medium": "Memory", "sizeLimit": "1m,suid,exec"}})],
     False, ["spec.volumes[0].emptyDir.sizeLimit", "quantity"]),
    # item 7: Ingress values that reach the gateway's nginx configuration
    ("ingress-host-injection", [ingress([http_rule(host="a.example.com; } server { listen 0.0.0.0:80")])], True,
     ["Ingress/default/web", "spec.rules[0].host"]),
    ("ingress-host-ip", [ingress([http_rule(host="10.0.0.1")])], True, ["spec.rules[0].host", "IP address"]),
    ("ingress-host-bad-wildcard", [ingress([http_rule(host="*a.example.com")])], True, ["wildcard"]),
    ("ingress-path-brace", [ingress([http_rule(path="/x { return 200; } location /y")])], True,
     ["spec.rules[0].http.paths[0].path"]),
    ("ingress-path-newline", [ingress([http_rule(path="/x\n}\nserver {", path_type="ImplementationSpecific")])],
     True, ["paths[0].path", "nginx"]),
    ("ingress-path-quote", [ingress([http_rule(path='/x" {', path_type="ImplementationSpecific")])], True,
     ["paths[0].path", "quote"]),
    ("ingress-path-semicolon", [ingress([http_rule(path="/x;return", path_type="ImplementationSpecific")])], True,
     ["paths[0].path"]),
    ("ingress-path-line-separator", [ingress([http_rule(path="/x\u2028y", path_type="ImplementationSpecific")])],
     True, ["paths[0].path"]),
    ("ingress-path-relative", [ingress([http_rule(path="api")])], True, ["must be an absolute path"]),
    ("ingress-path-climbs", [ingress([http_rule(path="/a/../b")])], True, ["must not contain '/../'"]),
    ("ingress-path-type", [ingress([http_rule(path_type="Regex")])], True, ["paths[0].pathType"]),
    ("ingress-backend-name", [ingress([http_rule(service="web.evil:80;")])], True,
     ["paths[0].backend.service.name", "RFC 1035"]),
    ("ingress-backend-port-name", [ingress([http_rule(port={"name": "http;}"})])], True,
     ["backend.service.port.name"]),
    ("ingress-backend-port-number", [ingress([http_rule(port={"number": 70000})])], True,
     ["backend.service.port.number"]),
]


@pytest.mark.parametrize("case", REFUSED, ids=[c[0] for c in REFUSED])
def test_hostile_input_is_refused(case: tuple[str, list[dict[str, Any]], bool, list[str]]) -> None:
    _, bodies, gateway, fragments = case
    with pytest.raises(InputError) as caught:
        compose_document(run(*bodies, gateway=gateway), "")
    error = caught.value
    assert error.exit_code == EXIT_INPUT
    assert error.where.startswith(f"{SOURCE} (document ")
    message = f"{error}\n{error.hint}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


INJECTION = "line1\nline2\u2028    privileged: true\u2028    pid: host\u2029    cap_add: [ALL]\x85    ports: ['80:80']"
STRANGE = ["\u2028privileged: true", "a\u2029b", "x\x85y", "\ufeffbom", "csi\x9b31m", "del\x7f", "nul\x00",
           "multi\nline\u2028  volumes: ['/:/host']\n", "tab\tand\nnewline", "\ud7ff\ue000\U0001f600"]


def service_of(output: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the app service as devenv built it, the same service as a YAML reader reads compose.yaml)"""
    parsed = yaml.safe_load(compose_document(output, ""))["services"]
    return output.services["app"], parsed["app"]


@pytest.mark.parametrize("value", [INJECTION, *STRANGE], ids=lambda v: ascii(v)[:30])
@pytest.mark.parametrize("route", ["envFrom", "env", "args", "command"])
def test_line_break_characters_cannot_add_keys(route: str, value: str) -> None:
    if route == "envFrom":
        output = run(configmap({"EVIL": value}), pod(envFrom=[{"configMapRef": {"name": "cfg"}}]))
    elif route == "env":
        output = run(pod(env=[{"name": "EVIL", "value": value}]))
    else:
        output = run(pod(**{route: ["sh", value]}))
    meant, read = service_of(output)
    assert set(read) == set(meant)
    assert "privileged" not in read and "pid" not in read and "cap_add" not in read
    found = read["environment"]["EVIL"] if route.startswith("env") else read[
        "entrypoint" if route == "command" else "command"][1]
    assert found == value


DOLLAR = "$HOME ${HOME} $${HOME} $(X) $"

# (field, container fields or pod volumes putting DOLLAR there, how to read it back from the service)
DOLLAR_FIELDS: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], Any]]] = [
    ("image", {"image": f"busybox:{DOLLAR}"}, lambda s: s["image"]),
    ("workingDir", {"workingDir": f"/srv/{DOLLAR}"}, lambda s: s["working_dir"]),
    ("mountPath", {"volumes": [{"name": "d", "emptyDir": {}}],
                   "volumeMounts": [{"name": "d", "mountPath": f"/data/{DOLLAR}"}]}, lambda s: s["volumes"][0]["target"]),
    ("probe exec", {"readinessProbe": {"exec": {"command": ["test", DOLLAR]}}}, lambda s: s["healthcheck"]["test"][2]),
    ("env value", {"env": [{"name": "V", "value": "$" + "$" + DOLLAR}]}, lambda s: s["environment"]["V"]),
]


@pytest.mark.parametrize("field, fields, read", DOLLAR_FIELDS, ids=[f[0] for f in DOLLAR_FIELDS])
def test_dollar_is_escaped_in_every_field(field: str, fields: dict[str, Any],
                                          read: Callable[[dict[str, Any]], Any]) -> None:
    volumes = fields.pop("volumes", None)
    meant, parsed = service_of(run(pod(volumes=volumes, **fields)))
    literal = read(meant)
    assert "$" in literal
    assert read(parsed) == literal.replace("$", "$$"), "Compose must read every `$` of a manifest value literally"


def test_devenv_own_references_stay_interpolated() -> None:
    output = run(secret(["TOKEN"]), pod(env=[{"name": "T", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "TOKEN"}}}]))
    parsed = yaml.safe_load(compose_document(output, ""))["services"]
    assert parsed["app"]["environment"]["T"].startswith("${DEVENV_SECRET_")
    assert parsed["app"]["labels"]["dev.devenv.env"] == "${DEVENV_ENV:-}"


def test_a_valid_ingress_reaches_the_gateway_quoted() -> None:
    output = run(ingress([http_rule(host="*.example.com", path="/api(/|$)(.*)", path_type="ImplementationSpecific"),
                          http_rule(host="shop.example.com", path="/exact", path_type="Exact",
                                    port={"name": "http"})]), gateway=True)
    conf = output.files["./files/devenv-gateway/default.conf"].content.decode()
    assert 'location "/api(/|$)(.*)" {' in conf
    assert 'location = "/exact" {' in conf
    assert "server_name *.example.com *.localhost;" in conf
