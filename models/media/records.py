"""Records of a source file's container and streams (the probe)."""

from __future__ import annotations

from models.common.records import Record, Strict


class StreamInfo(Strict):
    """One audio or video stream of a media file."""

    index: int
    kind: str  # "video" | "audio"
    codec: str
    duration: float | None = None
    # video only
    width: int | None = None
    height: int | None = None
    rotation: int = 0  # degrees to rotate clockwise for display (0, 90, 180, 270)
    avg_fps: float | None = None
    variable_frame_rate: bool = False
    # audio only
    sample_rate: int | None = None
    channels: int | None = None


class ProbeInfo(Record):
    """What PyAV learned about a source file without decoding it."""

    container: str
    duration: float
    bit_rate: int | None = None
    creation_time: str | None = None
    location: str | None = None  # ISO 6709 from phone metadata, e.g. "-8.6500+115.2167/"
    video: StreamInfo | None = None
    audio: StreamInfo | None = None

    @property
    def display_size(self) -> tuple[int, int] | None:
        """(width, height) as the picture should be shown, rotation applied."""
        if self.video is None or self.video.width is None or self.video.height is None:
            return None
        w, h = self.video.width, self.video.height
        return (h, w) if self.video.rotation in (90, 270) else (w, h)
