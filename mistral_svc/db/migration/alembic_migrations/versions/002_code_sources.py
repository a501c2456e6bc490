"""Code sources and dynamic actions.

Revision ID: 002
Revises: 001
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "002"
down_revision = "001"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def _indexes(table, columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f("ix_%s_%s" % (table, column)), [column],
                                  unique=False)


def upgrade():
    op.create_table(
        "code_sources",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("content", LongText, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tags", Json, nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "namespace", "project_id"),
    )
    _indexes("code_sources", ("created_at", "name", "namespace", "project_id", "scope",
                              "updated_at"))
    op.create_table(
        "dynamic_action_definitions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("class_name", sa.String(length=255), nullable=False),
        sa.Column("code_source_id", sa.String(length=36), nullable=False),
        sa.Column("code_source_name", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["code_source_id"], ["code_sources.id"]),
        sa.UniqueConstraint("name", "namespace", "project_id"),
    )
    _indexes("dynamic_action_definitions", ("code_source_id", "created_at", "name",
                                            "namespace", "project_id", "scope",
                                            "updated_at"))


def downgrade():
    op.drop_table("dynamic_action_definitions")
    op.drop_table("code_sources")
