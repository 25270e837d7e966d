"""Moments: fuse the per-second timeline into a score and label, then into moments."""
