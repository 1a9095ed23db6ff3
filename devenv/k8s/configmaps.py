"""A ConfigMap's contents as a pod reads them: text values from `data`, bytes from `binaryData`.

Translation materializes the decoded bytes; the parity diff compares the text and only describes binary
values (their base64 length), so each reads what it needs from the same place.
"""

from __future__ import annotations

import base64

from devenv.k8s.manifest import Manifest


def text_data(manifest: Manifest) -> dict[str, str]:
    """The `data` entries, a null value read as the empty string (as the API server stores it)."""
    return {str(key): "" if value is None else str(value) for key, value in (manifest.body.get("data") or {}).items()}


def binary_data(manifest: Manifest) -> dict[str, str]:
    """The `binaryData` entries as written: base64 text, not decoded."""
    return {str(key): str(value) for key, value in (manifest.body.get("binaryData") or {}).items()}


def configmap_data(manifest: Manifest) -> dict[str, bytes]:
    """Every key a pod sees, with the bytes of its file: `data` encoded as UTF-8, `binaryData` decoded
    (a key in both reads the binary value, as the last one written)."""
    data = {key: value.encode() for key, value in text_data(manifest).items()}
    for key, value in binary_data(manifest).items():
        data[key] = base64.b64decode(value)
    return data
