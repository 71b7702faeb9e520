"""actions indexed by objective and deadline, the plan list's order (README, Performance)

Revision ID: 0010_objective_due_index
Revises: 0009_partial_decision_index
Create Date: 2026-12-02 21:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0010_objective_due_index"
down_revision = "0009_partial_decision_index"
branch_labels = None
depends_on = None


def upgrade():
    # The plan list sorts an objective's actions by deadline: with the objective alone
    # indexed, SQLite sorted every action of the first objectives before keeping 50. The new
    # index starts with the objective, so it also serves the foreign key the old one did.
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_objective_id")
        batch_op.create_index("ix_action_items_objective_due",
                              ["objective_id", "due_on", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.drop_index("ix_action_items_objective_due")
        batch_op.create_index("ix_action_items_objective_id", ["objective_id"], unique=False)
