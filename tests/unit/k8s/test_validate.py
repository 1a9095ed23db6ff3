"""Every object is judged by the Kubernetes API's schema and the API server's own rules before translation:
one case per rule, each a manifest and the fragments its one-paragraph message must contain (None: valid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.errors import InputError
from devenv.k8s.schemas import schema_for
from devenv.k8s.validate import field_path, validate_manifests
from devenv.k8s.yamlio import parse_manifests
from tests.unit.k8s.fuzz import CORPUS, corpus_objects

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      {pod}
      containers:
        - name: web
          image: nginx:1.27
          {container}
"""
SERVICE = """apiVersion: v1
kind: Service
metadata: {{name: web}}
spec: {{selector: {{app: web}}, ports: {ports}}}
"""
C = "spec.template.spec.containers[0]"


def deployment(container: str = "", pod: str = "") -> str:
    return DEPLOYMENT.format(container=container, pod=pod)


# (case id, manifest, fragments of the message; None: the object is valid)
CASES: list[tuple[str, str, list[str] | None]] = [
    ("valid-deployment", deployment("ports: [{containerPort: 80, name: http}]"), None),
    # the schema: types, unknown fields, required fields
    ("container-port-name", deployment("ports: [{containerPort: http}]"),
     ["Deployment/shop/web", f"{C}.ports[0].containerPort", "must be an integer", 'not the string "http"',
      "named port goes in the port's `name`"]),
    ("period-in-words", deployment("readinessProbe: {periodSeconds: ten, tcpSocket: {port: 80}}"),
     [f"{C}.readinessProbe.periodSeconds", "must be an integer", '"ten"']),
    ("quoted-grace-period", deployment(pod="terminationGracePeriodSeconds: '30'"),
     ["spec.template.spec.terminationGracePeriodSeconds", "must be an integer", "write 30 without quotes"]),
    ("quoted-replicas", deployment().replace("replicas: 2", 'replicas: "3"'),
     ["spec.replicas must be an integer", "write 3 without quotes"]),
    ("list-for-a-string", deployment().replace("image: nginx:1.27", "image: [nginx]"),
     [f"{C}.image must be a string, not a list", "write a single string"]),
    ("dict-for-a-list", deployment("env: {A: b}"), [f"{C}.env must be a list, not a mapping"]),
    ("list-for-a-dict", deployment("resources: [cpu]"), [f"{C}.resources must be a mapping, not a list"]),
    ("capability-string", deployment("securityContext: {capabilities: {add: NET_ADMIN}}"),
     [f"{C}.securityContext.capabilities.add must be a list", '"NET_ADMIN"', "even of one item"]),
    ("typo-in-a-field", deployment("imagePullPolcy: Always"),
     [f"{C}.imagePullPolcy is not a field of Container", "did you mean 'imagePullPolicy'?"]),
    ("label-value-list", deployment().replace("labels: {app: web}", "labels: {app: [web]}"),
     ["spec.template.metadata.labels.app must be a string"]),
    ("missing-required", SERVICE.format(ports="[{name: http}]"), ["spec.ports[0].port is required"]),
    ("null-list-item", deployment("env: [null]"), [f"{C}.env[0] is null", "remove the empty item"]),
    ("int-or-string-list", SERVICE.format(ports="[{port: 80, targetPort: [80]}]"),
     ["spec.ports[0].targetPort must be a string or an integer, not a list"]),
    ("quantity-mapping", deployment("resources: {limits: {cpu: {m: 500}}}"),
     [f"{C}.resources.limits.cpu must be a string or a number"]),
    ("invalid-base64", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbinaryData: {logo.png: 'not base64!'}\n",
     ['binaryData["logo.png"] is not valid base64', "stringData"]),
    ("secret-data-base64", "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: hunter2!}\n",
     ["data.password is not valid base64"]),
    ("several-problems", deployment("ports: [{containerPort: http}]").replace("replicas: 2", "replicas: two"),
     ["and 1 more problem in this object"]),
    # null is "unset", as the API server reads it (Helm renders an empty value as null)
    ("null-scalars", deployment("resources: {limits: {cpu: null}}\n          securityContext: {runAsUser: null}",
                                "terminationGracePeriodSeconds: null"), None),
    ("null-target-port", SERVICE.format(ports="[{port: 80, targetPort: null}]"), None),
    # the API server's rules beyond the schema
    ("name-with-space", deployment().replace("name: web, namespace", "name: my web, namespace"),
     ["metadata.name 'my web' is not a DNS-1123 subdomain"]),
    ("upper-case-name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Config}\n", ["is not a DNS-1123 subdomain"]),
    ("service-name-starts-with-digit", SERVICE.format(ports="[{port: 80}]").replace("name: web", "name: 1web"),
     ["metadata.name '1web' is not a DNS-1035 label", "starting with a letter"]),
    ("namespace-dots", deployment().replace("namespace: shop", "namespace: shop.eu"),
     ["metadata.namespace 'shop.eu' is not a DNS-1123 label"]),
    ("rbac-names-have-colons", ("apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                                "metadata: {name: 'system:reader'}\nrules: []\n"), None),
    ("slash-in-any-name", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a/b}\n",
     ["metadata.name 'a/b' cannot be an object name"]),
    ("bad-label-key", deployment().replace("labels: {app: web}", "labels: {'my app': web}"),
     ["spec.template.metadata.labels[\"my app\"] 'my app' is not a valid key"]),
    ("bad-label-value", deployment().replace("labels: {app: web}", "labels: {app: 'web server'}"),
     ["'web server' is not a valid label value"]),
    ("missing-image", deployment().replace("image: nginx:1.27", "imagePullPolicy: Always"),
     [f"{C}.image is required"]),
    ("duplicate-container", deployment().replace("image: nginx:1.27", "image: nginx:1.27\n        - {name: web, image: b}"),
     ["spec.template.spec.containers[1].name 'web' is the name of another container"]),
    ("duplicate-init-and-app", deployment(pod="initContainers: [{name: web, image: busybox}]"),
     [f"{C}.name 'web' is the name of another container"]),
    ("container-name-space", deployment().replace("- name: web", "- name: web server"),
     [f"{C}.name 'web server' is not a DNS-1123 label"]),
    ("no-containers", deployment().replace("containers:\n        - name: web\n          image: nginx:1.27",
                                           "containers: []"), ["spec.template.spec.containers is empty"]),
    ("port-out-of-range", deployment("ports: [{containerPort: 70000}]"),
     [f"{C}.ports[0].containerPort is 70000", "between 1 and 65535"]),
    ("port-name-too-long", deployment("ports: [{containerPort: 80, name: a-very-long-port-name}]"),
     ["'a-very-long-port-name' is not a port name"]),
    ("protocol", deployment("ports: [{containerPort: 80, protocol: tcp}]"), [f"{C}.ports[0].protocol is 'tcp'"]),
    ("pull-policy", deployment("imagePullPolicy: always"), [f"{C}.imagePullPolicy is 'always'"]),
    ("restart-policy", deployment(pod="restartPolicy: Sometimes"), ["restartPolicy is 'Sometimes'"]),
    ("app-container-restart-policy", deployment("restartPolicy: Always"), ["only an init container"]),
    ("env-name-with-equals", deployment("env: [{name: 'A=B', value: x}]"),
     [f"{C}.env[0].name 'A=B' is not an environment variable name"]),
    ("capability-name", deployment("securityContext: {capabilities: {add: ['NET ADMIN']}}"),
     ["'NET ADMIN' is not a capability name"]),
    ("quantity-words", deployment("resources: {limits: {memory: lots}}"),
     [f"{C}.resources.limits.memory 'lots' is not a Kubernetes quantity"]),
    ("two-probe-handlers", deployment("readinessProbe: {tcpSocket: {port: 80}, exec: {command: ['true']}}"),
     [f"{C}.readinessProbe has 2 handlers (exec, tcpSocket)"]),
    ("no-probe-handler", deployment("livenessProbe: {periodSeconds: 5}"), ["livenessProbe has 0 handlers"]),
    ("probe-port-name", deployment("readinessProbe: {httpGet: {port: 'HTTP PORT'}}"),
     ["readinessProbe.httpGet.port 'HTTP PORT' is neither a port number nor a port name"]),
    ("negative-period", deployment("readinessProbe: {periodSeconds: -5, tcpSocket: {port: 80}}"),
     ["readinessProbe.periodSeconds is -5"]),
    ("negative-replicas", deployment().replace("replicas: 2", "replicas: -1"), ["spec.replicas is -1"]),
    ("mount-without-volume", deployment("volumeMounts: [{name: data, mountPath: /data}]"),
     [f"{C}.volumeMounts[0].name names 'data', which is not a volume of this pod"]),
    ("mount-twice", deployment("volumeMounts: [{name: d, mountPath: /d}, {name: d, mountPath: /d}]",
                               "volumes: [{name: d, emptyDir: {}}]"), ["'/d' is mounted twice"]),
    ("duplicate-volume", deployment(pod="volumes: [{name: d, emptyDir: {}}, {name: d, emptyDir: {}}]"),
     ["spec.template.spec.volumes[1].name 'd' is the name of another volume"]),
    ("volume-two-sources", deployment(pod="volumes: [{name: d, emptyDir: {}, configMap: {name: c}}]"),
     ["volumes[0] has 2 sources (configMap, emptyDir)"]),
    ("host-alias-ip", deployment(pod="hostAliases: [{ip: 'x; rm', hostnames: [a]}]"),
     ["hostAliases[0].ip 'x; rm' is not an IP address"]),
    ("claim-template-mounts", """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16, volumeMounts: [{name: data, mountPath: /var/lib/data}]}]}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: [ReadWriteOnce]}}]
""", None),
    ("service-ports-unnamed", SERVICE.format(ports="[{port: 80}, {port: 443}]"),
     ["spec.ports[0].name is required when a Service has several ports"]),
    ("service-port-zero", SERVICE.format(ports="[{port: 0}]"), ["spec.ports[0].port is 0"]),
    ("service-target-port-zero", SERVICE.format(ports="[{port: 80, targetPort: 0}]"), None),
    ("service-type", SERVICE.format(ports="[{port: 80}]").replace("selector", "type: Cluster, selector"),
     ["spec.type is 'Cluster'"]),
    ("config-key-traversal", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {'../etc': x}\n",
     ["data[\"../etc\"] '../etc' is not a valid key", "file names"]),
    ("config-key-in-both", ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: x}\n"
                            "binaryData: {a: eA==}\n"), ["binaryData.a 'a' is also a key of data"]),
    # kinds the API does not define: their metadata, and the fields devenv reads from them
    ("custom-resource", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {anything: [1, {a: b}]}\n",
     None),
    ("custom-resource-labels", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: [a]}\n",
     ["Widget/default/w: metadata.labels must be a mapping, not a list"]),
    ("knative-service", ("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: hello}\n"
                         "spec: {template: {spec: {containers: [{image: hello}]}}}\n"), None),
    ("old-deployment-api", deployment().replace("apps/v1", "apps/v1beta2"), None),
    ("old-deployment-api-checked", deployment("ports: [{containerPort: http}]").replace("apps/v1", "extensions/v1beta1"),
     ["containerPort must be an integer"]),
    ("deployment-config", """apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: web}
spec: {template: {spec: {containers: [{name: web, image: nginx, ports: [{containerPort: http}]}]}}}
""", ["spec.template.spec.containers[0].ports[0].containerPort must be an integer"]),
    ("sealed-secret-key", ("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\n"
                           "spec: {encryptedData: {'../x': AgB}}\n"), ["spec.encryptedData[\"../x\"] '../x' is not a valid key"]),
    ("external-secret-shape", ("apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\n"
                               "metadata: {name: s}\nspec: {data: secretKey}\n"), ["spec.data must be a list"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_an_object_is_accepted_or_refused_with_one_clear_message(case: tuple[str, str, list[str] | None]) -> None:
    _, text, fragments = case
    manifests = parse_manifests(text, "k8s/app.yaml")
    if fragments is None:
        validate_manifests(manifests)
        return
    with pytest.raises(InputError) as caught:
        validate_manifests(manifests)
    message = f"{caught.value} hint: {caught.value.hint}"
    assert "k8s/app.yaml (document 1)" in message and caught.value.hint
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


@pytest.mark.parametrize("api_version, kind, official", [
    ("apps/v1", "Deployment", True), ("extensions/v1beta1", "Deployment", True), ("v1", "Service", True),
    ("serving.knative.dev/v1", "Service", False), ("example.com/v1", "Widget", False),
    ("apps.openshift.io/v1", "DeploymentConfig", False),
])
def test_which_schema_judges_a_kind(api_version: str, kind: str, official: bool) -> None:
    assert schema_for(api_version, kind).official is official


def test_the_message_names_the_document() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n" + deployment("ports: [{containerPort: x}]")
    with pytest.raises(InputError) as caught:
        validate_manifests(parse_manifests(text, "k8s/app.yaml"))
    assert caught.value.where == "k8s/app.yaml (document 2)"


def test_scalar_keys_become_strings_as_the_api_server_reads_them() -> None:
    manifests = parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {8080: a, true: b}\n",
                                "c.yaml")
    assert validate_manifests(manifests) is False  # not clean: this text is validated again next time
    assert manifests[0].body["data"] == {"8080": "a", "true": "b"}


@pytest.mark.parametrize("value", ["!!binary aGVsbG8=", "!!set {a, b}", "!!timestamp 2024-01-01"])
def test_values_json_cannot_hold_are_refused(value: str) -> None:
    manifests = parse_manifests(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata: {{a: {value}}}\n",
                                "c.yaml")
    with pytest.raises(InputError, match="data.a is a YAML"):
        validate_manifests(manifests)


def test_field_paths_quote_keys_that_are_not_words() -> None:
    assert field_path(["spec", "containers", 0, "env", 2, "name"]) == "spec.containers[0].env[2].name"
    assert field_path(["metadata", "labels", "app.kubernetes.io/name"]) == 'metadata.labels["app.kubernetes.io/name"]'


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")
def test_every_corpus_object_is_valid() -> None:
    count = 0
    for source, _ in corpus_objects():
        manifests = parse_manifests((CORPUS / source).read_text(), source)
        validate_manifests(manifests)
        count += len(manifests)
    assert count > 100


def test_the_bundled_example_is_valid() -> None:
    root = Path(__file__).resolve().parents[3] / "examples"
    files = [p for p in root.rglob("*.yaml") if "patches" not in p.parts and p.name != "kustomization.yaml"
             and "deploy" in p.parts]
    assert files
    for file in files:
        validate_manifests(parse_manifests(file.read_text(), str(file)))
