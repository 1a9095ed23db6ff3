"""The Kubernetes name and path rules devenv applies, and the one helper every writer builds paths with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.compose import paths
from devenv.errors import InputError
from devenv.k8s import names as rules

# (rule, value, accepted)
RULES: list[tuple[Callable[[str], str], str, bool]] = [
    (rules.dns_label, "web-1", True), (rules.dns_label, "a" * 63, True), (rules.dns_label, "a" * 64, False),
    (rules.dns_label, "Web", False), (rules.dns_label, "-web", False), (rules.dns_label, "web-", False),
    (rules.dns_label, "a.b", False), (rules.dns_label, "..", False), (rules.dns_label, "", False),
    (rules.dns_label, "web\n", False), (rules.dns_label, "wéb", False),
    (rules.dns_subdomain, "api.shop-1", True), (rules.dns_subdomain, "a..b", False), (rules.dns_subdomain, ".a", False),
    (rules.dns_subdomain, "a/b", False), (rules.dns_subdomain, "../x", False), (rules.dns_subdomain, "x" * 254, False),
    (rules.dns_1035_label, "web", True), (rules.dns_1035_label, "1web", False),
    (rules.host_name, "shop.example.com", True), (rules.host_name, "*.example.com", True),
    (rules.host_name, "*", False), (rules.host_name, "a.*.com", False), (rules.host_name, "10.0.0.1", False),
    (rules.host_name, "::1", False), (rules.host_name, "a b", False), (rules.host_name, "a;b", False),
    (rules.env_name, "MY_VAR", True), (rules.env_name, "my.var-2", True), (rules.env_name, "1VAR", False),
    (rules.env_name, "A=B", False), (rules.env_name, "A B", False), (rules.env_name, "", False),
    (rules.config_key, "app.conf", True), (rules.config_key, ".hidden", True), (rules.config_key, "..data", False),
    (rules.config_key, "..", False), (rules.config_key, "a/b", False), (rules.config_key, "a b", False),
    (rules.descending_path, "conf/app.ini", True), (rules.descending_path, "a..b/c", True),
    (rules.descending_path, "../etc", False), (rules.descending_path, "a/../../b", False),
    (rules.descending_path, "/etc", False), (rules.descending_path, "a/..", False),
    (rules.item_path, "x/y", True), (rules.item_path, "..x", False), (rules.item_path, "", False),
    (rules.port_name, "http", True), (rules.port_name, "h2c-web", True), (rules.port_name, "8080", False),
    (rules.port_name, "a--b", False), (rules.port_name, "http;}", False), (rules.port_name, "a" * 16, False),
]


@pytest.mark.parametrize("rule, value, accepted", RULES, ids=[f"{r.__name__}:{v[:20]!r}" for r, v, _ in RULES])
def test_name_rules(rule: Callable[[str], str], value: str, accepted: bool) -> None:
    problem = rule(value)
    assert (problem == "") == accepted, problem


@pytest.mark.parametrize("path, path_type, accepted", [
    ("/", "Prefix", True), ("/api/v1", "Exact", True), ("/a//b", "Prefix", False), ("/a/./b", "Prefix", False),
    ("/a/..", "Exact", False), ("/a%2fb", "Prefix", False), ("api", "Prefix", False),
    ("/a//b", "ImplementationSpecific", True), ("x", "ImplementationSpecific", False),
])
def test_ingress_path_rules(path: str, path_type: str, accepted: bool) -> None:
    assert (rules.ingress_path(path, path_type) == "") == accepted


@pytest.mark.parametrize("relative", ["", "a//b", "./a", "a/./b", "../a", "a/../b", "a/..", "a\0b", "/etc/passwd"])
def test_paths_refuse_anything_but_plain_names(tmp_path: Path, relative: str) -> None:
    with pytest.raises(InputError) as caught:
        paths.inside(tmp_path, relative)
    assert caught.value.exit_code == 2


def test_paths_stay_inside_their_root_through_symbolic_links(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "inner").mkdir(parents=True)
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    (root / "loop").symlink_to(root / "inner")
    assert paths.inside(root, "a/b/c") == root.resolve() / "a" / "b" / "c"
    assert paths.inside(root, "loop/file") == root.resolve() / "inner" / "file"
    assert paths.inside(root, "escape") == root.resolve() / "escape", "the last segment is replaced, not followed"
    with pytest.raises(InputError, match="outside"):
        paths.inside(root, "escape/file")
