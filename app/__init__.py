"""The application layer: what the CLI, the flows and the web app all do with a library.

Typed artifact reads, verification against the archive, press drafting, the run settings.
It uses `models` (pure) and `storage`; it never imports Prefect, the CLI or the web app.
"""
