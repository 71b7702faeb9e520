"""data revision: the counter every writing transaction moves on (planner/core/page_cache.py)

Revision ID: 0011_data_revision
Revises: 0010_objective_due_index
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_data_revision"
down_revision = "0010_objective_due_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )


def downgrade():
    op.drop_table("data_revision")
