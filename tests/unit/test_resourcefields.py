"""resourceFieldRef values as the kubelet computes them: ceil(quantity / divisor) in millicores for cpu and
bytes otherwise, exactly (no float drift), an unset limit is the local node's allocatable, never 0."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from devenv.translate.quantities import memory_bytes
from devenv.translate.resourcefields import NODE_ALLOCATABLE, resource_field


def value(resources: dict, resource: str, divisor: str | None = None) -> str:
    ref = {"resource": resource, **({"divisor": divisor} if divisor else {})}
    return resource_field([], {"name": "c", "resources": resources}, ref).value


@given(st.integers(1, 64_000), st.sampled_from([1, 10, 100, 250, 1000]))
def test_cpu_in_millicores_rounds_up(millis: int, divisor: int) -> None:
    cpu = f"{millis}m" if millis % 1000 else str(millis // 1000)
    assert value({"limits": {"cpu": cpu}}, "limits.cpu", f"{divisor}m") == str(math.ceil(millis / divisor))


@given(st.integers(1, 10**6))
def test_decimal_cores_are_exact(tenths: int) -> None:
    """0.1 core is 100 millicores, never 101 (a float would make it 100.00000000000001)."""
    assert value({"requests": {"cpu": f"{tenths / 10:.1f}"}}, "requests.cpu", "1m") == str(tenths * 100)


@given(st.integers(1, 2**40), st.sampled_from(["1", "1Ki", "1Mi", "1Gi", "1k", "1M"]))
def test_memory_in_bytes_rounds_up(size: int, divisor: str) -> None:
    assert value({"limits": {"memory": str(size)}}, "limits.memory", divisor) == str(-(-size // memory_bytes(divisor)))


def test_unset_limits_are_the_nodes_allocatable_and_reported() -> None:
    for resource in ("cpu", "memory", "ephemeral-storage"):
        found = resource_field([], {"name": "c"}, {"resource": f"limits.{resource}"})
        assert found.value != "0" and found.approximated
    assert value({}, "limits.memory") == str(memory_bytes(NODE_ALLOCATABLE["memory"]))


def test_unset_requests_default_to_the_limit_else_zero() -> None:
    assert value({"limits": {"memory": "1Gi"}}, "requests.memory", "1Mi") == "1024"
    assert value({}, "requests.cpu") == "0"
    assert resource_field([], {"name": "c"}, {"resource": "requests.cpu"}).approximated == ""


def test_container_name_picks_another_container() -> None:
    other = {"name": "other", "resources": {"limits": {"cpu": "2"}}}
    assert resource_field([other], None, {"containerName": "other", "resource": "limits.cpu", "divisor": "1m"}).value == "2000"
    assert resource_field([other], None, {"containerName": "missing", "resource": "limits.cpu"}).approximated
