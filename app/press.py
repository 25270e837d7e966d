"""Press-release drafting as a step of a library entry: inputs gathered, files produced.

Used by the nightly flow (when event metadata travels with the footage) and by
`sorot press draft` for an entry that already exists.
"""

from __future__ import annotations

from models.moments.records import FeatureTimeline
from models.press import EventMetadata, PressDraft, draft_press_release, to_docx, to_markdown
from models.press.speakers import leader_segments
from models.speech.records import Transcript


def press_files(
    transcript: Transcript,
    video_id: str,
    metadata: EventMetadata | None,
    timeline: FeatureTimeline | None = None,
    leader: str | None = None,
) -> tuple[PressDraft, dict[str, bytes]]:
    """Draft the press release and render its artifacts (markdown, docx, JSON record).

    With an enrolled leader and a feature timeline, segments spoken while the leader is on
    screen are the leader's; otherwise the main speaker is quoted.
    """
    speakers = None
    if leader and timeline is not None:
        visible = [r.frame.leader_visible if r.frame else None for r in timeline.rows]
        spans = [(s.id, s.start, s.end) for s in transcript.segments]
        speakers = leader_segments(spans, visible, leader)
    draft = draft_press_release(
        transcript,
        video_id,
        metadata,
        segment_speakers=speakers,
        leader=leader if speakers else None,
    )
    return draft, {
        "press_release": to_markdown(draft).encode("utf-8"),
        "press_release_docx": to_docx(draft),
        "press_draft": draft.model_dump_json(indent=2).encode("utf-8"),
    }
