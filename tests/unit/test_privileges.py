"""Host privileges: a hostile manifest gets none of them unless devenv.toml grants them by name.

Each case of the table asks for one privilege. Without a grant compose.yaml holds nothing privileged and
the delta is an unaccepted error; with the matching grant the Compose key is there and the delta is
accepted by that grant; an annotation or an [[accept]] rule never accepts it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml

from devenv.compose.writer import compose_document
from devenv.config import Acceptance
from devenv.k8s.yamlio import parse_manifests
from devenv.model.catalogue import CATALOGUE
from devenv.model.delta import Delta
from devenv.model.privileges import (
    DOCKER_DEFAULT_CAPABILITIES,
    LINUX_CAPABILITIES,
    PRIVILEGES,
    Grant,
    capability_token,
    is_security_code,
    parse_grants,
)
from devenv.parity.accept import apply_acceptance, unused_grants
from tests.unit.privileges_helpers import CASES, SEC, Hostile, deployment, host_privileges
from tests.unit.translate_helpers import run


def render(text: str, *allow: str) -> tuple[dict[str, Any], list[Delta]]:
    output = run(text, allow=parse_grants(list(allow), "devenv.toml"))
    return yaml.safe_load(compose_document(output, "")), output.deltas


def security(deltas: list[Delta]) -> list[Delta]:
    return [d for d in deltas if is_security_code(d.code)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_without_a_grant_nothing_privileged_reaches_compose(case: Hostile) -> None:
    doc, deltas = render(case.manifest)
    assert host_privileges(doc) == []
    assert not case.granted(doc)
    found = security(deltas)
    assert [d.code for d in found] == [case.code]
    assert all(d.severity == "error" and not d.accepted for d in found)
    assert f'"{case.entry}"' in found[0].hint
    if case.fields:
        assert [d.field for d in found] == list(case.fields)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_with_the_grant_the_compose_key_is_there_and_the_delta_accepted(case: Hostile) -> None:
    doc, deltas = render(case.manifest, case.entry)
    assert case.granted(doc), yaml.safe_dump(doc["services"])
    found = security(deltas)
    assert [d.code for d in found] == [case.code]
    assert all(d.accepted and d.severity == "warning" and d.accepted_by == f"local.allow[0] {case.entry}"
               for d in found)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_grant_for_another_privilege_workload_or_namespace_grants_nothing(case: Hostile) -> None:
    privilege, _, _ = case.entry.partition(":")
    other = "host-ipc" if privilege != "host-ipc" else "host-pid"
    doc, deltas = render(case.manifest, f"{privilege}:ops/agents", f"{privilege}:default/agent",
                         f"{privilege}:ops/agent-*", f"{other}:ops/agent")
    assert host_privileges(doc) == []
    assert all(not d.accepted for d in security(deltas))


@pytest.mark.parametrize("pattern", ["*", "ag*", "*ent", "a*t"])
def test_a_wildcard_matches_workload_names_of_its_namespace(pattern: str) -> None:
    doc, deltas = render(deployment(container={SEC: {"privileged": True}}), f"privileged:ops/{pattern}")
    assert doc["services"]["agent"]["privileged"] is True
    assert all(d.accepted for d in security(deltas))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("annotation", ["*", "{code}", "{code}: the vendor says it is fine"])
@pytest.mark.parametrize("where", [("metadata",), ("spec", "template", "metadata")], ids=["object", "template"])
def test_an_annotation_in_the_manifest_never_accepts_a_privilege(case: Hostile, annotation: str,
                                                                 where: tuple[str, ...]) -> None:
    body = yaml.safe_load(case.manifest)
    body["spec"]["replicas"] = 2  # an ordinary delta, which the annotation on the object does accept
    node = body
    for key in where:
        node = node[key]
    node.setdefault("annotations", {})["devenv.dev/accept"] = annotation.format(code=case.code)
    text = yaml.safe_dump(body)
    output = run(text)
    deltas = apply_acceptance(output.deltas, (), parse_manifests(text, "case.yaml"), "devenv.toml")
    assert security(deltas) and all(not d.accepted and d.severity == "error" for d in security(deltas))
    ordinary = [d for d in deltas if d.code == "replicas-reduced"]
    assert [d.accepted for d in ordinary] == [where == ("metadata",) and annotation == "*"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("code", ["*", "host-*", "cap*", "[a-z]*"])
def test_an_accept_rule_with_a_pattern_never_accepts_a_privilege(case: Hostile, code: str) -> None:
    output = run(case.manifest)
    rule = Acceptance(code=code, reason="accept everything", expires=dt.date(2999, 1, 1))
    deltas = apply_acceptance(output.deltas, (rule,), parse_manifests(case.manifest, "case.yaml"), "devenv.toml")
    assert all(not d.accepted for d in security(deltas))


@pytest.mark.parametrize("capability", sorted(LINUX_CAPABILITIES - DOCKER_DEFAULT_CAPABILITIES) + ["ALL"])
def test_every_capability_beyond_dockers_default_set_needs_its_own_grant(capability: str) -> None:
    text = deployment(container={SEC: {"capabilities": {"add": [capability], "drop": ["ALL"]}}})
    doc, deltas = render(text)
    assert "cap_add" not in doc["services"]["agent"] and doc["services"]["agent"]["cap_drop"] == ["ALL"]
    assert [(d.code, d.prod, d.accepted) for d in security(deltas)] == [("capability", capability, False)]
    other = "cap-sys-time:ops/agent" if capability != "SYS_TIME" else "cap-sys-boot:ops/agent"
    doc, deltas = render(text, other, "cap-all:ops/x" if capability != "ALL" else "cap-sys-admin:ops/agent")
    assert "cap_add" not in doc["services"]["agent"]
    doc, deltas = render(text, f"{capability_token(capability)}:ops/agent")
    assert doc["services"]["agent"]["cap_add"] == [capability]
    assert all(d.accepted for d in security(deltas))


@pytest.mark.parametrize("capability", sorted(DOCKER_DEFAULT_CAPABILITIES))
def test_dockers_default_capabilities_pass_without_a_delta(capability: str) -> None:
    doc, deltas = render(deployment(container={SEC: {"capabilities": {"add": [capability], "drop": ["ALL"]}}}))
    assert doc["services"]["agent"]["cap_add"] == [capability]
    assert security(deltas) == [] and not [d for d in deltas if "capabilit" in d.field]


@pytest.mark.parametrize("name", ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                                  "net/ipv4/ping_group_range", "net.ipv4.ip_unprivileged_port_start"])
def test_kubernetes_safe_sysctls_pass_without_a_delta(name: str) -> None:
    doc, deltas = render(deployment(pod={SEC: {"sysctls": [{"name": name, "value": "1"}]}}))
    service = "agent-pod" if name.startswith("net") else "agent"
    assert doc["services"][service]["sysctls"] == {name.replace("/", "."): "1"}
    assert security(deltas) == []


def test_root_inside_the_container_is_not_a_host_privilege() -> None:
    doc, deltas = render(deployment(pod={SEC: {"runAsUser": 0}}, container={SEC: {"runAsUser": 0,
                                                                                  "allowPrivilegeEscalation": True}}))
    assert doc["services"]["agent"]["user"] == "0" and security(deltas) == []


def test_a_granted_host_port_binds_loopback_only_whatever_its_host_ip() -> None:
    text = deployment(container={"ports": [{"containerPort": 80, "hostPort": 8080, "hostIP": "192.168.1.5"},
                                           {"containerPort": 81, "hostPort": 8081, "hostIP": "0.0.0.0"}]})
    doc, deltas = render(text, "host-port:ops/agent")
    assert doc["services"]["agent-pod"]["ports"] == ["127.0.0.1:8080:80", "127.0.0.1:8081:81"]
    assert [d.prod for d in security(deltas)] == ["192.168.1.5:8080 -> 80/tcp", "0.0.0.0:8081 -> 81/tcp"]


def test_a_granted_host_network_leaves_the_pod_network_and_its_forwards() -> None:
    pod = {"hostNetwork": True, SEC: {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}}
    text = deployment(pod=pod, container={"ports": [{"containerPort": 80, "hostPort": 80}]}) + """---
