"""The executor that acknowledged an action execution.

Revision ID: 003
Revises: 002
"""

from alembic import op
import sqlalchemy as sa

revision = "003"
down_revision = "002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("action_executions_v2", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acked_by", sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table("action_executions_v2", schema=None) as batch_op:
        batch_op.drop_column("acked_by")
