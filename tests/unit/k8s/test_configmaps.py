"""devenv.k8s.configmaps: what translation and the parity diff both read from a ConfigMap."""

from __future__ import annotations

from devenv.k8s.configmaps import binary_data, configmap_data, text_data
from devenv.k8s.manifest import Manifest, Origin


def configmap(**body: object) -> Manifest:
    return Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, **body}, Origin("t.yaml"))


def test_text_values_with_null_read_as_empty():
    cm = configmap(data={"A": "1", "B": None, 3: 4})
    assert text_data(cm) == {"A": "1", "B": "", "3": "4"}


def test_binary_values_kept_as_base64_text_or_decoded():
    cm = configmap(data={"A": "x"}, binaryData={"logo.png": "iVBORw0K"})
    assert binary_data(cm) == {"logo.png": "iVBORw0K"}
    assert configmap_data(cm) == {"A": b"x", "logo.png": b"\x89PNG\r\n"}


def test_a_key_in_both_reads_the_binary_value():
    assert configmap_data(configmap(data={"K": "text"}, binaryData={"K": "Ynl0ZXM="})) == {"K": b"bytes"}


def test_empty_configmap():
    assert configmap_data(configmap()) == {} and text_data(configmap(data=None)) == {}
