"""the size of each round's electorate, recorded when it opens (README, Performance)

Revision ID: 0013_round_electorate_count
Revises: 0012_ballot_changes_round_index
Create Date: 2026-12-07 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_round_electorate_count"
down_revision = "0012_ballot_changes_round_index"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE statements, not a batch rebuild: many tables refer to rounds, and
    # SQLite (3.35 and later) adds and drops a column in place. Then the size of the
    # electorate of every round already opened.
    op.add_column("rounds", sa.Column("electorate_count", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE rounds SET electorate_count = "
        "(SELECT count(*) FROM round_electors WHERE round_electors.round_id = rounds.id) "
        "WHERE status <> 'draft'"
    )


def downgrade():
    op.drop_column("rounds", "electorate_count")
