"""Look: cheap frame sampling and per-frame visual features."""
