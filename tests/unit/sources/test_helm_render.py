"""devenv.sources.helm: charts written for the tests (tests/cases/helm) and the corpus chart, rendered by
Helm's own engine and compared by meaning; errors carry Helm's message and the file it points at."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tarfile
from pathlib import Path

import pytest

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.k8s.yamlio import parse_manifests
from devenv.sources import helm
from devenv.sources.helm import describe_helm, helm_identity, helm_inputs, render_helm
from devenv.sources.helm.failures import render_failure

CASES = Path(__file__).resolve().parents[2] / "cases" / "helm"
SHOP = CASES / "shop"
CORPUS_CHART = Path("/work/shared/corpus/microservices-demo/helm-chart")
HOOK = "helm.sh/hook"


def render(source: HelmSource) -> list:
    return parse_manifests(render_helm(source, str(source.chart)), "helm test render", source.namespace)


def by_kind_name(manifests: list) -> dict[tuple[str, str], object]:
    return {(m.kind, m.name): m for m in manifests}


def shop(**overrides) -> HelmSource:
    fields = {"chart": SHOP, "release": "demo", "namespace": "shop"}
    fields.update(overrides)
    return HelmSource(**fields)


def settings(manifests: list) -> dict[str, str]:
    return by_kind_name(manifests)[("ConfigMap", "demo-shop-settings")].body["data"]


@pytest.fixture(scope="module")
def defaults() -> list:
    return render(shop())


def test_helpers_library_chart_and_subchart_render(defaults):
    objects = by_kind_name(defaults)
    web = objects[("Deployment", "demo-shop")]
    # _helpers.tpl of the chart, including a define of the library chart
    assert web.labels == {
        "app.kubernetes.io/name": "shop",
        "app.kubernetes.io/instance": "demo",
        "app.kubernetes.io/version": "2.0.0",
        "app.kubernetes.io/managed-by": "Helm",
    }
    # the library chart's ConfigMap skeleton, filled by the chart
    assert objects[("ConfigMap", "demo-shop-settings")].labels == {"app.kubernetes.io/managed-by": "Helm"}
    # the subchart renders with the values the parent gives it (cache.maxMemory)
    cache = objects[("StatefulSet", "demo-cache")]
    assert cache.spec["template"]["spec"]["containers"][0]["args"] == ["--maxmemory", "64mb"]
    assert ("Service", "demo-cache") in objects
    # a library chart renders nothing of its own; a subchart disabled by its condition is left out
    assert ("ConfigMap", "demo-extras") not in objects


def test_release_and_capabilities_as_an_install_sees_them(defaults):
    data = settings(defaults)
    assert data["RELEASE_NAME"] == "demo"
    assert data["RELEASE_NAMESPACE"] == "shop"
    assert data["IS_INSTALL"] == "true"
    assert data["IS_UPGRADE"] == "false"
    assert data["REVISION"] == "1"
    assert data["HAS_APPS_V1"] == "true"


def test_kube_version_reaches_capabilities():
    assert settings(render(shop(kube_version="1.29.3")))["KUBE_VERSION"] == "v1.29.3"


def test_values_files_in_order_then_set_overrides_win():
    source = shop(values=(SHOP / "values-dev.yaml", SHOP / "values-team.yaml"),
                  set=(("image.tag", "9.9.9"), ("replicaCount", "4"), ("tier", "from-set")))
    manifests = render(source)
    data = settings(manifests)
    assert data["GREETING"] == "hello from values-dev.yaml"  # only values-dev.yaml sets it
    assert data["TIER"] == "from-set"  # values.yaml < values-dev < values-team < --set
    web = by_kind_name(manifests)[("Deployment", "demo-shop")]
    assert web.spec["replicas"] == 4
    assert web.spec["template"]["spec"]["containers"][0]["image"] == "registry.example.com/shop/web:9.9.9"
    cache = by_kind_name(manifests)[("StatefulSet", "demo-cache")]
    assert cache.spec["template"]["spec"]["containers"][0]["args"] == ["--maxmemory", "128mb"]  # values-team


def test_later_values_file_wins_over_earlier():
    swapped = render(shop(values=(SHOP / "values-team.yaml", SHOP / "values-dev.yaml")))
    assert settings(swapped)["TIER"] == "dev"


def test_set_uses_helm_parsing_types_and_null():
    manifests = render(shop(set=(("migrations.enabled", "false"), ("extras.enabled", "true"))))
    names = {m.name for m in manifests}
    assert "demo-shop-migrate" not in names  # "false" is a boolean for --set, so the hooks are off
    assert "demo-extras" in names  # the condition now enables the subchart


def test_set_with_index_sets_one_element_of_a_list(tmp_path):
    values = tmp_path / "ports.yaml"
    values.write_text("extraPorts: [{name: a, port: 1}, {name: b, port: 2}]\n")
    merged = helm._user_values(helm._import_sdk(), HelmSource(chart=SHOP, values=(values,),
                                                            set=(("extraPorts[1].port", "20"),)), "shop")
    assert merged["extraPorts"] == [{"name": "a", "port": 1}, {"name": "b", "port": 20}]
    replaced = helm._user_values(helm._import_sdk(), HelmSource(chart=SHOP, values=(values,),
                                                              set=(("extraPorts", "{x,y}"),)), "shop")
    assert replaced["extraPorts"] == ["x", "y"]


def test_hooks_kept_in_helm_order_test_hooks_last(defaults):
    hooks = [m for m in defaults if HOOK in m.annotations]
    assert [m.name for m in hooks] == [
        "demo-shop-create-db",  # pre-install, weight -5
        "demo-shop-a-schema",  # pre-install, weight 5, name before "migrate"
        "demo-shop-migrate",  # pre-install,pre-upgrade, weight 5
        "demo-shop-warm-cache",  # post-install, weight 0: after every pre-install hook
        "demo-shop-test-connection",  # test: kept (the translation runs it on demand), last
    ]
    assert hooks[0].annotations["helm.sh/hook-weight"] == "-5"
    assert hooks[2].annotations[HOOK] == "pre-install,pre-upgrade"
    assert [m.kind for m in hooks] == ["Job"] * 4 + ["Pod"]
    # hooks come after every plain manifest, as in `helm template`
    first_hook = defaults.index(hooks[0])
    assert all(HOOK not in m.annotations for m in defaults[:first_hook])


def test_notes_left_out():
    text = render_helm(shop(), "shop")
    assert "NOTES.txt" not in text
    assert "NotAManifest" not in text
    assert "subchart notes" not in text


def test_manifests_match_helms_own_install_action(defaults):
    """The plain manifests, byte for byte, are what Helm's install action (client dry run) produces."""
    sdk = pytest.importorskip("helm_python")
    if shutil.which("helm"):
        pytest.skip("compares the in-process assembly; a helm binary on PATH is used instead")
    for chart in (SHOP, CORPUS_CHART):
        if not chart.is_dir():
            continue
        text = render_helm(HelmSource(chart=chart, release="demo", namespace="shop"), "chart")
        with sdk.Config(storage_driver="memory", namespace="shop", kubeconfig_path=os.devnull) as config:
            release = config.install(str(chart), "demo", {}, namespace="shop", dry_run="client")
        assert text.startswith(release["manifest"])
        assert HOOK not in release["manifest"]


