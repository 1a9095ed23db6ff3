"""The bundled example, for real: `devenv up` of the prod overlay, the web -> api -> PostgreSQL chain
answering, the CronJob on demand, clean down. The example's devenv.toml names the real public images
(a laptop pulls them); the copy run here gets the stand-ins' [mirrors] table appended, as a developer
behind a registry mirror would write it, and its recommender build gets the stand-in Python base."""

from __future__ import annotations

import json
import shutil
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.engine.conftest import (
    OWN_IMAGES,
    RECOMMENDER_BASE,
    STAND_INS,
    Devenv,
    add_mirrors,
    container_images,
    leftovers,
    missing_images,
)

ROOT = Path(__file__).resolve().parents[2]
#: the images the example's manifests name (devenv's own sandbox busybox and gateway nginx are mirrored too)
EXAMPLE_IMAGES = ("nginx:1.27.2", "postgrest/postgrest:v12.2.3", "postgres:16.4", "redis:7.4.1")


@pytest.fixture
def example(tmp_path: Path, engine: None) -> Devenv:
    missing = missing_images([STAND_INS[i] for i in (*EXAMPLE_IMAGES, "busybox:1.36.1", "python:3.12-slim")])
    if missing:
        pytest.fail(f"example images missing ({', '.join(missing)}): run tests/images/build.sh")
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("devenv.toml", "examples", "seeds"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        elif source.exists():
            shutil.copy(source, copy / name)
    add_mirrors(copy / "devenv.toml", RECOMMENDER_BASE)
    devenv = Devenv(copy, f"example{uuid.uuid4().hex[:6]}")
    yield devenv
    devenv("down", "--volumes", check=False)


def test_bundled_example_comes_up_healthy_and_serves_data_from_postgres(example: Devenv) -> None:
    up = example("up", "--timeout", "240")
    assert "ready" in up.stdout
    assert "seeded shop" in up.stdout, up.stdout  # seeds/shop.toml, once the migration Job has run
    orphans = example.exec("db", "psql", "-U", "postgres", "-d", "shop", "-tAc",
                           "select (select count(*) from api.orders o where not exists (select 1 from api.customers c"
                           " where c.id = o.customer_id)) + (select count(*) from api.order_items i where not exists"
                           " (select 1 from api.products p where p.id = i.product_id)), (select count(*) from api.orders)")
    dangling, orders = (int(x) for x in orphans.strip().split("|"))
    assert dangling == 0 and orders > 0
    assert "already holds data" in example("up", "--timeout", "240").stdout  # seeds once, not on every up
    status = example.status()
    assert all(s["ready"] for s in status["services"]), status
    web = example("port", "web", "80").stdout.strip()
    assert web.startswith("127.0.0.1:")
    with urllib.request.urlopen(f"http://{web}/api/products", timeout=10) as response:
        products = json.loads(response.read())
    assert {p["sku"] for p in products} >= {"MUG-001"}
    with urllib.request.urlopen(f"http://{web}/healthz", timeout=10) as response:
        assert response.status == 200
    # the Ingress host answers through the local gateway as shop.localhost
    assert "ingress: http://shop.localhost:" in up.stdout
    gateway = example("port", "devenv-gateway", "8080").stdout.strip()
    request = urllib.request.Request(f"http://{gateway}/healthz", headers={"Host": "shop.localhost"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.read() == b"ok"
    # the recommender runs the working tree's build (production names a registry image)
    with urllib.request.urlopen(f"http://{web}/recommendations", timeout=10) as response:
        recommended = json.loads(response.read())
    assert recommended["version"] == "1.8.0" and recommended["views"] >= 1 and recommended["recommended"]
    assert example("run", "cleanup-sessions").returncode == 0
    # every container runs a stand-in, reached through [mirrors]; each production image is reported
    report = json.loads(example("report", "--format", "json").stdout)
    mirrored = {(d["prod"], d["local"]) for d in report["deltas"] if d["code"] == "image-mirrored"}
    assert mirrored == {(image, STAND_INS[image]) for image in EXAMPLE_IMAGES}
    running = container_images(example.project)
    assert STAND_INS["nginx:1.27.2"] in running.values() and STAND_INS["busybox:1.36.1"] in running.values()
    assert all(image.startswith(OWN_IMAGES) for image in running.values()), running
    example("down")
    remaining = leftovers(example.project)
    assert remaining["containers"] == [] and remaining["networks"] == []
    # the database's volume claim survives `down` without --volumes, as a PVC survives a redeploy
    assert any("data-db-0" in v for v in remaining["volumes"])
    example("down", "--volumes")
    assert leftovers(example.project) == {"containers": [], "networks": [], "volumes": []}
