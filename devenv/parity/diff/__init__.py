"""`devenv diff ENV_A ENV_B`: what a release manager must know between two environments' manifests.

Objects are matched by kind, namespace and name; ConfigMap and Secret names lose Kustomize's hash
suffix (`api-config-7k2m9g4b5c` matches `api-config-2h8f6d4c9t`). Deltas reuse the delta model: `prod`
is ENV_B's side, `local` is ENV_A's side (renderers call them by the environments' names). Secret
values are never read: only Secret keys are compared.

`differ` walks the objects and compares them per kind; `side` says what a container of one environment
sees and where each of its variables and files comes from; `values` compares single values.
"""

from __future__ import annotations

from devenv.parity.diff.differ import diff_environments
from devenv.parity.diff.values import base_name

__all__ = ["base_name", "diff_environments"]
