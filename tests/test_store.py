"""The object store against a local folder and a real SeaweedFS S3 server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from storage import layout
from storage.manifest import check_entry, list_entries, read_manifest
from storage.store import Store, UnsafeKey, check_key


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "local":
        return Store(str(tmp_path / "store"))
    return Store(request.getfixturevalue("s3_bucket") + "/prefix")


def test_put_read_list_roundtrip(store: Store, tmp_path: Path) -> None:
    store.put_text("inbox/a b/é.txt", "halo")
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * 40_000)  # 10 MB: multipart on S3
    store.put_file("inbox/big.bin", big)
    assert store.read_text("inbox/a b/é.txt") == "halo"
    assert store.list("inbox") == ["inbox/a b/é.txt", "inbox/big.bin"]
    digest, size = store.sha256("inbox/big.bin")
    assert (digest, size) == (hashlib.sha256(big.read_bytes()).hexdigest(), big.stat().st_size)
    with store.local_file("inbox/big.bin") as local:
        assert local.read_bytes() == big.read_bytes()
    store.delete("inbox/big.bin")
    assert not store.exists("inbox/big.bin")
    assert store.list("nothing-here") == []


@pytest.mark.parametrize(
    "key", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a\\b", "a/", "a\x00b"]
)
def test_unsafe_keys_are_refused(key: str) -> None:
    with pytest.raises(UnsafeKey):
        check_key(key)


def test_local_write_is_atomic_and_temp_files_are_invisible(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    store.put_text("library/0123456789abcdef/x.json", "{}")
    # A writer killed mid-write leaves only a hidden temp file behind.
    (tmp_path / "library/0123456789abcdef/.manifest.json.tmp-dead").write_text("{partial")
    assert store.list("library") == ["library/0123456789abcdef/x.json"]
    assert read_manifest(store, "0123456789abcdef") is None
    assert list_entries(store) == []


def test_entry_without_manifest_is_invisible_and_tampering_is_detected(
    store: Store, tmp_path: Path
) -> None:
    from models.media.records import ProbeInfo
    from storage.manifest import Manifest, SourceRef, commit, now_iso, put_artifact

    vid = "00112233445566ff"
    ref = put_artifact(store, vid, "transcript.txt", b"Selamat pagi")
    assert list_entries(store) == []  # artifacts alone are not an entry
    manifest = Manifest(
        video_id=vid,
        source=SourceRef(
            key="inbox/x.mp4",
            sha256="0" * 64,
            bytes=1,
            probe=ProbeInfo(container="mp4", duration=1.0),
        ),
        artifacts={"transcript_txt": ref},
        settings_digest="d",
        run_id="r",
        created_at=now_iso(),
    )
    commit(store, manifest)
    assert [m.video_id for m in list_entries(store)] == [vid]
    assert check_entry(store, manifest) == []
    store.put_bytes(layout.entry_key(vid, "transcript.txt"), b"Selamat malam")
    assert check_entry(store, manifest) == [
        f"transcript_txt: content does not match the manifest ({ref.key})"
    ]