def test_packaged_subchart_and_packaged_chart(tmp_path):
    chart = tmp_path / "shop"
    shutil.copytree(SHOP, chart)
    pack(CASES / "packaged-src" / "metrics", chart / "charts" / "metrics-0.1.0.tgz")
    manifests = render(HelmSource(chart=chart, release="demo", namespace="shop"))
    assert by_kind_name(manifests)[("Service", "demo-metrics")].spec["ports"] == [{"port": 9090}]

    archive = tmp_path / "shop-1.2.3.tgz"
    pack(chart, archive)
    from_archive = render(HelmSource(chart=archive, release="demo", namespace="shop"))
    assert [m.body for m in from_archive] == [m.body for m in manifests]
    assert helm_inputs(HelmSource(chart=archive)) == [archive]


def test_crds_included_as_an_install_applies_them(tmp_path):
    chart = tmp_path / "withcrds"
    (chart / "crds").mkdir(parents=True)
    (chart / "templates").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: withcrds\nversion: 0.1.0\n"
                                      "dependencies:\n- name: gadgets\n  version: 0.1.0\n  condition: gadgets.enabled\n")
    (chart / "values.yaml").write_text("gadgets:\n  enabled: false\n")
    (chart / "crds" / "widget.yaml").write_text(crd("widgets.example.com"))
    (chart / "templates" / "widget.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}\n")
    gadgets = chart / "charts" / "gadgets"  # a subchart with CRDs only, disabled by its condition
    (gadgets / "crds").mkdir(parents=True)
    (gadgets / "Chart.yaml").write_text("apiVersion: v2\nname: gadgets\nversion: 0.1.0\n")
    (gadgets / "crds" / "gadget.yaml").write_text(crd("gadgets.example.com"))
    manifests = render(HelmSource(chart=chart, release="demo"))
    assert [(m.kind, m.name) for m in manifests] == [
        ("CustomResourceDefinition", "widgets.example.com"),  # first, as --include-crds prints them
        ("Widget", "demo"),
    ]
    enabled = render(HelmSource(chart=chart, release="demo", set=(("gadgets.enabled", "true"),)))
    assert ("CustomResourceDefinition", "gadgets.example.com") in {(m.kind, m.name) for m in enabled}


