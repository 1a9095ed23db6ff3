"""Secrets at rest: no Secret value of a manifest, a values file or a `set` override is ever written by devenv
(render cache, compose.yaml, files/, the state directory, reports), and what devenv keeps under `.devenv/` is
private (0700/0600, whatever the umask) and ignored by git.

The project under test carries a Kustomize overlay (a secretGenerator literal, a Secret with `data` and
`stringData`, a SealedSecret, an ExternalSecret with a template), a Helm chart (a secret in values.yaml, in a
values file and in a `set` override) and plain manifests, every Secret consumed by env, envFrom and a volume.
Every devenv command runs in a child process with umask 000, then every file devenv wrote is searched for
each secret in plain, base64 and URL-encoded form.
"""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from devenv.sources.tools import find_kustomize

pytestmark = pytest.mark.skipif(find_kustomize() is None, reason="neither kustomize nor kubectl is installed")

#: one distinct value per place a production secret can come from; '/', '+' and '@' make the URL-encoded
#: form differ from the plain one
SECRETS = {
    "kustomize secretGenerator literal": "kz-literal/Q7+w@5501",
    "kustomize secretGenerator env file": "kz-envfile/R8+x@5502",
    "Secret data (base64 in the manifest)": "kz-data/S9+y@5503",
    "Secret stringData": "kz-string/T1+z@5504",
    "SealedSecret encryptedData": "AgBkz0sealed0T2zU5505",
    "SealedSecret template data": "kz-sealed-template/U3+a@5506",
    "ExternalSecret template data": "kz-external/V4+b@5507",
    "Helm values.yaml": "helm-values/W5+c@5508",
    "Helm values file": "helm-values-file/X6+d@5509",
    "Helm set override": "helm-set/Y7+e@5510",
    "plain Secret stringData": "plain-string/Z8+f@5511",
}
#: values that differ between the two plain environments diffed below (same keys, other values)
OTHER_PLAIN = "plain-other/A9+g@5512"


def forms(value: str) -> dict[str, str]:
    """The ways a value can be spelled in a file: as it is, base64 (as in Secret `data`), URL-encoded."""
    return {"plain": value, "base64": base64.b64encode(value.encode()).decode(),
            "url-encoded": urllib.parse.quote(value, safe="")}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


KUSTOMIZATION = f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources:
  - app.yaml
secretGenerator:
  - name: generated
    literals:
      - password={SECRETS["kustomize secretGenerator literal"]}
    envs:
      - prod.env
"""

OVERLAY_APP = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: static
data:
  token: {b64(SECRETS["Secret data (base64 in the manifest)"])}
stringData:
  apikey: "{SECRETS["Secret stringData"]}"
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: sealed
spec:
  encryptedData:
    pw: {SECRETS["SealedSecret encryptedData"]}
  template:
    metadata:
      name: sealed
    data:
      static-part: "{SECRETS["SealedSecret template data"]}"
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: external
spec:
  secretStoreRef: {{name: vault, kind: ClusterSecretStore}}
  target:
    name: external
    template:
      data:
        dsn: "postgres://app:{SECRETS["ExternalSecret template data"]}@db/app"
  data:
    - secretKey: password
      remoteRef: {{key: prod/app, property: password}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: busybox:1.36.1
          command: ["sleep", "3600"]
          env:
            - name: TOKEN
              valueFrom: {{secretKeyRef: {{name: static, key: token}}}}
            - name: SEALED
              valueFrom: {{secretKeyRef: {{name: sealed, key: pw}}}}
            - name: DSN
              valueFrom: {{secretKeyRef: {{name: external, key: dsn}}}}
          envFrom:
            - secretRef: {{name: generated}}
          volumeMounts:
            - {{name: static, mountPath: /etc/static}}
            - {{name: mixed, mountPath: /etc/mixed}}
      volumes:
        - name: static
          secret: {{secretName: static}}
        - name: mixed
          projected:
            sources:
              - secret: {{name: generated}}
              - secret: {{name: sealed}}
"""

