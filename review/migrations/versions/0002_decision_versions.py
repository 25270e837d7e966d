"""Decision versions: each decision names the one it replaces, at most once.

`supersedes` is the id of the clip's latest decision that the editor saw (0 for none). A
unique index on (video_id, clip_id, supersedes) lets only one of two editors acting on
the same state win; the other gets a conflict instead of silently overwriting.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add `supersedes`, fill it from the existing history, then make it unique per clip."""
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("supersedes", sa.Integer, nullable=False, server_default="0"))
    decisions = sa.table(
        "decisions",
        sa.column("id", sa.Integer),
        sa.column("video_id", sa.String),
        sa.column("clip_id", sa.String),
        sa.column("created_at", sa.DateTime),
        sa.column("supersedes", sa.Integer),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(decisions.c.id, decisions.c.video_id, decisions.c.clip_id).order_by(
            decisions.c.created_at, decisions.c.id
        )
    ).all()
    previous: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.video_id, row.clip_id)
        if key in previous:
            connection.execute(
                decisions.update().where(decisions.c.id == row.id).values(supersedes=previous[key])
            )
        previous[key] = row.id
    op.create_index(
        "uq_decisions_supersedes",
        "decisions",
        ["video_id", "clip_id", "supersedes"],
        unique=True,
    )


def downgrade() -> None:
    """Drop the version column and its index."""
    op.drop_index("uq_decisions_supersedes", table_name="decisions")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("supersedes")