def test_lookup_gets_a_clear_offline_message():
    with pytest.raises(InputError) as caught:
        render_helm(HelmSource(chart=CASES / "lookup", release="demo"), "charts/lookup")
    error = caught.value
    assert error.what.startswith("helm template of charts/lookup failed:")
    assert "nil pointer evaluating interface {}.password" in error.what  # Helm's own message
    assert "lookup/templates/secret.yaml calls `lookup`" in error.what
    assert "renders offline" in error.what and "empty result" in error.what
    assert error.where == "charts/lookup/templates/secret.yaml:8:24"
    assert "values" in error.hint


def test_broken_template_gives_helms_message_and_file():
    with pytest.raises(InputError) as caught:
        render_helm(HelmSource(chart=CASES / "broken", release="demo"), "charts/broken")
    error = caught.value
    assert error.what.startswith("helm template of charts/broken failed:")
    assert "broken/templates/deployment.yaml:11" in error.what
    assert "nil pointer evaluating interface {}.repository" in error.what
    assert error.where == "charts/broken/templates/deployment.yaml:11:27"
    assert "lookup" not in error.what


def test_template_parse_error_names_the_file(tmp_path):
    chart = tmp_path / "parse"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: parse\nversion: 0.1.0\n")
    (chart / "templates" / "x.yaml").write_text("a: 1\nb: {{ if }}\n")
    with pytest.raises(InputError) as caught:
        render_helm(HelmSource(chart=chart), "parse")
    assert "missing value for if" in caught.value.what
    assert caught.value.where == "parse/templates/x.yaml:2"


def test_invalid_rendered_yaml_is_reported_like_helm(tmp_path):
    chart = tmp_path / "badyaml"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: badyaml\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                                                 "   bad: indent\n")
    if shutil.which("helm"):
        pytest.skip("the helm binary reports this itself")
    with pytest.raises(InputError) as caught:
        render_helm(HelmSource(chart=chart), "badyaml")
    assert "YAML parse error on badyaml/templates/cm.yaml" in caught.value.what
    assert caught.value.where == "badyaml/templates/cm.yaml"


