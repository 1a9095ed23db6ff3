"""The downward API's `resourceFieldRef`: a container's limits and requests as the kubelet computes them.

The value is the quantity divided by the divisor (default 1), rounded up: `limits.cpu` 250m is `1`, and
`250` with divisor `1m`; `limits.memory` 64Mi with divisor `1Mi` is `64`. A limit that is not set is the
node's allocatable amount (the kubelet's defaulting), never 0: Go reads `GOMEMLIMIT=0` as a zero-byte
limit. Locally there is no node, so a fixed allocatable stands in (deterministic renders) and the value
is reported as approximated. An unset request is 0, or the limit when only the limit is set (the API
server's defaulting).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from devenv.translate.quantities import exact

#: what a local "node" offers when a limit is not set: a mid-size laptop, fixed so renders are deterministic
NODE_ALLOCATABLE = {"cpu": "4", "memory": "8Gi", "ephemeral-storage": "100Gi"}


@dataclass(frozen=True)
class ResourceValue:
    value: str
    approximated: str = ""  # why the value stands in for the node's, "" when it is exact


def resource_field(containers: list[dict[str, Any]], own: dict[str, Any] | None, ref: dict[str, Any]) -> ResourceValue:
    """The value of a resourceFieldRef for container `own` (or `ref.containerName` among `containers`)."""
    name = ref.get("containerName")
    container = own if not name else next((c for c in containers if c.get("name") == name), None)
    if container is None:
        return ResourceValue("0", f"container {name!r} is not in the pod" if name else "no containerName given")
    section, _, resource = str(ref.get("resource", "")).partition(".")
    resources = container.get("resources") or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    approximated = ""
    if section == "limits":
        amount = limits.get(resource)
        if amount is None and resource in NODE_ALLOCATABLE:
            amount = NODE_ALLOCATABLE[resource]
            approximated = f"limits.{resource} is not set: the node's allocatable ({amount} locally)"
    else:
        amount = requests.get(resource, limits.get(resource))
    quantity = exact(str(amount)) if amount is not None else Decimal(0)
    divisor = exact(str(ref.get("divisor") or "1")) or Decimal(1)
    if resource == "cpu":  # the kubelet divides millicores by millicores
        quantity, divisor = (quantity * 1000).to_integral_value(ROUND_CEILING), (divisor * 1000).to_integral_value(
            ROUND_CEILING)
    else:
        quantity, divisor = quantity.to_integral_value(ROUND_CEILING), divisor.to_integral_value(ROUND_CEILING)
    return ResourceValue(str(int((quantity / max(divisor, Decimal(1))).to_integral_value(ROUND_CEILING))),
                         approximated)
