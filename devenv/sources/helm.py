"""Helm charts, rendered by Helm's own Go engine the way `helm template` renders them for an install.

Two ways to reach that engine, one output:

- the `helm` binary on PATH: `helm template RELEASE CHART --namespace NS --include-crds -f ... --set ...`;
- otherwise the helm-python-sdk wheel (`pip install 'devenv[helm]'`), which embeds Helm v4's Go engine as
  a shared library. Values are merged as `helm` merges `-f` and `--set` (with Helm's own YAML and `--set`
  parsers), the engine renders the chart (dependencies, conditions, import-values, schema validation
  included), and the result is assembled as `helm template` assembles it: CRDs first, then manifests in
  Helm's install order, then hooks; NOTES.txt and partials left out.

Either way, test hooks are left out and the other hooks follow the manifests in the order Helm runs them:
by event (pre-install before post-install...), then `helm.sh/hook-weight`, then name.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import posixpath
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.k8s.redact import scrub, scrub_schema_values

INSTALL_HINT = "pip install 'devenv[helm]' (Helm's Go engine, in-process), or put the helm binary on PATH"
HOOK_ANNOTATION = "helm.sh/hook"
WEIGHT_ANNOTATION = "helm.sh/hook-weight"
# Bump when the assembly below changes what render_helm returns: it is part of the render cache key.
ASSEMBLY_VERSION = "1"
RENDER_TIMEOUT = 300

# Helm's InstallOrder (pkg/release/v1/util/kind_sorter.go): kinds not listed go last, alphabetically.
INSTALL_ORDER = {kind: index for index, kind in enumerate((
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
))}
# Every hook event Helm knows, in the order an install, upgrade, rollback or delete runs them.
HOOK_PHASES = {event: phase for phase, event in enumerate((
    "pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
    "pre-delete", "post-delete", "test",
))}
HOOK_PHASES["test-success"] = HOOK_PHASES["test"]  # Helm 2's name, still accepted
TEST_EVENTS = frozenset({"test", "test-success"})

_SPLIT = re.compile(r"(?:^|[ \t\n\f\r]*\n)---[ \t\n\f\r]*")  # Helm's SplitManifests separator
_SOURCE = re.compile(r"^---\n# Source: (.*)\n", re.MULTILINE)
_LOCATION = re.compile(r"([\w.@+\-/]+\.(?:ya?ml|tpl|txt|json)):(\d+)(?::(\d+))?")
_LIVE_CALL = re.compile(r"\b(lookup|getHostByName)\b")
_INTEGER = re.compile(r"[+-]?\d+")

_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class _Doc:
    """One rendered document, as `helm template` prints it under `# Source: <source>`."""

    source: str
    text: str
    kind: str = ""
    name: str = ""
    events: tuple[str, ...] = ()  # hook events; empty for a plain manifest
    weight: int = 0


def render_helm(source: HelmSource, shown: str) -> str:
    """The YAML stream Helm's engine renders for the chart, as a real `helm install` would see it."""
    _check_paths(source, shown)
    binary = shutil.which("helm")
    docs = _render_with_binary(binary, source, shown) if binary else _render_with_sdk(source, shown)
    return _emit(docs)


def helm_inputs(source: HelmSource) -> list[Path]:
    """Every local file the render can read: the chart tree (subcharts in charts/ included), the values files."""
    chart = source.chart
    files = _tree_files(chart) if chart.is_dir() else [chart]
    return files + list(source.values)


def helm_identity() -> str:
    """Changes when the renderer changes: part of the render cache key."""
    binary = shutil.which("helm")
    if binary:
        try:
            stat = Path(binary).stat()
            renderer = f"helm:{binary}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            renderer = f"helm:{binary}"
    else:
        renderer = f"helm-python-sdk:{_sdk_version() or 'absent'}"
    return f"{renderer};assembly:{ASSEMBLY_VERSION}"