CHART = """\
apiVersion: v2
name: app
version: 0.1.0
"""

CHART_VALUES = f"""\
db:
  password: "{SECRETS["Helm values.yaml"]}"
api:
  key: ""
mail:
  password: ""
"""

CHART_SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-creds
type: Opaque
data:
  db-password: {{ .Values.db.password | b64enc | quote }}
  mail-password: {{ .Values.mail.password | b64enc | quote }}
stringData:
  api-key: {{ .Values.api.key | quote }}
"""

CHART_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: busybox:1.36.1
          command: ["sleep", "3600"]
          env:
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: {{ .Release.Name }}-creds, key: db-password}}
          envFrom:
            - secretRef: {name: {{ .Release.Name }}-creds}
          volumeMounts:
            - {name: creds, mountPath: /run/creds}
      volumes:
        - name: creds
          secret: {secretName: {{ .Release.Name }}-creds, defaultMode: 0440}
"""

PLAIN = """\
apiVersion: v1
kind: Secret
metadata:
  name: plain
stringData:
  password: "{password}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector: {{matchLabels: {{app: worker}}}}
  template:
    metadata:
      labels: {{app: worker}}
    spec:
      containers:
        - name: worker
          image: busybox:1.36.1
          command: ["sleep", "3600"]
          env:
            - name: PASSWORD
              valueFrom: {{secretKeyRef: {{name: plain, key: password}}}}
          volumeMounts:
            - {{name: plain, mountPath: /run/plain}}
      volumes:
        - name: plain
          secret: {{secretName: plain}}
"""

CONFIG = f"""\
[project]
name = "atrest"
mirror = "kz"

[envs.kz]
kustomize = "deploy"

[envs.chart]
helm = "chart"
values = ["prod-values.yaml"]
set = {{ "api.key" = "{SECRETS["Helm set override"]}" }}
release = "shop"

[envs.plain]
manifests = ["plain/a.yaml"]

[envs.plain-other]
manifests = ["plain/b.yaml"]
"""


