"""action items carry the adopted decision they come from (merges proposals and plan)

Revision ID: 0005_action_decisions
Revises: 0003_proposals, 0004_plan
Create Date: 2026-11-26 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_action_decisions"
down_revision = ("0003_proposals", "0004_plan")
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_items_decision_id"), ["decision_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_action_items_decision_id_decisions"), "decisions", ["decision_id"], ["id"],
            ondelete="RESTRICT",
        )


def downgrade():
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_action_items_decision_id_decisions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_action_items_decision_id"))
        batch_op.drop_column("decision_id")
