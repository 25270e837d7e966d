"""C2PA Content Credentials on real clips: embed, read back, tamper, trust, formats.

Clips are cut from a shared/data recording with PyAV (H.264 + AAC, as the renderer writes
them) in three MP4 layouts; every check goes through the real c2pa library.
"""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from cryptography.hazmat.primitives import serialization

from models.media.hashing import sha256_file
from models.provenance.credentials import (
    ClipEdit,
    SourceIngredient,
    create_self_signed_credentials,
    credential_summary,
    embed_credentials,
    make_signer_from_pem,
    read_credentials,
)
from tests.media_factory import tone_bursts, write_wav

LAYOUTS = {
    "moov-last": {},
    "faststart": {"movflags": "faststart"},
    "fragmented": {"movflags": "frag_keyframe+empty_moov+default_base_moof"},
}


def _write_clip(src: Path, out: Path, options: dict[str, str], seconds: float = 3.0) -> Path:
    """The first `seconds` of `src` at 320x180, 25 fps H.264 + stereo 44.1 kHz AAC."""
    rate, audio_rate = 25, 44_100
    with av.open(str(src)) as inp:
        frames = [
            f.to_ndarray(format="rgb24", width=320, height=180)
            for f in inp.decode(video=0)
            if f.time is not None and f.time < seconds
        ]
        inp.seek(0)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=audio_rate)
        chunks = [
            r.to_ndarray()
            for f in inp.decode(audio=0)
            if f.time is not None and f.time < seconds
            for r in resampler.resample(f)
        ]
    audio = np.concatenate(chunks, axis=1)
    with av.open(str(out), "w", options=options) as o:
        video = o.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        sound = o.add_stream("aac", rate=audio_rate, layout="stereo")
        for k, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = k, Fraction(1, rate)
            o.mux(video.encode(frame))
        o.mux(video.encode(None))
        for s in range(0, audio.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(audio[:, s : s + 1024]), format="fltp", layout="stereo"
            )
            frame.sample_rate, frame.pts, frame.time_base = audio_rate, s, Fraction(1, audio_rate)
            o.mux(sound.encode(frame))
        o.mux(sound.encode(None))
    return out


def _frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


@pytest.fixture(scope="module")
def recording(shared_data: Path) -> Path:
    return shared_data / "video" / "handshake_livingroom.mp4"


@pytest.fixture(scope="module")
def source(recording: Path) -> SourceIngredient:
    sha = sha256_file(recording)
    return SourceIngredient(
        title="inbox/2026-11-27/handshake_livingroom.mp4",
        sha256=sha,
        video_id=sha[:16],
        start=0.0,
        end=3.0,
        path=recording,
    )


@pytest.fixture(scope="module")
def creds():
    return create_self_signed_credentials("Prokopim Kabupaten Uji")


@pytest.fixture(scope="module")
def signer(creds):
    return make_signer_from_pem(creds.cert_chain_pem, creds.private_key_pem, "es256")