def describe_helm() -> tuple[str, str]:
    """(what renders Helm charts here, "") or ("", how to install a renderer): for `devenv doctor`."""
    binary = shutil.which("helm")
    if binary:
        return f"helm {_binary_version(binary)} at {binary}", ""
    if not _sdk_version():
        return "", INSTALL_HINT
    try:
        helm = _import_sdk()
    except InputError as exc:
        return "", f"{exc.what} ({exc.hint})"
    return f"helm-python-sdk {_sdk_version()} (Helm {helm.helm_sdk_version()} Go engine in-process)", ""


# --- the helm binary -----------------------------------------------------------------------------


def _render_with_binary(binary: str, source: HelmSource, shown: str) -> list[_Doc]:
    argv = [binary, "template", source.release, str(source.chart), "--namespace", source.namespace,
            "--include-crds"]
    for values in source.values:
        argv += ["--values", str(values)]
    for key, value in source.set:
        argv += ["--set", f"{key}={value}"]
    if source.kube_version:
        argv += ["--kube-version", source.kube_version]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=RENDER_TIMEOUT, check=False)
    except OSError as exc:
        raise InputError(f"cannot run {binary}: {exc.strerror}", hint=INSTALL_HINT) from None
    except subprocess.TimeoutExpired:
        raise InputError(f"helm template of {shown} did not finish within {RENDER_TIMEOUT} s",
                         hint="run `helm template` on the chart by hand to see where it hangs") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        raise _render_failure(source, shown, message.removeprefix("Error: "))
    return _docs_from_stream(done.stdout)


def _docs_from_stream(stream: str) -> list[_Doc]:
    """Split `helm template` output back into its `# Source:` blocks (already in Helm's order)."""
    docs = []
    headers = list(_SOURCE.finditer(stream))
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(stream)
        text = stream[header.end():end].removesuffix("\n")  # the newline `helm template` adds after each
        docs.append(_head(header.group(1), text, strict=False) or _Doc(header.group(1), text))
    return docs


def _binary_version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "version", "--short"], capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "(version unknown)"
    return done.stdout.strip().split("+")[0] or "(version unknown)"


# --- the helm-python-sdk wheel -------------------------------------------------------------------


def _render_with_sdk(source: HelmSource, shown: str) -> list[_Doc]:
    helm = _import_sdk()
    values = _user_values(helm, source, shown)
    try:
        helm.validate_release_name(source.release)
    except helm.HelmError as exc:
        raise InputError(f"release name '{source.release}' is not valid for Helm: {exc.detail}",
                         where=shown, hint="set release = \"...\" for this environment in devenv.toml") from None
    try:
        chart = helm.Chart.load(str(source.chart))
    except helm.HelmError as exc:
        raise InputError(f"Helm cannot load the chart {shown}: {exc.detail}", where=shown,
                         hint="point `helm` in devenv.toml at a chart directory (with Chart.yaml) or a "
                              "packaged .tgz") from None
    with chart:
        _check_vendored(chart, shown)
        options: dict[str, Any] = {"name": source.release, "namespace": source.namespace, "is_install": True}
        try:
            if source.kube_version:
                rendered = _render_for_kube_version(chart, values, {**options, "kube_version": source.kube_version})
            else:
                rendered = chart.render(values, **options)
        except helm.HelmError as exc:
            raise _render_failure(source, shown, exc.detail) from None
        crds = _enabled_crds(chart, values, rendered)
    return crds + _assemble(rendered, source, shown)


def _render_for_kube_version(chart: Any, values: dict[str, Any], options: dict[str, Any]) -> dict[str, str]:
    """`helm_render` of the wheel's C ABI with `kube_version`, an option it takes and Chart.render() omits."""
    from helm_python import _native

    return json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(options)))


def _import_sdk() -> Any:
    try:
        import helm_python
    except ImportError:
        raise InputError("cannot render a Helm chart: the helm binary is not on PATH and the helm-python-sdk "
                         "package is not installed", hint=INSTALL_HINT) from None
    except Exception as exc:  # HelmLibraryError: the wheel's Go library does not load on this machine
        raise InputError(f"helm-python-sdk is installed but its Go library does not load: {exc}",
                         hint="reinstall it for this platform, or put the helm binary on PATH") from None
    return helm_python


