"""The rendered files as shipped to a remote engine: a root-owned tar with the pod spec's modes, and the
unpacking script that leaves exactly the shipped files in the volume (run here with this machine's sh/tar)."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from devenv.engine.files import LIST_FILE, UNPACK, archive, volume_name

FILES = {"files/shop/web/site/default.conf": (b"server {}\n", 0o644),
         "_parent_/.devenv/files/shop/web/creds/password": (b"local-secret", 0o400),
         "files/devenv-gateway/default.conf": (b"# gateway\n", 0o640)}


def members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_the_archive_holds_each_file_root_owned_with_its_mode_and_the_list() -> None:
    found = members(archive(FILES))
    for path, (content, mode) in FILES.items():
        assert found[path].isfile() and found[path].mode == mode and found[path].size == len(content)
        assert (found[path].uid, found[path].gid) == (0, 0)
    assert found[LIST_FILE].isfile()
    assert {"files", "files/shop", "files/shop/web/site", "_parent_/.devenv/files/shop/web/creds"} <= {
        name for name, m in found.items() if m.isdir()}
    with tarfile.open(fileobj=io.BytesIO(archive(FILES))) as tar:
        listing = tar.extractfile(LIST_FILE).read().decode()  # type: ignore[union-attr]
        assert listing.splitlines() == sorted(FILES)
        assert tar.extractfile("_parent_/.devenv/files/shop/web/creds/password").read() == b"local-secret"  # type: ignore[union-attr]


def test_unpacking_leaves_exactly_the_shipped_files(tmp_path: Path) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    script = UNPACK.replace("/files", str(volume))
    subprocess.run(["sh", "-c", script], input=archive(FILES), check=True)
    (volume / "files" / "shop" / "web" / "site" / "stale.conf").write_text("from an older render")
    newer = {k: v for k, v in FILES.items() if "gateway" not in k}
    newer["files/shop/web/site/default.conf"] = (b"server { listen 81; }\n", 0o644)
    subprocess.run(["sh", "-c", script], input=archive(newer), check=True)
    shipped = sorted(str(p.relative_to(volume)) for p in volume.rglob("*") if p.is_file() and p.name != LIST_FILE)
    assert shipped == sorted(newer)
    assert (volume / "files/shop/web/site/default.conf").read_bytes() == b"server { listen 81; }\n"
    assert ((volume / "_parent_/.devenv/files/shop/web/creds/password").stat().st_mode & 0o777) == 0o400


def test_the_volume_is_named_after_the_project() -> None:
    assert volume_name("shop") == "shop_devenv-files"