apiVersion: v1
kind: Service
metadata: {name: agent, namespace: ops}
spec: {selector: {app: agent}, ports: [{port: 8080, targetPort: 80}]}
"""
    doc, deltas = render(text, "host-network:ops/agent")
    sandbox = doc["services"]["agent-pod"]
    assert sandbox["network_mode"] == "host"
    assert not {"networks", "hostname", "ports", "sysctls"} & set(sandbox)
    assert "nc " not in " ".join(sandbox["entrypoint"])  # no forward listening on the host's interfaces
    assert [d.code for d in security(deltas)] == ["host-network"]  # the hostPort is the container's own port


def test_a_pod_level_privilege_is_one_delta_for_all_containers() -> None:
    body = yaml.safe_load(deployment(pod={"hostPID": True, SEC: {"seccompProfile": {"type": "Unconfined"}}}))
    spec = body["spec"]["template"]["spec"]
    spec["containers"].append({"name": "side", "image": "busybox:1.36.1"})
    doc, deltas = render(yaml.safe_dump(body), "host-pid:ops/agent", "seccomp-unconfined:ops/agent")
    assert sorted(d.code for d in security(deltas)) == ["host-pid", "seccomp-unconfined"]
    for name in ("agent-agent", "agent-side"):
        assert doc["services"][name]["pid"] == "host"
        assert doc["services"][name]["security_opt"] == ["seccomp:unconfined"]


def test_a_grant_that_grants_nothing_is_reported() -> None:
    grants = parse_grants(["privileged:ops/agent", "host-pid:ops/agent"], "devenv.toml")
    output = run(deployment(container={SEC: {"privileged": True}}), allow=grants)
    unused = unused_grants(output.deltas, grants, "devenv.toml")
    assert [(d.code, d.field, d.prod) for d in unused] == [("allow-unused", "local.allow[1]", "host-pid:ops/agent")]


def test_the_catalogue_marks_exactly_the_privilege_codes_as_security() -> None:
    assert {c for c, e in CATALOGUE.items() if e.security} == {*PRIVILEGES, "capability"}
    assert all(CATALOGUE[c].severity == "error" for c in (*PRIVILEGES, "capability"))


def test_grant_covers_only_its_namespace_and_pattern() -> None:
    from devenv.model.refs import ObjectRef

    grant = Grant("host-path", "monitoring", "node-*")
    assert grant.covers("host-path", ObjectRef("DaemonSet", "monitoring", "node-exporter"))
    assert not grant.covers("host-path", ObjectRef("DaemonSet", "monitoring2", "node-exporter"))
    assert not grant.covers("host-path", ObjectRef("DaemonSet", "monitoring", "exporter-node"))
    assert not grant.covers("privileged", ObjectRef("DaemonSet", "monitoring", "node-exporter"))
