"""The editors' app and the learned ranker: `sorot review ...`, `sorot ranker train`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from app.settings import DEFAULT_STORE
from cli.common import DbOpt, StoreOpt, console, shown

review_app = typer.Typer(no_args_is_help=True, help="The editors' review web app.")
user_app = typer.Typer(no_args_is_help=True, help="Review app users and roles.")
review_app.add_typer(user_app, name="user")


@review_app.command("serve")
def review_serve(
    store: StoreOpt = DEFAULT_STORE,
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the review app (login required; add users with `sorot review user add`)."""
    from review.app import serve
    from review.settings import ReviewSettings, database_url

    console.print(f"review app on http://{shown(host)}:{port} (library {shown(store)})")
    serve(ReviewSettings.from_env(store=store, db_url=database_url(db)), host=host, port=port)


@user_app.command("add")
def review_user_add(
    username: str,
    role: Annotated[str, typer.Option(help="viewer, editor or admin.")] = "editor",
    db: DbOpt = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SOROT_NEW_PASSWORD",
            help="Asked for when not given (or SOROT_NEW_PASSWORD).",
        ),
    ] = "",
) -> None:
    """Create a user with a role."""
    from review.db import open_db
    from review.settings import database_url
    from review.users import UserError, add_user

    try:
        info = add_user(open_db(database_url(db)), username, password, role)
    except UserError as exc:
        console.print(f"[red]{shown(exc)}[/]")
        raise typer.Exit(1) from exc
    console.print(f"user {shown(info.username)} ({shown(info.role)}) created")


@user_app.command("list")
def review_user_list(db: DbOpt = None) -> None:
    """List users and roles."""
    from review.db import open_db
    from review.settings import database_url
    from review.users import list_users

    for u in list_users(open_db(database_url(db))):
        state = "active" if u.active else "disabled"
        console.print(f"{shown(u.username)}\t{shown(u.role)}\t{state}")


ranker_app = typer.Typer(no_args_is_help=True, help="Learn the office's taste from decisions.")


@ranker_app.command("train")
def ranker_train(
    store: StoreOpt = DEFAULT_STORE,
    db: DbOpt = None,
    k: Annotated[int, typer.Option(help="NDCG cut-off.")] = 3,
    holdout: Annotated[float, typer.Option(help="Share of videos held out.")] = 0.25,
) -> None:
    """Fit a ranker on editors' approve/reject decisions, report held-out NDCG@k and HIT@1,
    and make it the one nightly runs use."""
    from models.clips.ranker import Decision, evaluate, split_groups, train_ranker
    from review.db import open_db
    from review.decisions import decisions_for_training
    from review.settings import database_url
    from storage.rankers import save_ranker
    from storage.store import Store

    records = decisions_for_training(open_db(database_url(db)))
    decisions = [
        Decision(group=r.video_id, factors=r.factors, approved=r.decision == "approve")
        for r in records
    ]
    train, test = split_groups(decisions, holdout=holdout)
    try:
        ranker = train_ranker(train)
    except ValueError as exc:
        console.print(f"[red]cannot train yet: {shown(exc)}[/] ({len(decisions)} decisions)")
        raise typer.Exit(1) from exc
    metrics = evaluate(ranker.scores, test, k=k)
    baseline = evaluate(_hand_scores, test, k=k)
    table = Table(title=f"ranker {ranker.version} ({len(train)} train / {len(test)} held out)")
    for col in ("", f"ndcg@{k}", "hit@1", "groups"):
        table.add_column(col)
    for name, m in (("trained", metrics), ("hand weights", baseline)):
        table.add_row(name, f"{m[f'ndcg@{k}']:.3f}", f"{m['hit@1']:.3f}", str(int(m["groups"])))
    console.print(table)
    key = save_ranker(Store(store), ranker.version, ranker.to_bytes(), metrics)
    console.print(f"saved {shown(key)}; nightly runs now rank with {shown(ranker.version)}")


def _hand_scores(values: list[dict[str, float]]) -> list[float]:
    from models.clips.scoring import hand_score
    from models.clips.settings import ScoreWeights

    weights = ScoreWeights()
    return [hand_score(v, weights) for v in values]