@pytest.fixture(scope="module")
def clips(recording: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {
        name: _write_clip(recording, folder / f"{name}.mp4", options)
        for name, options in LAYOUTS.items()
    }


@pytest.fixture(scope="module")
def thumbnail(recording: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("thumb") / "clip.jpg"
    with av.open(str(recording)) as c:
        next(c.decode(video=0)).to_image().save(out, quality=85)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_mp4_layouts_carry_source_credentials(layout, clips, source, signer, tmp_path):
    clip = clips[layout]
    out = tmp_path / "signed.mp4"
    edits = [ClipEdit("c2pa.cropped", "Vertical 9:16 reframing")]
    result = embed_credentials(clip, out, source, signer, "Bupati menyapa warga", edits)

    assert result.embedded, result.reason
    assert result.path == out and result.format == "mp4" and result.ingredient_from == "file"
    summary = credential_summary(read_credentials(out))
    assert summary["state"] == "Valid" and summary["intact"] and not summary["trusted"]
    assert summary["failures"] == ["signingCredential.untrusted"]
    assert summary["title"] == "Bupati menyapa warga"
    assert summary["signer"]["issuer"] == "Prokopim Kabupaten Uji"
    assert summary["source"] == {
        "schema_version": 1,
        "title": source.title,
        "sha256": source.sha256,
        "video_id": source.video_id,
        "start": 0.0,
        "end": 3.0,
    }
    (ingredient,) = summary["ingredients"]
    assert ingredient["title"] == source.title and ingredient["relationship"] == "parentOf"
    assert source.sha256 in ingredient["description"] and not ingredient["has_credentials"]
    assert [a["action"] for a in summary["actions"]] == [
        "c2pa.opened",
        "c2pa.edited",
        "c2pa.cropped",
    ]
    assert "0.00–3.00" in summary["actions"][1]["description"]
    # The signed file still plays: every frame decodes.
    assert _frames(out) == _frames(clip)


def test_jpeg_thumbnail_names_the_source_frame(thumbnail, source, signer, tmp_path):
    frame = SourceIngredient(source.title, source.sha256, source.video_id, 1.5, 1.5)
    out = tmp_path / "thumb.jpg"
    result = embed_credentials(thumbnail, out, frame, signer, "Thumbnail")

    assert result.embedded and result.ingredient_from == "description"
    summary = credential_summary(read_credentials(out))
    assert summary["intact"] and summary["source"]["start"] == summary["source"]["end"] == 1.5
    assert "Frame at source second 1.50" in summary["actions"][1]["description"]
    assert source.sha256 in summary["ingredients"][0]["description"]


def test_office_ca_as_trust_anchor_makes_credentials_trusted(
    clips, source, signer, creds, tmp_path
):
    out = tmp_path / "signed.mp4"
    assert embed_credentials(clips["moov-last"], out, source, signer, "t").embedded

    summary = credential_summary(read_credentials(out, trust_anchors_pem=creds.ca_cert_pem))
    assert summary["state"] == "Trusted" and summary["trusted"] and summary["failures"] == []
    other_ca = create_self_signed_credentials("Someone Else").ca_cert_pem
    assert read_credentials(out, trust_anchors_pem=other_ca)["validation_state"] == "Valid"


def _flip_byte_after(path: Path, marker: bytes, skip: int) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(marker) + skip
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_altered_mp4_media_data_is_reported(clips, source, signer, tmp_path):
    out = tmp_path / "signed.mp4"
    assert embed_credentials(clips["faststart"], out, source, signer, "t").embedded
    _flip_byte_after(out, b"mdat", 5000)

    summary = credential_summary(read_credentials(out))
    assert summary["state"] == "Invalid" and not summary["intact"]
    assert "assertion.bmffHash.mismatch" in summary["failures"]


def test_altered_jpeg_pixels_are_reported(thumbnail, source, signer, tmp_path):
    out = tmp_path / "thumb.jpg"
    assert embed_credentials(thumbnail, out, source, signer, "t").embedded
    _flip_byte_after(out, b"\xff\xda", 2000)  # inside the entropy-coded scan

    summary = credential_summary(read_credentials(out))
    assert summary["state"] == "Invalid" and "assertion.dataHash.mismatch" in summary["failures"]


def test_formats_without_c2pa_say_why(source, signer, tmp_path):
    mkv = tmp_path / "clip.mkv"
    with av.open(str(mkv), "w") as o:
        stream = o.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            o.mux(stream.encode(av.VideoFrame(64, 48, "yuv420p")))
        o.mux(stream.encode(None))
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(os.urandom(4096))

    mkv_result = embed_credentials(mkv, tmp_path / "out.mkv", source, signer, "t")
    garbage_result = embed_credentials(garbage, tmp_path / "out.mp4", source, signer, "t")

    assert not mkv_result.embedded and "'.mkv'" in mkv_result.reason
    assert not garbage_result.embedded and "could not be parsed" in garbage_result.reason
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mkv", "garbage.mp4"]
    assert read_credentials(mkv) is None and read_credentials(garbage) is None


def test_audio_only_recording_can_carry_credentials(source, signer, tmp_path):
    wav = write_wav(tmp_path / "speech.wav", tone_bursts(2.0, 0.5))
    result = embed_credentials(wav, tmp_path / "signed.wav", source, signer, "Pidato")
    assert result.embedded
    assert credential_summary(read_credentials(result.path))["intact"]


def test_unsigned_file_has_no_credentials(clips):
    assert read_credentials(clips["moov-last"]) is None


def test_signing_in_place_and_with_ed25519(clips, source, tmp_path):
    ed = create_self_signed_credentials("Prokopim", alg="ed25519")
    signer = make_signer_from_pem(ed.cert_chain_pem, ed.private_key_pem, "ed25519")
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clips["moov-last"].read_bytes())

    result = embed_credentials(clip, clip, source, signer, "t")

    assert result.embedded and result.path == clip
    summary = credential_summary(read_credentials(clip, trust_anchors_pem=ed.ca_cert_pem))
    assert summary["trusted"] and summary["signer"]["alg"] == "Ed25519"


def test_source_with_its_own_credentials_is_carried(clips, source, signer, tmp_path):
    camera = tmp_path / "camera.mp4"  # stands in for a C2PA-signing camera's recording
    assert embed_credentials(clips["faststart"], camera, source, signer, "camera").embedded
    unreadable = tmp_path / "broken.mp4"
    unreadable.write_bytes(os.urandom(4096))

    carried = embed_credentials(
        clips["moov-last"],
        tmp_path / "a.mp4",
        SourceIngredient("camera.mp4", "ab" * 32, "ab" * 8, 1.0, 2.0, path=camera),
        signer,
        "t",
    )
    described = embed_credentials(
        clips["moov-last"],
        tmp_path / "b.mp4",
        SourceIngredient("broken.mp4", "cd" * 32, "cd" * 8, 1.0, 2.0, path=unreadable),
        signer,
        "t",
    )

    store = read_credentials(carried.path)
    (ingredient,) = store["manifests"][store["active_manifest"]]["ingredients"]
    assert len(store["manifests"]) == 2 and "active_manifest" in ingredient
    assert credential_summary(store)["ingredients"][0]["has_credentials"]
    assert described.embedded and described.ingredient_from == "description"


def test_signer_checks_key_certificate_and_algorithm(creds):
    other = create_self_signed_credentials("Other")
    with pytest.raises(ValueError, match="does not belong"):
        make_signer_from_pem(creds.cert_chain_pem, other.private_key_pem, "es256")
    with pytest.raises(ValueError, match="cannot sign with ed25519"):
        make_signer_from_pem(creds.cert_chain_pem, creds.private_key_pem, "ed25519")

    key = serialization.load_pem_private_key(creds.private_key_pem, password=None)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"rahasia"),
    )
    signer = make_signer_from_pem(creds.cert_chain_pem, encrypted, "es256", password=b"rahasia")
    assert signer.private_key_pem == creds.private_key_pem
    assert "PRIVATE" not in repr(signer)
