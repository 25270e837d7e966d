"""Content hashes of files, streamed in constant memory."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a local file."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def decoded_digest(path: str | Path) -> str:
    """SHA-256 of what the file plays: the decoded frames of its first video stream and
    its first audio stream, each hashed on its own (so the interleaving of a container
    does not count), without timestamps. Two files with the same digest differ only in
    their container: a remux (MP4 to MKV, faststart, another muxer) keeps it.

    Raises models.media.MediaError when the file cannot be decoded.
    """
    import av  # PyAV is heavy to import: only the callers that decode pay for it

    from models.media.decode import MediaError

    try:
        with av.open(str(path)) as container:
            streams = container.streams.video[:1] + container.streams.audio[:1]
            # by kind, not index: a remux may number the streams the other way round
            hashers = {s.type: hashlib.sha256(s.type.encode()) for s in streams}
            for packet in container.demux(streams):
                for frame in packet.decode():
                    hashers[packet.stream.type].update(frame.to_ndarray().tobytes())
    except (av.FFmpegError, ValueError) as exc:
        raise MediaError(f"cannot decode {Path(path).name}: {exc}") from exc
    return hashlib.sha256(
        b"".join(hashers[k].digest() for k in ("video", "audio") if k in hashers)
    ).hexdigest()
