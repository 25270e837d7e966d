"""The `sorot` command line; each group of commands lives in its own module here."""

from __future__ import annotations

import typer

from cli import leader, library, models, night, press, provenance, review, search, vocabulary

app = typer.Typer(no_args_is_help=True, help="Sorot: nightly media curation for Prokopim.")
app.command()(night.run)
app.command()(night.status)
app.command()(night.deploy)
app.command()(provenance.verify)
app.command()(search.search)
app.add_typer(library.app, name="library")
app.add_typer(leader.app, name="leader")
app.add_typer(models.app, name="models")
app.add_typer(vocabulary.app, name="vocabulary")
app.add_typer(press.app, name="press")
app.add_typer(provenance.keys_app, name="keys")
app.add_typer(review.review_app, name="review")
app.add_typer(review.ranker_app, name="ranker")
