"""External endpoints: replaced values keep their keys; ExternalName Services reach the local mock."""

from __future__ import annotations

from devenv.config import External
from tests.unit.translate_helpers import codes, run

MANIFESTS = """
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: shop}
spec: {type: ExternalName, externalName: ledger.bank.example.net}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {app.yaml: "payments: https://api.payments-provider.io/v1\\nmetrics: https://ingest.metrics-saas.io\\n"}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop, labels: {app: app}}
spec:
  containers:
    - name: app
      image: busybox:1.36.1
      env:
        - {name: PAYMENTS_URL, value: "https://api.payments-provider.io/v1"}
        - {name: INTERNAL, value: "http://ledger.shop.svc.cluster.local:8080"}
      volumeMounts: [{name: cfg, mountPath: /etc/app}]
  volumes: [{name: cfg, configMap: {name: cfg}}]
"""
EXTERNALS = (
    External("payments-mock", "https://api.payments-provider.io", "http://payments-mock:8080", "busybox:1.36.1"),
    External("ledger-mock", "ledger.bank.example.net", "ledger-mock", "busybox:1.36.1"),
)


def test_values_are_replaced_keys_kept_and_leaks_flagged() -> None:
    output = run(MANIFESTS, externals=EXTERNALS)
    assert output.services["app"]["environment"]["PAYMENTS_URL"] == "http://payments-mock:8080/v1"
    assert output.services["app"]["environment"]["INTERNAL"] == "http://ledger.shop.svc.cluster.local:8080"
    config = next(f for path, f in output.files.items() if path.endswith("/app.yaml"))
    assert b"payments: http://payments-mock:8080/v1" in config.content
    found = codes(output)
    assert "external-replaced Pod/shop/app spec.containers[0].env[PAYMENTS_URL]" in found
    assert any(c.startswith("external-endpoint Pod/shop/app") and "app.yaml" in c for c in found)  # metrics host
    assert "external-replaced Service/shop/ledger spec.externalName" in found


def test_external_name_service_names_reach_the_mock() -> None:
    output = run(MANIFESTS, externals=EXTERNALS)
    networks = output.services["ledger-mock"]["networks"]
    assert "ledger" in networks["ns-shop"]["aliases"]
    assert "ledger.shop.svc.cluster.local" in networks["cluster"]["aliases"]
    assert output.services["payments-mock"]["networks"]["cluster"]["aliases"] == ["payments-mock"]


def test_unreplaced_external_name_is_a_delta() -> None:
    assert "external-name-service Service/shop/ledger spec.externalName" in codes(run(MANIFESTS))
