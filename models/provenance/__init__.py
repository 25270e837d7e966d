"""Provenance: fingerprints, verification of circulating clips, word diffs, signatures, C2PA."""
