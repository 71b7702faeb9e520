"""one index of the ballots' history by round (README, Performance)

Revision ID: 0012_ballot_changes_round_index
Revises: 0011_data_revision
Create Date: 2026-12-07 02:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012_ballot_changes_round_index"
down_revision = "0011_data_revision"
branch_labels = None
depends_on = None


def upgrade():
    # The (round, time, id) index starts with the round: it serves every look-up by round and
    # the foreign key, and each answer written had one more index page to change.
    with op.batch_alter_table("ballot_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_ballot_changes_round_id")


def downgrade():
    with op.batch_alter_table("ballot_changes", schema=None) as batch_op:
        batch_op.create_index("ix_ballot_changes_round_id", ["round_id"], unique=False)
