"""actions' decision index kept to the actions that carry one (README, Performance)

Revision ID: 0009_partial_decision_index
Revises: 0008_plan_revision
Create Date: 2026-12-02 17:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_partial_decision_index"
down_revision = "0008_plan_revision"
branch_labels = None
depends_on = None

CARRIES_ONE = sa.text("decision_id IS NOT NULL")


def upgrade():
    # Most actions carry no decision: SQLite's statistics counted their NULLs as one value of
    # every row, judged the index useless and walked the plan by deadline instead.
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_decision_id")
        batch_op.create_index("ix_action_items_decision_id", ["decision_id"], unique=False,
                              sqlite_where=CARRIES_ONE, postgresql_where=CARRIES_ONE)


def downgrade():
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_decision_id")
        batch_op.create_index("ix_action_items_decision_id", ["decision_id"], unique=False)