def _sdk_version() -> str:
    try:
        return importlib.metadata.version("helm-python-sdk")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _user_values(helm: Any, source: HelmSource, shown: str) -> dict[str, Any]:
    """Values files merged in order, then each `--set` applied on top, as `helm template -f ... --set ...`."""
    merged: dict[str, Any] = {}
    for path in source.values:
        try:
            merged = _merge_maps(merged, helm.values_from_yaml(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise InputError(f"values file {path} cannot be read: {exc.strerror}", where=shown,
                             hint="fix the values paths of this environment in devenv.toml") from None
        except helm.HelmError as exc:
            raise InputError(f"is not a valid Helm values file: {exc.detail}", where=str(path),
                             hint="a values file is a YAML mapping; fix the line shown") from None
    for key, value in source.set:
        expression = f"{key}={value}"
        try:
            parsed = helm.parse_set_string(expression)
        except helm.HelmError as exc:
            raise InputError(f"set override '{key}=...' is not valid `helm --set` syntax: "  # the value may be secret
                             f"{scrub(exc.detail, [value, expression, *value.split(',')])}",
                             where=shown, hint="write it as `helm --set` takes it; escape a comma in a value "
                                               "as \\,") from None
        merged = _set_into(merged, parsed, indexed="[" in key)
    return merged


def _merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps for `-f` files: tables merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def _set_into(base: dict[str, Any], parsed: dict[str, Any], indexed: bool) -> dict[str, Any]:
    """One `--set` applied as Helm's strvals.ParseInto does: into the values merged so far.

    A list built by an index in the key (`ports[1].name=x`) sets that element of the existing list; a
    list literal in the value (`hosts={a,b}`) replaces it.
    """
    out = dict(base)
    for key, value in parsed.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = _set_into(current, value, indexed)
        elif indexed and isinstance(value, list) and isinstance(current, list):
            out[key] = _set_list(current, value)
        else:
            out[key] = value
    return out


def _set_list(current: list[Any], value: list[Any]) -> list[Any]:
    merged = list(current) + [None] * (len(value) - len(current))
    for index, item in enumerate(value):
        if item is None:  # an index the expression does not name
            continue
        if isinstance(item, dict) and isinstance(merged[index], dict):
            merged[index] = _set_into(merged[index], item, True)
        elif isinstance(item, list) and isinstance(merged[index], list):
            merged[index] = _set_list(merged[index], item)
        else:
            merged[index] = item
    return merged


def _check_vendored(chart: Any, shown: str) -> None:
    """As `helm template` does: every dependency Chart.yaml declares must be in charts/."""
    loaded = {dependency.get("name") for dependency in chart.dependencies}
    missing = [d.get("name", "?") for d in chart.metadata.get("dependencies") or [] if d.get("name") not in loaded]
    if missing:
        raise InputError(
            f"chart {shown}: found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}",
            where=f"{shown}/Chart.yaml",
            hint=f"run `helm dependency build {shown}` where the chart repositories are reachable and keep "
                 "charts/ with the chart: devenv renders offline",
        )


def _enabled_crds(chart: Any, values: dict[str, Any], rendered: dict[str, str]) -> list[_Doc]:
    """The chart's crds/ files, as `--include-crds` prints them, without those of disabled subcharts.

    A subchart whose templates rendered is enabled; one without templates is judged by its dependency's
    `tags` and `condition` as Helm judges them (nested subcharts follow their top-level one).
    """
    crds = chart.crds
    if not crds:
        return []
    root = chart.name
    rendered_charts = {path.split("/templates/", 1)[0] for path in rendered}
    declared = chart.metadata.get("dependencies") or []
    merged: dict[str, Any] | None = None
    docs = []
    for crd in crds:
        owner = crd["filename"].rsplit("/crds/", 1)[0]
        enabled = owner == root or owner in rendered_charts
        if not enabled:
            top = owner.split("/")[2] if owner.startswith(f"{root}/charts/") else ""
            matching = [d for d in declared if top in (d.get("name"), d.get("alias"))]
            if merged is None:
                merged = chart.merge_values(values)
            enabled = not matching or any(_dependency_enabled(d, merged) for d in matching)
        if enabled:
            docs.append(_Doc(crd["filename"], crd["data"], kind="CustomResourceDefinition"))
    return docs


def _dependency_enabled(dependency: dict[str, Any], values: dict[str, Any]) -> bool:
    """Helm's processDependencyTags then processDependencyConditions, for one top-level dependency."""
    enabled = True
    tags = values.get("tags")
    if isinstance(tags, dict):
        flags = [tags[tag] for tag in dependency.get("tags") or [] if isinstance(tags.get(tag), bool)]
        if flags and not any(flags):
            enabled = False
    for path in (dependency.get("condition") or "").strip().split(","):
        value: Any = values if path else None
        for part in path.split(".") if path else []:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):  # the first condition that resolves to a boolean decides
            return value
    return enabled


# --- assembling the output as `helm template` does -----------------------------------------------


def _assemble(rendered: dict[str, str], source: HelmSource, shown: str) -> list[_Doc]:
    """Helm's SortManifests: files in name order, split into documents, hooks apart, each sorted by kind."""
    manifests: list[_Doc] = []
    hooks: list[_Doc] = []
    for path in sorted(rendered):
        content = rendered[path]
        if path.endswith("NOTES.txt") or posixpath.basename(path).startswith("_") or not content.strip():
            continue
        for text in _split_manifests(content):
            try:
                doc = _head(path, text, strict=True)
            except ValueError as exc:
                raise InputError(
                    f"helm template of {shown} failed: YAML parse error on {path}: {exc}",
                    where=_local_file(source, shown, path),
                    hint="the template renders invalid YAML: check the indentation and quoting it produces",
                ) from None
            if doc is not None:
                (hooks if doc.events else manifests).append(doc)
    return _by_kind(manifests) + _by_kind(hooks)


def _split_manifests(content: str) -> list[str]:
    return [part.lstrip() for part in _SPLIT.split(content.lstrip()) if part]


def _head(source: str, text: str, strict: bool) -> _Doc | None:
    """Read kind, name and hook annotations as Helm does; None for a hook of an unknown event (Helm skips it).

    With `strict`, documents Helm itself would refuse raise ValueError; otherwise they count as manifests.
    Only the YAML node tree is built (in C): the fields read are a few scalars, and a full load would cost as
    much again as the render.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if strict:
            raise ValueError(getattr(exc, "problem", None) or str(exc)) from None
        return _Doc(source, text)
    if root is None:
        return _Doc(source, text)
    if not isinstance(root, yaml.MappingNode):
        if strict:
            raise ValueError(f"the document is a {root.id}, not a mapping")
        return _Doc(source, text)
    body = _fields(root)
    metadata = _fields(body.get("metadata"))
    annotations: dict[str, str] = {}
    for key, node in _fields(metadata.get("annotations")).items():
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            annotations[key] = node.value
        elif strict and not (isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG):
            raise ValueError(f"annotation {key} is not a string (quote its value)")
    kind, name = _scalar(body.get("kind")), _scalar(metadata.get("name"))
    hook = annotations.get(HOOK_ANNOTATION)
    if hook is None:
        return _Doc(source, text, kind, name)
    events = tuple(event.strip().lower() for event in hook.split(","))
    if not all(event in HOOK_PHASES for event in events):
        return None
    weight = annotations.get(WEIGHT_ANNOTATION, "")
    return _Doc(source, text, kind, name, events, int(weight) if _INTEGER.fullmatch(weight) else 0)


def _fields(node: Any) -> dict[str, Any]:
    """The entries of a YAML mapping node with scalar keys; {} for anything else."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _scalar(node: Any) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG else ""


def _by_kind(docs: list[_Doc]) -> list[_Doc]:
    """Helm's stable sort by InstallOrder; unknown kinds last, alphabetically."""
    return sorted(docs, key=lambda d: (0, INSTALL_ORDER[d.kind], "") if d.kind in INSTALL_ORDER else (1, 0, d.kind))


def _emit(docs: list[_Doc]) -> str:
    """Manifests in order, then hooks as Helm runs them; test hooks left out."""
    manifests = [doc for doc in docs if not doc.events]
    hooks = [doc for doc in docs if doc.events and not TEST_EVENTS.intersection(doc.events)]
    hooks.sort(key=lambda d: (min(HOOK_PHASES[event] for event in d.events), d.weight, d.name))
    return "".join(f"---\n# Source: {doc.source}\n{doc.text}\n" for doc in manifests + hooks)


# --- errors that point at the file ---------------------------------------------------------------


def _render_failure(source: HelmSource, shown: str, message: str) -> InputError:
    """Helm's own message, where it points (the innermost template and line), and a hint that fits."""
    message = scrub_schema_values(scrub(message, [value for _, value in source.set]))  # values may be secrets
    locations = _LOCATION.findall(message)
    where = shown
    if locations:
        template, line, column = locations[-1]
        where = f"{_local_file(source, shown, template)}:{line}" + (f":{column}" if column else "")
    what = f"helm template of {shown} failed: {message}"
    live = _live_call_site(source, [template for template, _, _ in locations])
    if live or "error calling lookup" in message:
        site = f"{live[0]} calls `{live[1]}`" if live else "the chart calls `lookup`"
        return InputError(
            f"{what}\n{site}, which reads live objects from a cluster. devenv renders offline, as "
            "`helm template` does, so `lookup` returns an empty result (and `getHostByName` an empty address).",
            where=where,
            hint="make the template tolerate an empty result (e.g. `{{ if $found }}...{{ else }}...{{ end }}`), "
                 "or give the value it looks up through the values files or `set` of this environment",
        )
    if "values don't meet the specifications" in message:
        return InputError(what, where=where, hint="fix the values files or `set` overrides of this environment "
                                                  "to match the chart's values.schema.json")
    if "chart requires kubeVersion" in message:
        return InputError(what, where=where, hint="set kube_version for this environment in devenv.toml to the "
                                                  "production cluster's Kubernetes version")
    return InputError(what, where=where, hint="fix the template at the file and line Helm names; "
                                              "`helm template` on the chart shows the same error")


def _live_call_site(source: HelmSource, templates: list[str]) -> tuple[str, str] | None:
    """The first template named in an error that calls a function needing a live cluster."""
    for template in templates:
        path = _chart_file(source, template)
        if path is None:
            continue
        try:
            found = _LIVE_CALL.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            return template, found.group(1)
    return None


def _chart_file(source: HelmSource, template: str) -> Path | None:
    """The local file behind a template name like `mychart/charts/sub/templates/x.yaml`, when there is one."""
    parts = template.split("/")
    if not source.chart.is_dir() or len(parts) < 2:
        return None
    candidate = source.chart.joinpath(*parts[1:])
    return candidate if candidate.is_file() else None


def _local_file(source: HelmSource, shown: str, template: str) -> str:
    return f"{shown}/{template.split('/', 1)[1]}" if _chart_file(source, template) else template


def _check_paths(source: HelmSource, shown: str) -> None:
    if not source.chart.exists():
        raise InputError(f"Helm chart {shown} does not exist", hint="fix the helm path of this environment in devenv.toml")
    if source.chart.is_dir() and not (source.chart / "Chart.yaml").is_file():
        raise InputError(f"{shown} has no Chart.yaml", where=shown,
                         hint="point `helm` in devenv.toml at the chart directory (the one with Chart.yaml)")
    for values in source.values:
        if not values.is_file():
            raise InputError(f"values file {values} does not exist", where=shown,
                             hint="fix the values paths of this environment in devenv.toml")


def _tree_files(folder: Path) -> list[Path]:
    """Every file under `folder`, following symlinked subcharts, each directory once."""
    files: list[Path] = []
    seen: set[str] = set()
    for current, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        files.extend(Path(current, name) for name in names)
    return sorted(files)
