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
    assert store.read_bytes("inbox/big.bin", limit=5) == bytes(range(5))  # a bounded read
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


def test_local_objects_are_regular_files_inside_the_store(tmp_path: Path) -> None:
    """FIFOs, folders, links out of the store and over-long names are no objects: not
    listed, and reading one is a missing object (never a hang, an error or a leak)."""
    import os

    outside = tmp_path / "secret.txt"
    outside.write_text("root:SECRET:19000:0:99999:7:::")
    root = tmp_path / "store"
    (root / "inbox/hari ini").mkdir(parents=True)
    long_name = "n" * 251 + ".mp4"  # 255 bytes: the longest name a Linux folder holds
    for name in ("a.mp4", "hari ini/b.mp4", long_name):
        (root / "inbox" / name).write_bytes(b"media")
    os.mkfifo(root / "inbox/camera.mp4")
    (root / "inbox/event.json").symlink_to(outside)
    (root / "inbox/outside.mp4").symlink_to(outside)
    (root / "inbox/etc").symlink_to("/etc", target_is_directory=True)
    (root / "inbox/inside.mp4").symlink_to(root / "inbox/a.mp4")  # stays in the store: fine
    (root / "inbox/a.mp4.json").mkdir()  # a folder where a sidecar would be
    store = Store(str(root))
    assert store.list("inbox") == [
        "inbox/a.mp4",
        "inbox/hari ini/b.mp4",
        "inbox/inside.mp4",
        f"inbox/{long_name}",
    ]
    assert store.read_bytes("inbox/inside.mp4") == b"media"
    for key in ("inbox/event.json", "inbox/a.mp4.json", "inbox/camera.mp4", "inbox/etc/passwd"):
        assert not store.exists(key)
        with pytest.raises(FileNotFoundError):
            store.read_bytes(key)
    for key in ("inbox/outside.mp4", "inbox/camera.mp4"):
        with pytest.raises(FileNotFoundError), store.local_file(key):
            pass
        with pytest.raises(FileNotFoundError):
            store.stamp(key)
    # Every sidecar candidate of the longest name is longer than a name may be: none there.
    for candidate in layout.sidecar_keys(f"inbox/{long_name}"):
        with pytest.raises(FileNotFoundError):
            store.read_bytes(candidate)


def test_unsafe_key_says_why() -> None:
    with pytest.raises(UnsafeKey, match="backslash"):
        check_key("inbox/back\\slash.mp4")
    with pytest.raises(UnsafeKey, match="UTF-8"):
        check_key("inbox/caf\udce9.mp4")  # os.fsdecode(b"caf\xe9.mp4")


def test_exclusive_create_and_compare_and_swap(store: Store) -> None:
    """The primitives under claims. On SeaweedFS a failed If-None-Match answers "At least
    one of the pre-conditions you specified did not hold", without the condition AWS names:
    it must still read as "exists", not as an error."""
    _exercise_compare_and_swap(store)


@pytest.mark.slow
def test_compare_and_swap_on_an_s3_server_without_if_match(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The marker path, for S3 servers that ignore If-Match on PUT. SeaweedFS honours it, so
    the missing feature is simulated (a mock of the capability probe, nothing else)."""
    monkeypatch.setattr(Store, "_s3_if_match", lambda self: False)
    _exercise_compare_and_swap(Store(s3_bucket + "/prefix"))


def _exercise_compare_and_swap(store: Store) -> None:
    key = "claims/0123456789abcdef.json"
    assert store.create_exclusive(key, b'{"n": 1}')
    assert not store.create_exclusive(key, b'{"n": 2}')
    data, tag = store.read_tagged(key)
    assert data == b'{"n": 1}'
    assert store.replace_if(key, tag, b'{"n": 3}')
    assert not store.replace_if(key, tag, b'{"n": 4}')  # that version is gone
    assert store.read_bytes(key) == b'{"n": 3}'
    assert not store.delete_if(key, tag)
    data, tag = store.read_tagged(key)
    assert store.delete_if(key, tag)
    assert not store.exists(key)
    assert not store.replace_if(key, tag, b'{"n": 5}')  # nothing to replace
    # Locks and markers are hidden. (SeaweedFS keeps an emptied folder, which s3fs lists as
    # the prefix itself: not an object of ours.)
    assert [k for k in store.list("claims") if k != "claims"] == []


def test_seaweedfs_honours_if_match_on_put(s3_bucket: str) -> None:
    """Records what the SeaweedFS under test does with If-Match (the probe claims rely on)."""
    store = Store(s3_bucket)
    assert store._s3_if_match() is True
