"""Media files: probing, audio decoding and content hashes (PyAV, streamed)."""
