"""Editors' decisions and comments: append-only history; the latest decision counts.

Decisions are the ranker's training data, so each row keeps a snapshot of the clip's factor
vector, score, rank and ranker version as the editor saw them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.clips.records import Clip
from review.db import Database
from review.tables import DECISIONS, Comment, Decision


class DecisionError(ValueError):
    """A decision or comment that makes no sense (unknown kind, in/out outside the clip).

    `key` names its message in `review.i18n` (the pages answer in the user's language).
    """

    def __init__(self, message: str, key: str = "error") -> None:
        super().__init__(message)
        self.key = key


# A player's position can run a little past the probed duration (the last frame's length,
# audio padding): comments up to this far past the end are kept.
END_SLACK_SECONDS = 0.5


@dataclass(frozen=True)
class DecisionInfo:
    """One decision as the pages and the export see it."""

    id: int
    video_id: str
    clip_id: str
    decision: str
    in_point: float | None
    out_point: float | None
    username: str
    created_at: datetime
    ranker: str


class DecisionConflict(DecisionError):
    """Another editor decided the clip after the state this editor saw: nothing stored.

    `latest` is the clip's decision now (None only if it vanished meanwhile).
    """

    def __init__(self, latest: DecisionInfo | None) -> None:
        super().__init__("the clip was decided meanwhile", "decision_conflict")
        self.latest = latest


@dataclass(frozen=True)
class CommentInfo:
    """One comment at a timecode."""

    id: int
    video_id: str
    clip_id: str | None
    timecode: float
    text: str
    username: str
    created_at: datetime


class PublishedSpan(NamedTuple):
    """A stretch of a library video that the office has published (source seconds)."""

    video_id: str
    start: float
    end: float
    clip_id: str


# (video_id, clip_id) -> the clip's (start, end) in source seconds, or None when the clip
# is no longer in the library.
ClipBounds = Callable[[str, str], tuple[float, float] | None]


@dataclass(frozen=True)
class TrainingRecord:
    """One labelled example for the ranker: the clip's factors and the editors' verdict."""

    video_id: str
    clip_id: str
    factors: dict[str, float]
    decision: str  # "approve" | "reject"
    ranker: str
    score: float
    rank: int
    in_point: float | None
    out_point: float | None
    decided_at: datetime


def _decision_info(row: Decision) -> DecisionInfo:
    return DecisionInfo(
        row.id,
        row.video_id,
        row.clip_id,
        row.decision,
        row.in_point,
        row.out_point,
        row.user.username,
        row.created_at,
        row.ranker,
    )


def _comment_info(row: Comment) -> CommentInfo:
    return CommentInfo(
        row.id, row.video_id, row.clip_id, row.timecode, row.text, row.user.username, row.created_at
    )


def _latest_row(s: Session, video_id: str, clip_id: str) -> Decision | None:
    return s.scalars(
        select(Decision)
        .where(Decision.video_id == video_id, Decision.clip_id == clip_id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(1)
    ).first()


def latest_decision(db: Database, video_id: str, clip_id: str) -> DecisionInfo | None:
    """The clip's current decision, or None when it is undecided."""
    with db.session() as s:
        row = _latest_row(s, video_id, clip_id)
        return _decision_info(row) if row is not None else None


def record_decision(
    db: Database,
    *,
    clip: Clip,
    ranker: str,
    decision: str,
    user_id: int,
    in_point: float | None = None,
    out_point: float | None = None,
    clear_trim: bool = False,
    base: int | None = None,
) -> DecisionInfo:
    """Store an approve/reject of a clip, with optional trimmed in/out (source seconds).

    Without a new in/out (and without `clear_trim`) the clip's existing trim is kept, so a
    second approval does not erase the first editor's trim. `base` is the id of the
    clip's latest decision the editor saw (0: none yet): when another decision came since,
    DecisionConflict carries it and nothing is stored; two editors saving at once on the
    same state are told apart by the database (a unique index), not by timing. `base=None`
    skips the check (scripts that mean to override).
    """
    if decision not in DECISIONS:
        raise DecisionError(
            f"decision must be approve or reject, not {decision!r}", "decision_bad_kind"
        )
    try:
        with db.session() as s:
            latest = _latest_row(s, clip.video_id, clip.clip_id)
            latest_id = latest.id if latest is not None else 0
            if base is not None and base != latest_id:
                raise DecisionConflict(_decision_info(latest) if latest is not None else None)
            if in_point is None and out_point is None and not clear_trim and latest is not None:
                in_point, out_point = latest.in_point, latest.out_point
            _check_trim(clip, in_point, out_point)
            row = Decision(
                video_id=clip.video_id,
                clip_id=clip.clip_id,
                decision=decision,
                in_point=in_point,
                out_point=out_point,
                user_id=user_id,
                ranker=ranker,
                rank=clip.rank,
                score=clip.score,
                factors=dict(clip.factors),
                supersedes=latest_id,
            )
            s.add(row)
            s.flush()
            s.refresh(row)
            return _decision_info(row)
    except IntegrityError:  # another editor's decision on the same state committed first
        raise DecisionConflict(latest_decision(db, clip.video_id, clip.clip_id)) from None


def _check_trim(clip: Clip, in_point: float | None, out_point: float | None) -> None:
    start = clip.start if in_point is None else in_point
    end = clip.end if out_point is None else out_point
    # The rendered clip file covers [start, end]: trims can only shorten it.
    if not (clip.start - 1e-3 <= start < end <= clip.end + 1e-3):
        raise DecisionError(
            "in/out must lie inside the clip, with in before out", "decision_bad_trim"
        )


def check_timecode(timecode: float, duration: float | None) -> None:
    """Refuse a comment time that is not a finite second inside the video (DecisionError).

    `duration` is the source's probed length; None (or a non-positive one) leaves the upper
    bound unchecked. Non-finite values never reach the database: `inf` cannot be shown or
    sent as JSON, and SQLite stores NaN as NULL.
    """
    if not math.isfinite(timecode) or timecode < 0:
        raise DecisionError(
            f"timecode must be a finite, non-negative number, not {timecode}",
            "comment_bad_timecode",
        )
    if duration is not None and duration > 0 and timecode > duration + END_SLACK_SECONDS:
        raise DecisionError(
            f"timecode {timecode} is past the end of the video ({duration:.2f} s)",
            "comment_bad_timecode",
        )


def add_comment(
    db: Database,
    *,
    video_id: str,
    clip_id: str | None,
    timecode: float,
    text: str,
    user_id: int,
    duration: float | None = None,
) -> CommentInfo:
    """Store a comment at a timecode (source seconds, inside `duration` when given)."""
    text = text.strip()
    if not text or len(text) > 4000:
        raise DecisionError("a comment needs 1-4000 characters", "comment_bad_text")
    check_timecode(timecode, duration)
    with db.session() as s:
        row = Comment(
            video_id=video_id, clip_id=clip_id, timecode=timecode, text=text, user_id=user_id
        )
        s.add(row)
        s.flush()
        s.refresh(row)
        return _comment_info(row)


def latest_decisions(db: Database, video_ids: list[str]) -> dict[str, DecisionInfo]:
    """The current decision of every decided clip of these videos, by clip id."""
    with db.session() as s:
        rows = s.scalars(
            select(Decision)
            .where(Decision.video_id.in_(video_ids))
            .order_by(Decision.created_at, Decision.id)
        )
        return {row.clip_id: _decision_info(row) for row in rows}


def history(
    db: Database, video_id: str | None = None, limit: int = 500
) -> tuple[list[DecisionInfo], list[CommentInfo]]:
    """Decisions and comments, newest first (of one video, or of all)."""
    with db.session() as s:
        dq = select(Decision).order_by(Decision.created_at.desc(), Decision.id.desc())
        cq = select(Comment).order_by(Comment.created_at.desc(), Comment.id.desc())
        if video_id is not None:
            dq = dq.where(Decision.video_id == video_id)
            cq = cq.where(Comment.video_id == video_id)
        decisions = [_decision_info(r) for r in s.scalars(dq.limit(limit))]
        comments = [_comment_info(r) for r in s.scalars(cq.limit(limit))]
        return decisions, comments


def decisions_for_training(db: Database) -> list[TrainingRecord]:
    """One labelled example per decided clip: its latest decision and factor snapshot."""
    with db.session() as s:
        rows = s.scalars(select(Decision).order_by(Decision.created_at, Decision.id))
        latest = {(r.video_id, r.clip_id): r for r in rows}
        return [
            TrainingRecord(
                video_id=r.video_id,
                clip_id=r.clip_id,
                factors=dict(r.factors),
                decision=r.decision,
                ranker=r.ranker,
                score=r.score,
                rank=r.rank,
                in_point=r.in_point,
                out_point=r.out_point,
                decided_at=r.created_at,
            )
            for r in latest.values()
        ]


def published_spans(db: Database, clip_bounds: ClipBounds) -> list[PublishedSpan]:
    """What the office has published: every clip whose latest decision is "approve".

    The span is the editor's in/out when set, else the clip's own start/end from
    `clip_bounds` (the decisions table keeps no clip bounds, only overrides). A clip that
    `clip_bounds` no longer knows is left out: what cannot be placed is not published.
    """
    with db.session() as s:
        rows = s.scalars(select(Decision).order_by(Decision.created_at, Decision.id))
        latest = {(r.video_id, r.clip_id): r for r in rows}
        approved = [r for r in latest.values() if r.decision == "approve"]
        spans = []
        for r in approved:
            bounds = clip_bounds(r.video_id, r.clip_id)
            if bounds is None:
                continue
            start = bounds[0] if r.in_point is None else max(bounds[0], r.in_point)
            end = bounds[1] if r.out_point is None else min(bounds[1], r.out_point)
            if start < end:
                spans.append(PublishedSpan(r.video_id, start, end, r.clip_id))
        return spans
