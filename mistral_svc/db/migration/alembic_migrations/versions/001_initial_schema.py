"""Initial schema: definitions, executions, environments, triggers, jobs, members.

Revision ID: 001
Revises: (none)
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "001"
down_revision = None
branch_labels = None
depends_on = None

# JSON is stored as LONGTEXT on MySQL/MariaDB (see mistral_svc.db.models).
Json = sa.JSON().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade():
    op.create_table(
        "action_definitions_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", LongText, nullable=True),
        sa.Column("spec", Json, nullable=True),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=True),
        sa.Column("action_class", sa.String(length=255), nullable=True),
        sa.Column("attributes", Json, nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "namespace", "project_id"),
    )
    with op.batch_alter_table("action_definitions_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_definitions_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_definitions_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_definitions_v2_namespace"), ["namespace"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_definitions_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_definitions_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "action_executions_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=True),
        sa.Column("task_name", sa.String(length=255), nullable=True),
        sa.Column("task_execution_id", sa.String(length=36), nullable=True),
        sa.Column("workflow_execution_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.Column("is_sync", sa.Boolean(), nullable=True),
        sa.Column("input", Json, nullable=True),
        sa.Column("output", Json, nullable=True),
        sa.Column("params", Json, nullable=True),
        sa.Column("runtime_context", Json, nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("last_heartbeat", Timestamp, nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_executions_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_executions_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_executions_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_executions_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_action_executions_v2_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_action_executions_v2_task_execution_id"),
            ["task_execution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_action_executions_v2_updated_at"), ["updated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_action_executions_v2_workflow_execution_id"),
            ["workflow_execution_id"],
            unique=False,
        )

    op.create_table(
        "cron_triggers_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pattern", sa.String(length=100), nullable=True),
        sa.Column("first_execution_time", Timestamp, nullable=True),
        sa.Column("next_execution_time", Timestamp, nullable=False),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_id", sa.String(length=36), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=True),
        sa.Column("workflow_input", Json, nullable=True),
        sa.Column("workflow_params", Json, nullable=True),
        sa.Column("remaining_executions", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("trust_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "project_id"),
    )
    with op.batch_alter_table("cron_triggers_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cron_triggers_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_v2_next_execution_time"),
            ["next_execution_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cron_triggers_v2_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cron_triggers_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "environments_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("variables", Json, nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "project_id"),
    )
    with op.batch_alter_table("environments_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_environments_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_environments_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_environments_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_environments_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "event_triggers_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("workflow_id", sa.String(length=36), nullable=False),
        sa.Column("workflow_input", Json, nullable=True),
        sa.Column("workflow_params", Json, nullable=True),
        sa.Column("exchange", sa.String(length=255), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("event", sa.String(length=255), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("trust_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exchange", "topic", "event", "workflow_id", "project_id"),
    )
    with op.batch_alter_table("event_triggers_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_triggers_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_triggers_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_triggers_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "resource_members_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("resource_id", sa.String(length=80), nullable=False),
        sa.Column("resource_type", sa.String(length=50), nullable=False),
        sa.Column("project_id", sa.String(length=80), nullable=False),
        sa.Column("member_id", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resource_id", "resource_type", "member_id"),
    )
    with op.batch_alter_table("resource_members_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_members_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_members_v2_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_members_v2_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_resource_members_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "scheduled_jobs_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_after", Timestamp, nullable=False),
        sa.Column("func_name", sa.String(length=80), nullable=False),
        sa.Column("func_args", Json, nullable=True),
        sa.Column("key", sa.String(length=255), nullable=True),
        sa.Column("lease_owner", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("scheduled_jobs_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_v2_lease_expires_at"), ["lease_expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_v2_run_after"), ["run_after"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "task_executions_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("workflow_execution_id", sa.String(length=36), nullable=False),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=True),
        sa.Column("workflow_id", sa.String(length=80), nullable=True),
        sa.Column("type", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("in_context", Json, nullable=True),
        sa.Column("published", Json, nullable=True),
        sa.Column("runtime_context", Json, nullable=True),
        sa.Column("processed", sa.Boolean(), nullable=True),
        sa.Column("error_handled", sa.Boolean(), nullable=True),
        sa.Column("unique_key", sa.String(length=255), nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unique_key"),
    )
    with op.batch_alter_table("task_executions_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_task_executions_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_executions_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_task_executions_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_task_executions_v2_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_task_executions_v2_updated_at"), ["updated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_task_executions_v2_workflow_execution_id"),
            ["workflow_execution_id"],
            unique=False,
        )
        batch_op.create_index(
            "task_executions_v2_wf_ex_state", ["workflow_execution_id", "state"], unique=False
        )

    op.create_table(
        "workbooks_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", LongText, nullable=True),
        sa.Column("spec", Json, nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "namespace", "project_id"),
    )
    with op.batch_alter_table("workbooks_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workbooks_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_workbooks_v2_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_workbooks_v2_namespace"), ["namespace"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workbooks_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workbooks_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "workflow_definitions_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("definition", LongText, nullable=True),
        sa.Column("spec", Json, nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("input", sa.Text(), nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("scope", sa.String(length=80), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "namespace", "project_id"),
    )
    with op.batch_alter_table("workflow_definitions_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_definitions_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_workflow_definitions_v2_name"), ["name"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_workflow_definitions_v2_namespace"), ["namespace"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_definitions_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_definitions_v2_updated_at"), ["updated_at"], unique=False
        )

    op.create_table(
        "workflow_executions_v2",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        sa.Column("workflow_name", sa.String(length=255), nullable=True),
        sa.Column("workflow_namespace", sa.String(length=255), nullable=True),
        sa.Column("workflow_id", sa.String(length=80), nullable=True),
        sa.Column("spec", Json, nullable=True),
        sa.Column("spec_checksum", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=True),
        sa.Column("state_info", sa.Text(), nullable=True),
        sa.Column("tags", Json, nullable=True),
        sa.Column("input", Json, nullable=True),
        sa.Column("output", Json, nullable=True),
        sa.Column("params", Json, nullable=True),
        sa.Column("context", Json, nullable=True),
        sa.Column("task_execution_id", sa.String(length=36), nullable=True),
        sa.Column("root_execution_id", sa.String(length=36), nullable=True),
        sa.Column("source_execution_id", sa.String(length=36), nullable=True),
        sa.Column("cron_trigger_id", sa.String(length=36), nullable=True),
        sa.Column("project_id", sa.String(length=80), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workflow_executions_v2", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_cron_trigger_id"),
            ["cron_trigger_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_root_execution_id"),
            ["root_execution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_state"), ["state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_task_execution_id"),
            ["task_execution_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_updated_at"), ["updated_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_workflow_id"), ["workflow_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_executions_v2_workflow_name"), ["workflow_name"], unique=False
        )