def write_project(root: Path) -> set[Path]:
    """The project's own input files (what the developer wrote); returns their paths."""
    files = {
        "devenv.toml": CONFIG,
        "deploy/kustomization.yaml": KUSTOMIZATION,
        "deploy/app.yaml": OVERLAY_APP,
        "deploy/prod.env": f"smtp={SECRETS['kustomize secretGenerator env file']}\n",
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": CHART_VALUES,
        "chart/templates/secret.yaml": CHART_SECRET,
        "chart/templates/deployment.yaml": CHART_DEPLOYMENT,
        "prod-values.yaml": f'mail:\n  password: "{SECRETS["Helm values file"]}"\n',
        "plain/a.yaml": PLAIN.format(password=SECRETS["plain Secret stringData"]),
        "plain/b.yaml": PLAIN.format(password=OTHER_PLAIN),
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {root / relative for relative in files}


def devenv(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`devenv --config ROOT/devenv.toml ARGS...` in a child process with umask 000 (the loosest)."""
    return subprocess.run([sys.executable, "-m", "devenv", "--config", str(root / "devenv.toml"), *args],
                          capture_output=True, text=True, cwd=root, umask=0, timeout=120, check=False)


def leaks(root: Path, inputs: set[Path]) -> list[str]:
    """Every (file, secret, form) found in a file under `root` that is not one of the project's inputs (in its
    content or its name)."""
    found = []
    wanted = {**SECRETS, "other plain": OTHER_PLAIN}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p not in inputs):
        content = path.read_bytes() + str(path.relative_to(root)).encode()
        for what, value in wanted.items():
            for form, text in forms(value).items():
                if text.encode() in content:
                    found.append(f"{path.relative_to(root)}: {what} ({form})")
    return found


def text_leaks(text: str) -> list[str]:
    return [f"{what} ({form})" for what, value in {**SECRETS, "other": OTHER_PLAIN}.items()
            for form, spelled in forms(value).items() if spelled in text]


def test_the_inputs_really_carry_every_secret(tmp_path: Path) -> None:
    inputs = write_project(tmp_path)
    text = "".join(p.read_text() for p in inputs)
    assert all(value in text or b64(value) in text for value in SECRETS.values())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Path], dict[str, bytes]]:
    """The project rendered twice per environment (cold, then from the render cache), with its compose files."""
    root = tmp_path_factory.mktemp("atrest")
    inputs = write_project(root)
    composes: dict[str, bytes] = {}
    for env in ("kz", "chart", "plain"):
        out = root / "out" / env
        cold = devenv(root, "render", "--env", env, "--out", str(out))
        assert cold.returncode == 0, cold.stderr
        first = (out / "compose.yaml").read_bytes()
        warm = devenv(root, "render", "--env", env, "--out", str(out))
        assert warm.returncode == 0, warm.stderr
        if env != "plain":
            assert "renderer cache hit" in warm.stdout
        assert (out / "compose.yaml").read_bytes() == first, "a warm render must write the same compose file"
        composes[env] = first
    return root, inputs, composes


def test_no_secret_value_at_rest_after_cold_and_warm_renders(rendered) -> None:
    root, inputs, _ = rendered
    assert list((root / ".devenv" / "cache" / "render").glob("*")), "the render cache was used"
    assert leaks(root, inputs) == []


def test_the_secrets_are_consumed_with_local_values(rendered) -> None:
    """The translation still sees every key: each variable and mounted file exists, with a local value."""
    root, _, composes = rendered
    kz = composes["kz"].decode()
    for variable in ("TOKEN", "SEALED", "DSN", "password", "smtp"):
        assert f"{variable}:" in kz or f"{variable}=" in kz, variable
    chart = composes["chart"].decode()
    for variable in ("DB_PASSWORD", "api-key", "db-password", "mail-password"):
        assert variable in chart, variable
    mounted = {p.name for p in (root / ".devenv" / "files").rglob("*") if p.is_file()}
    assert {"token", "apikey", "password", "smtp", "pw", "api-key", "db-password"} <= mounted


def test_secret_volumes_live_in_the_state_directory_only(rendered) -> None:
    root, _, _ = rendered
    for env in ("kz", "chart", "plain"):
        files = root / "out" / env / "files"
        names = {p.name for p in files.rglob("*")} if files.is_dir() else set()
        assert not names & {"token", "apikey", "password", "smtp", "pw", "api-key", "db-password"}


def test_state_directory_is_private_and_ignored(rendered) -> None:
    root, _, _ = rendered
    state = root / ".devenv"
    assert (state / ".gitignore").read_text() == "*\n"
    loose = []
    for path in [state, *state.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_relative_to(state / "files") and path != state / "files":
            continue  # Secret volumes: the modes a pod sees (checked below)
        if mode != (0o700 if path.is_dir() else 0o600):
            loose.append(f"{path.relative_to(root)} {oct(mode)}")
    assert loose == []


def test_secret_volume_files_keep_the_modes_a_pod_sees(rendered) -> None:
    """Bind-mounted into the container, a Secret volume must be readable as in Kubernetes (defaultMode, 0644
    unless given); other host users cannot reach it: `.devenv/` and `.devenv/files/` are 0700."""
    root, _, _ = rendered
    files = root / ".devenv" / "files"
    assert stat.S_IMODE(files.stat().st_mode) == 0o700
    creds = next(files.rglob("db-password"))
    assert stat.S_IMODE(creds.stat().st_mode) == 0o440
    token = next(files.rglob("token"))
    assert stat.S_IMODE(token.stat().st_mode) == 0o644
    assert stat.S_IMODE(token.parent.stat().st_mode) == 0o755


def test_git_ignores_the_state_directory(rendered) -> None:
    root, _, _ = rendered
    if subprocess.run(["git", "--version"], capture_output=True, check=False).returncode != 0:
        pytest.fail("git is needed for this test")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert listed and not [name for name in listed if name.startswith(".devenv/")]


@pytest.mark.parametrize("args", [("report", "--env", "kz", "--format", "json"),
                                  ("report", "--env", "chart", "--format", "markdown"),
                                  ("report", "--env", "plain"),
                                  ("diff", "kz", "chart", "--format", "json"),
                                  ("diff", "plain", "plain-other"),
                                  ("diff", "plain-other", "plain", "--format", "markdown")],
                         ids=" ".join)
def test_reports_and_diffs_never_show_a_secret_value(rendered, args: tuple[str, ...]) -> None:
    root, inputs, _ = rendered
    done = devenv(root, *args)
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout.strip()
    assert text_leaks(done.stdout + done.stderr) == []
    assert leaks(root, inputs) == []


def test_existing_loose_modes_are_tightened(tmp_path: Path) -> None:
    """A state directory left by an older devenv (0755, 0644 files, a cache with secrets in clear) is made
    private on the next run, and the old cache entries are removed."""
    inputs = write_project(tmp_path)
    state = tmp_path / ".devenv"
    (state / "cache" / "render").mkdir(parents=True)
    old = state / "cache" / "render" / ("0" * 64 + ".yaml")
    old.write_text(f"kind: Secret\nstringData: {{a: {SECRETS['Secret stringData']}}}\n")
    (state / "ports.json").write_text("{}")
    for path in (state, state / "cache", state / "cache" / "render"):
        path.chmod(0o755)
    for path in (old, state / "ports.json"):
        path.chmod(0o644)
    done = devenv(tmp_path, "render", "--env", "kz")
    assert done.returncode == 0, done.stderr
    assert not old.exists()
    assert leaks(tmp_path, inputs) == []
    assert stat.S_IMODE((state / "ports.json").stat().st_mode) == 0o600
    for path in (state, state / "cache", state / "cache" / "render"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


SCHEMA = '{"type": "object", "properties": {"password": {"type": "string", "pattern": "^[0-9]+$"}}}'


@pytest.mark.parametrize("values, overrides", [
    ("", 'set = { "password" = "helm-set/Y7+e@5510,tail-of-the-secret" }'),  # not `helm --set` syntax
    ('values = ["prod-values.yaml"]', ""),  # a values file breaking the chart's values.schema.json
    ("", 'set = { "password" = "helm-set/Y7+e@5510" }'),  # a `set` value breaking it
], ids=["set-syntax", "schema-values-file", "schema-set"])
def test_helm_errors_never_show_a_secret_value(tmp_path: Path, values: str, overrides: str) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART)
    (chart / "values.yaml").write_text('password: "1234"\n')
    (chart / "values.schema.json").write_text(SCHEMA)
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    (tmp_path / "prod-values.yaml").write_text(f'password: "{SECRETS["Helm values file"]}"\n')
    (tmp_path / "devenv.toml").write_text(f'[envs.prod]\nhelm = "chart"\n{values}\n{overrides}\n')
    done = devenv(tmp_path, "render")
    assert done.returncode == 2, done.stderr
    assert "password" in done.stderr  # the error still names what to fix
    assert text_leaks(done.stdout + done.stderr) == []
    assert "tail-of-the-secret" not in done.stderr


@pytest.mark.parametrize("generator", [
    f'    literals:\n      - "{SECRETS["kustomize secretGenerator literal"]}"\n',  # no '=': Kustomize quotes it
    f'    literals:\n      - a={SECRETS["kustomize secretGenerator literal"]}\n      - ="x"\n',
], ids=["literal-without-key", "empty-key"])
def test_kustomize_errors_never_show_a_generator_secret(tmp_path: Path, generator: str) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "kustomization.yaml").write_text(f"secretGenerator:\n  - name: broken\n{generator}")
    (tmp_path / "devenv.toml").write_text('[envs.prod]\nkustomize = "deploy"\n')
    done = devenv(tmp_path, "render")
    assert done.returncode == 2, done.stderr
    assert "literal" in done.stderr or "key" in done.stderr  # Kustomize's own reason is still shown
    assert text_leaks(done.stdout + done.stderr) == []
