"""plan revision: the counter every change to the plan moves on (planner/plan/revision.py)

Revision ID: 0008_plan_revision
Revises: 0007_bench_indexes
Create Date: 2026-12-02 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_plan_revision"
down_revision = "0007_bench_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revision")),
    )


def downgrade():
    op.drop_table("plan_revision")
