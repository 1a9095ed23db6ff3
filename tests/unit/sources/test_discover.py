"""devenv.sources.discover and scaffold: what `devenv init` finds in a repository, how it names the
environments and which one it mirrors. One case per behaviour: a tree of files in, environments out."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from devenv.config import load_config
from devenv.sources.discover import Discovery, Found, Skipped, discover
from devenv.sources.scaffold import _names, _string, devenv_toml, propose

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: NAME}\nspec: {containers: [{name: c, image: busybox:1.36.1}]}\n"
SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: NAME}\nspec: {ports: [{port: 80}]}\n"
CHART = "apiVersion: v2\nname: NAME\nversion: 0.1.0\n"
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [RESOURCES]\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [np.yaml]\n"


def pod(name: str) -> str:
    return POD.replace("NAME", name)


def kustomization(*resources: str) -> str:
    return KUSTOMIZATION.replace("RESOURCES", ", ".join(resources))


def chart(name: str, extra: str = "") -> str:
    return CHART.replace("NAME", name) + extra


OVERLAYS = {
    "deploy/base/kustomization.yaml": kustomization("app.yaml"),
    "deploy/base/app.yaml": pod("app"),
    "deploy/overlays/prod/kustomization.yaml": kustomization("../../base"),
    "deploy/overlays/prod/patch.yaml": pod("app"),
    "deploy/overlays/staging/kustomization.yaml": kustomization("../../base"),
}

# (case id, files, expected [(env name, kind, path, values file or listed files)], mirror, skipped paths)
CASES = [
    ("kustomize-overlays-of-one-base", OVERLAYS,
     [("prod", "kustomize", "deploy/overlays/prod", ""), ("staging", "kustomize", "deploy/overlays/staging", "")],
     "prod", ["deploy/base"]),
    ("kustomization-file-spellings", {
        "a/kustomization.yml": kustomization("p.yaml"), "a/p.yaml": pod("a"),
        "b/Kustomization": kustomization("p.yaml"), "b/p.yaml": pod("b")},
     [("a", "kustomize", "a", ""), ("b", "kustomize", "b", "")], "a", []),
    ("component-is-not-an-environment", {
        "k/kustomization.yaml": kustomization("app.yaml") + "components: [../c]\n", "k/app.yaml": pod("app"),
        "c/kustomization.yaml": COMPONENT, "c/np.yaml": pod("np")},
     [("k", "kustomize", "k", "")], "k", ["c"]),
    ("plain-folder-a-kustomization-references-is-a-base", {
        "manifests/app.yaml": pod("app"),
        "overlays/live/kustomization.yaml": kustomization("../../manifests")},
     [("live", "kustomize", "overlays/live", "")], "live", []),
    ("chart-per-values-file", {
        "chart/Chart.yaml": chart("shop"), "chart/values.yaml": "x: 1\n", "chart/values-dev.yaml": "x: 2\n",
        "chart/values.production.yaml": "x: 3\n", "chart/values.schema.json": "{}",
        "chart/templates/pod.yaml": pod("{{ .Release.Name }}")},
     [("dev", "helm", "chart", "chart/values-dev.yaml"), ("production", "helm", "chart", "chart/values.production.yaml")],
     "production", []),
    ("chart-with-defaults-and-vendored-subcharts", {
        "wp/Chart.yaml": chart("wordpress"), "wp/values.yaml": "x: 1\n", "wp/templates/pod.yaml": pod("wp"),
        "wp/charts/db/Chart.yaml": chart("db"), "wp/charts/db/values-prod.yaml": "x: 1\n",
        "wp/charts/db/templates/pod.yaml": pod("db"), "wp/charts/db/charts/common/Chart.yaml": chart("common")},
     [("wp", "helm", "wp", "")], "wp", ["wp/charts/db"]),
    ("library-chart-is-not-an-environment", {
        "lib/Chart.yaml": chart("lib", "type: library\n"), "lib/templates/_x.yaml": pod("x"),
        "k8s/app.yaml": pod("app")},
     [("k8s", "plain", "k8s", "")], "k8s", ["lib"]),
    ("plain-folder-and-its-subfolders-are-one-set", {
        "k8s/app.yaml": pod("app"), "k8s/db/db.yaml": pod("db") + "---\n" + SVC.replace("NAME", "db")},
     [("k8s", "plain", "k8s", "")], "k8s", []),
    ("sibling-folders-are-environments", {
        "k8s/prod/app.yaml": pod("app"), "k8s/dev/app.yaml": pod("app")},
     [("dev", "plain", "k8s/dev", ""), ("prod", "plain", "k8s/prod", "")], "prod", []),
    ("other-yaml-makes-the-files-listed", {
        "k8s/app.yaml": pod("app"), "k8s/svc.yml": SVC.replace("NAME", "app"), "k8s/settings.yaml": "debug: true\n"},
     [("k8s", "plain", "k8s", "k8s/app.yaml k8s/svc.yml")], "k8s", []),
    ("tool-configs-are-not-manifests", {
        "app.yaml": pod("app"),
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nmetadata: {name: x}\n",
        "kubeconfig.yaml": "apiVersion: v1\nkind: Config\nclusters: []\n",
        "kind-cluster.yaml": "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n",
        "templated.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
        "broken.yaml": "apiVersion: v1\nkind: [\n", "compose.yaml": "services: {web: {image: nginx}}\n"},
     [("repo", "plain", ".", "app.yaml")], "repo", []),
    ("hidden-and-dependency-folders-are-not-read", {
        "k8s/app.yaml": pod("app"), ".github/k8s/x.yaml": pod("x"), "node_modules/pkg/x.yaml": pod("x")},
     [("k8s", "plain", "k8s", "")], "k8s", []),
    ("clashing-names-take-more-of-the-path", {
        "chart/Chart.yaml": chart("shop"), "chart/values-prod.yaml": "x: 1\n",
        "deploy/overlays/prod/kustomization.yaml": kustomization("app.yaml"),
        "deploy/overlays/prod/app.yaml": pod("app")},
     [("chart-prod", "helm", "chart", "chart/values-prod.yaml"), ("overlays-prod", "kustomize", "deploy/overlays/prod", "")],
     "chart-prod", []),
    ("staging-is-closer-to-production-than-dev", {
        "o/dev/kustomization.yaml": kustomization("a.yaml"), "o/dev/a.yaml": pod("a"),
        "o/staging/kustomization.yaml": kustomization("a.yaml"), "o/staging/a.yaml": pod("a")},
     [("dev", "kustomize", "o/dev", ""), ("staging", "kustomize", "o/staging", "")], "staging", []),
    ("a-neutral-name-before-tests", {
        "tests/e2e/kustomization.yaml": kustomization("a.yaml"), "tests/e2e/a.yaml": pod("a"),
        "manifests/kustomization.yaml": kustomization("a.yaml"), "manifests/a.yaml": pod("a")},
     [("manifests", "kustomize", "manifests", ""), ("e2e", "kustomize", "tests/e2e", "")], "manifests", []),
]


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)


def _shown(found, root: Path) -> tuple[str, str, str, str]:
    rel = str(found.path.relative_to(root)) if found.path != root else "."
    extra = str(found.values.relative_to(root)) if found.values else " ".join(str(f.relative_to(root)) for f in found.files)
    return found.kind, rel, extra


@pytest.mark.parametrize("files, expected, mirror, skipped", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_discovery_finds_the_environments(tmp_path: Path, files: dict[str, str], expected: list, mirror: str,
                                          skipped: list[str]) -> None:
    root = tmp_path / "repo"
    _tree(root, files)
    discovery = discover(root)
    proposal = propose(discovery)
    assert [(name, *_shown(found, root)) for name, found in proposal.envs] == [tuple(e) for e in expected]
    assert proposal.mirror == mirror
    assert [str(s.path.relative_to(root)) for s in discovery.skipped] == skipped


@pytest.mark.parametrize("files, expected, mirror, skipped", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_proposed_toml_loads_with_paths_relative_to_its_folder(tmp_path: Path, files: dict[str, str],
                                                                   expected: list, mirror: str,
                                                                   skipped: list[str]) -> None:
    root = tmp_path / "repo"
    _tree(root, files)
    out = tmp_path / "elsewhere" / "config"
    out.mkdir(parents=True)
    (out / "devenv.toml").write_text(devenv_toml(discover(root), out))
    config = load_config(out / "devenv.toml")
    assert config.mirror == mirror and list(config.envs) == [e[0] for e in expected]
    for name, kind, path, extra in expected:
        env = config.envs[name]
        assert env.kind == kind
        source = env.kustomize or (env.helm.chart if env.helm else None)
        if source is not None:
            assert source.resolve() == (root / path).resolve()
        else:
            listed = [root / f for f in extra.split()] if extra else [root / path]
            assert [p.resolve() for p in env.manifests] == [p.resolve() for p in listed]
        if env.helm and extra:
            assert [v.resolve() for v in env.helm.values] == [(root / extra).resolve()]


@pytest.mark.parametrize("files, why", [
    (OVERLAYS, "'prod' looks like production: its path says 'prod'"),
    ({"k8s/app.yaml": pod("app")}, "'k8s' is the only environment found"),
    ({"o/dev/kustomization.yaml": kustomization(), "o/qa/kustomization.yaml": kustomization()},
     "No environment is named like production"),
])
def test_the_mirror_comment_says_why(tmp_path: Path, files: dict[str, str], why: str) -> None:
    _tree(tmp_path, files)
    text = devenv_toml(discover(tmp_path), tmp_path)
    assert why in " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))


def test_many_skipped_siblings_share_one_comment_line(tmp_path: Path) -> None:
    files = {"k/kustomization.yaml": kustomization("a.yaml"), "k/a.yaml": pod("a")}
    for name in ("a", "b", "c", "d", "e"):
        files[f"components/{name}/kustomization.yaml"] = COMPONENT
    _tree(tmp_path, files)
    text = devenv_toml(discover(tmp_path), tmp_path)
    assert "#   components/{a, b, c, d, e}: a Kustomize component" in text


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    from devenv.errors import InputError

    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="is not a directory"):
        discover(tmp_path / "f")


@given(st.text(max_size=30))
def test_strings_survive_toml(text: str) -> None:
    assert tomllib.loads(f"x = {_string(text)}")["x"] == text


@given(st.lists(st.lists(st.text(max_size=8), min_size=1, max_size=4).map(tuple), max_size=8))
@example([("x",), ("x",), ("x-2",)])
@example([("Ä",), ("",), ("env",)])
def test_environment_names_are_unique_bare_toml_keys(paths: list[tuple[str, ...]]) -> None:
    names = _names(paths)
    assert len(set(names)) == len(names) == len(paths)
    for name in names:
        assert tomllib.loads(f"[envs.{name}]\n")["envs"] == {name: {}}


@given(st.text(min_size=1, max_size=20).filter(lambda t: "/" not in t and "\0" not in t and t not in (".", "..")),
       st.text(max_size=30), st.text(max_size=30))
@example("x\n[local]", "evil\nallow = ['privileged:*/*']", "values\r\n[publish]")
def test_names_from_the_repository_cannot_add_keys(folder: str, chart_name: str, values: str) -> None:
    """Folder names and Chart.yaml's name are untrusted: whatever they hold, the TOML has only what init writes."""
    root = Path("/repo")
    chart = root / folder
    found = (Found("helm", chart, (folder, values), values=chart / f"values-{values}.yaml", chart_name=chart_name),
             Found("plain", root / "k8s", ("k8s",), files=(root / "k8s" / f"{folder}.yaml",), objects=1))
    discovery = Discovery(root, found, (Skipped(chart / "charts" / folder, f"a subchart of {chart_name}"),))
    parsed = tomllib.loads(devenv_toml(discovery, root))
    assert set(parsed) == {"project", "envs"}
    assert set(parsed["project"]) == {"name", "mirror"}
    helm, plain = parsed["envs"].values()
    assert set(helm) == {"helm", "values", "release"} and set(plain) == {"manifests"}
    assert helm["helm"] == folder and helm["values"] == [f"{folder}/values-{values}.yaml"]
    assert plain["manifests"] == [f"k8s/{folder}.yaml"]
