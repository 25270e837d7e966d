"""Clips: candidates from moments and quotes, explained scores, a learned ranker, rendering.

Entry points for the flow live in `models.clips.pipeline` (`clips_for_video`, `render_clips`).
"""
