"""Start order on arbitrary reference graphs: the waits Compose gets never form a cycle (the stack can
always start), a one-shot always waits for every server it dials, and each wait dropped is reported."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.translate_helpers import run

APP = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: s{i}}}
spec:
  selector: {{matchLabels: {{app: s{i}}}}}
  template:
    metadata: {{labels: {{app: s{i}}}}}
    spec:
      containers: [{{name: c, image: example/a:1, env: [{env}]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: s{i}}}
spec: {{selector: {{app: s{i}}}, ports: [{{port: 80}}]}}
"""
JOB = """apiVersion: batch/v1
kind: Job
metadata: {{name: j{i}}}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: example/j:1, env: [{env}]}}]
"""


def _env(targets: list[int]) -> str:
    return ", ".join(f'{{name: T{t}, value: "http://s{t}:80"}}' for t in targets)


graphs = st.integers(2, 7).flatmap(lambda apps: st.tuples(
    st.just(apps),
    st.lists(st.lists(st.integers(0, apps - 1), max_size=3), min_size=apps, max_size=apps),
    st.lists(st.lists(st.integers(0, apps - 1), min_size=1, max_size=3), max_size=3),
))


def _acyclic(edges: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2:
            return True
        state[node] = 1
        ok = all(visit(n) for n in edges.get(node, ()))
        state[node] = 2
        return ok

    return all(visit(n) for n in edges)


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_waits_never_cycle_and_one_shots_wait_for_their_servers(graph: tuple[int, list[list[int]], list[list[int]]]) -> None:
    apps, app_refs, job_refs = graph
    text = "---\n".join([APP.format(i=i, env=_env(refs)) for i, refs in enumerate(app_refs)]
                        + [JOB.format(i=i, env=_env(refs)) for i, refs in enumerate(job_refs)])
    output = run(text)
    edges = {name: set(service.get("depends_on") or {}) for name, service in output.services.items()}
    assert _acyclic(edges)
    for index, refs in enumerate(job_refs):
        assert {f"s{r}" for r in refs} <= edges[f"j{index}"], "a one-shot waits for every server it dials"
    wanted = sum(1 for i, refs in enumerate(app_refs) for r in set(refs) if r != i)
    kept = sum(1 for i in range(apps) for r in set(app_refs[i]) if r != i and f"s{r}" in edges[f"s{i}"])
    dropped = [d for d in output.deltas if d.code == "start-order-cycle" and "dials Service" in d.prod]
    assert kept + len(dropped) == wanted, "every wait between servers is kept or reported"