def test_input_errors_name_the_path(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        render_helm(HelmSource(chart=tmp_path / "nowhere"), "nowhere")
    with pytest.raises(InputError, match="values file .* does not exist"):
        render_helm(shop(values=(tmp_path / "missing.yaml",)), "shop")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n- not a mapping\n")
    with pytest.raises(InputError) as caught:
        render_helm(shop(values=(bad,)), "shop")
    assert caught.value.where == str(bad)
    with pytest.raises(InputError, match="not valid `helm --set` syntax"):
        render_helm(shop(set=(("a", "x,y"),)), "shop")
    with pytest.raises(InputError, match="release name 'Bad_Name'"):
        render_helm(shop(release="Bad_Name"), "shop")


def test_schema_violation_carries_helms_message(tmp_path):
    chart = tmp_path / "schema"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: schema\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("port: 80\n")
    (chart / "values.schema.json").write_text('{"type": "object", "properties": {"port": {"type": "integer"}}}')
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    with pytest.raises(InputError) as caught:
        render_helm(HelmSource(chart=chart, set=(("port", "eighty"),)), "schema")
    assert "values don't meet the specifications of the schema" in caught.value.what
    assert "values.schema.json" in caught.value.hint


DEPENDENCY = "- name: postgresql\n  version: 15.x.x\n  repository: oci://example/charts\n"

# (case id, Chart.yaml, requirements.yaml or None, the file the error names)
UNVENDORED = [
    ("chart-yaml-v2", f"apiVersion: v2\nname: deps\nversion: 0.1.0\ndependencies:\n{DEPENDENCY}", None, "Chart.yaml"),
    ("requirements-yaml-v1", "apiVersion: v1\nname: deps\nversion: 0.1.0\n", f"dependencies:\n{DEPENDENCY}",
     "requirements.yaml"),
]


@pytest.mark.parametrize("chart_yaml, requirements, named", [c[1:] for c in UNVENDORED], ids=[c[0] for c in UNVENDORED])
def test_missing_vendored_dependency_names_the_file_declaring_it(tmp_path, chart_yaml, requirements, named):
    chart = tmp_path / "deps"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(chart_yaml)
    if requirements is not None:
        (chart / "requirements.yaml").write_text(requirements)
    if shutil.which("helm"):
        pytest.skip("the helm binary reports this itself (its message is rewritten by the next test)")
    with pytest.raises(InputError, match="missing in charts/ directory: postgresql") as caught:
        render_helm(HelmSource(chart=chart), "deps")
    assert f"found in {named}," in caught.value.what
    assert caught.value.where == f"deps/{named}"
    assert "helm dependency build deps" in caught.value.hint


@pytest.mark.parametrize("chart_yaml, requirements, named", [c[1:] for c in UNVENDORED], ids=[c[0] for c in UNVENDORED])
def test_the_helm_binarys_missing_dependency_message_names_the_file_declaring_it(tmp_path, chart_yaml, requirements,
                                                                                 named):
    chart = tmp_path / "deps"
    chart.mkdir()
    (chart / "Chart.yaml").write_text(chart_yaml)
    if requirements is not None:
        (chart / "requirements.yaml").write_text(requirements)
    message = ("An error occurred while checking for chart dependencies. You may need to run `helm dependency build` "
               "to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: postgresql")
    error = render_failure(HelmSource(chart=chart), "deps", message)
    assert error.what == f"chart deps: found in {named}, but missing in charts/ directory: postgresql"
    assert error.where == f"deps/{named}" and "helm dependency build deps" in error.hint


def test_inputs_cover_chart_tree_subcharts_and_values():
    source = shop(values=(SHOP / "values-dev.yaml",))
    inputs = helm_inputs(source)
    assert SHOP / "Chart.yaml" in inputs
    assert SHOP / "templates" / "_helpers.tpl" in inputs
    assert SHOP / "charts" / "cache" / "values.yaml" in inputs
    assert SHOP / "charts" / "commonlib" / "templates" / "_common.tpl" in inputs
    assert inputs[-1] == SHOP / "values-dev.yaml"


def test_identity_and_description_name_the_renderer():
    description, hint = describe_helm()
    assert description and not hint
    if shutil.which("helm"):
        assert description.startswith("helm ")
    else:
        assert description.startswith("helm-python-sdk ") and "Go engine in-process" in description
        assert helm_identity().startswith("helm-python-sdk:")


def test_no_renderer_at_all_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(helm, "_sdk_version", lambda: "")
    monkeypatch.setitem(sys.modules, "helm_python", None)  # makes `import helm_python` fail
    assert describe_helm() == ("", helm.INSTALL_HINT)
    with pytest.raises(InputError) as caught:
        render_helm(shop(), "shop")
    assert "pip install 'devenv[helm]'" in caught.value.hint


def test_helm_binary_is_used_when_on_path(monkeypatch, tmp_path):
    """A stand-in `helm` prints what `helm template` prints; its arguments and the post-processing are checked."""
    calls = tmp_path / "argv.txt"
    fake = tmp_path / "bin" / "helm"
    fake.parent.mkdir()
    fake.write_text(FAKE_HELM.format(python=sys.executable, calls=str(calls)))
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(fake.parent))
    source = shop(values=(SHOP / "values-dev.yaml", SHOP / "values-team.yaml"), set=(("image.tag", "9.9.9"),),
                  kube_version="1.29.3")
    manifests = parse_manifests(render_helm(source, "shop"), "fake", "shop")
    assert calls.read_text().split("\n") == [
        "template", "demo", str(SHOP), "--namespace", "shop", "--include-crds",
        "--values", str(SHOP / "values-dev.yaml"), "--values", str(SHOP / "values-team.yaml"),
        "--set", "image.tag=9.9.9", "--kube-version", "1.29.3",
    ]
    assert [m.name for m in manifests] == ["web", "late-job", "early-job", "test-pod"]  # hooks reordered, test last
    assert helm_identity().startswith(f"helm:{fake}:")
    assert describe_helm() == (f"helm v3.99.0 at {fake}", "")

    monkeypatch.setenv("FAKE_HELM_FAIL", "1")
    with pytest.raises(InputError) as caught:
        render_helm(source, "shop")
    assert caught.value.what.startswith("helm template of shop failed: template: shop/templates/service.yaml:3:4")
    assert caught.value.where == "shop/templates/service.yaml:3:4"


FAKE_HELM = """#!{python}
import os, sys
if sys.argv[1:2] == ["version"]:
    print("v3.99.0+gdeadbeef")
    sys.exit(0)
open({calls!r}, "w").write("\\n".join(sys.argv[1:]))
if os.environ.get("FAKE_HELM_FAIL"):
    sys.stderr.write("Error: template: shop/templates/service.yaml:3:4: executing ... nil pointer\\n")
    sys.exit(1)
print('''---
# Source: shop/templates/web.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
---
# Source: shop/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: late-job
  annotations:
    helm.sh/hook: pre-install
    helm.sh/hook-weight: "1"
---
# Source: shop/templates/tests/t.yaml
apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  annotations:
    helm.sh/hook: test
---
# Source: shop/templates/hooks.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: early-job
  annotations:
    helm.sh/hook: post-install
    helm.sh/hook-weight: "-10"
''')
"""


@pytest.mark.skipif(not CORPUS_CHART.is_dir(), reason="the corpus is not on this machine")
def test_corpus_chart_renders_the_boutique():
    manifests = render(HelmSource(chart=CORPUS_CHART, release="boutique", namespace="shop"))
    services = {"adservice", "cartservice", "checkoutservice", "currencyservice", "emailservice", "frontend",
                "loadgenerator", "paymentservice", "productcatalogservice", "recommendationservice", "redis-cart",
                "shippingservice"}
    deployments = {m.name for m in manifests if m.kind == "Deployment"}
    assert deployments == services
    assert {m.name for m in manifests if m.kind == "Service"} == services - {"loadgenerator"} | {"frontend-external"}
    assert all(m.namespace == "shop" for m in manifests)
    frontend = by_kind_name(manifests)[("Deployment", "frontend")]
    image = frontend.spec["template"]["spec"]["containers"][0]["image"]
    assert image.endswith("/frontend:v0.10.6")  # the tag defaults to the chart's appVersion


@pytest.mark.skipif(not CORPUS_CHART.is_dir(), reason="the corpus is not on this machine")
def test_corpus_chart_with_set_overrides():
    source = HelmSource(chart=CORPUS_CHART, release="boutique", namespace="shop",
                        set=(("loadGenerator.create", "false"), ("networkPolicies.create", "true"),
                             ("images.tag", "v9")))
    manifests = render(source)
    assert "loadgenerator" not in {m.name for m in manifests if m.kind == "Deployment"}
    assert any(m.kind == "NetworkPolicy" for m in manifests)
    frontend = by_kind_name(manifests)[("Deployment", "frontend")]
    assert frontend.spec["template"]["spec"]["containers"][0]["image"].endswith("/frontend:v9")


def pack(folder: Path, archive: Path) -> None:
    """A chart archive as `helm package` lays it out: one top folder named after the chart."""
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)


def crd(name: str) -> str:
    plural, group = name.split(".", 1)
    return (f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {name}\n"
            f"spec:\n  group: {group}\n  names:\n    kind: {plural[:-1].title()}\n    plural: {plural}\n"
            f"  scope: Namespaced\n  versions: []\n")
