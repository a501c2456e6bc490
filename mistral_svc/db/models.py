"""SQLAlchemy models: definitions, executions, environments, triggers, jobs, members.

Table and column names follow upstream Mistral's ``*_v2`` tables where they exist, so the
data stays recognisable to Mistral operators. Every column the API filters or sorts by is
indexed. Large text and JSON use LONGTEXT on MySQL/MariaDB (plain TEXT stops at 64 KiB).
"""

import datetime
import json
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, deferred

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# Sub-second precision keeps list ordering by created_at stable on MySQL/MariaDB.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def utcnow():
    """Naive UTC now: every timestamp in the database is UTC."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def new_id():
    return str(uuid.uuid4())


class _Json(sa.types.TypeDecorator):
    """JSON stored as text on MySQL (LONGTEXT) and as the native JSON type elsewhere."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(sa.JSON())

    def process_bind_param(self, value, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return None if value is None else json.dumps(value, separators=(",", ":"))
        return value

    def process_result_value(self, value, dialect):
        if dialect.name in ("mysql", "mariadb"):
            return None if value is None else json.loads(value)
        return value


JSON = _Json


class Base(DeclarativeBase):
    """Declarative base with a ``to_dict`` used by the API layer."""

    def to_dict(self, fields=None):
        """Loaded columns as a dict; deferred columns not loaded yet are left out."""
        unloaded = sa.inspect(self).unloaded
        names = fields or [c.key for c in self.__table__.columns]
        return {n: getattr(self, n) for n in names if n not in unloaded}


def _id_col():
    return sa.Column(sa.String(36), primary_key=True, default=new_id)


def _timestamps(cls):
    cls.created_at = sa.Column(Timestamp, default=utcnow, nullable=False, index=True)
    cls.updated_at = sa.Column(Timestamp, onupdate=utcnow, index=True)
    return cls


# --- definitions -------------------------------------------------------------------------


@_timestamps
class Workbook(Base):
    __tablename__ = "workbooks_v2"
    __table_args__ = (sa.UniqueConstraint("name", "namespace", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(255), nullable=False, index=True)
    namespace = sa.Column(sa.String(255), nullable=False, default="", index=True)
    definition = deferred(sa.Column(LongText))
    spec = deferred(sa.Column(JSON))
    tags = sa.Column(JSON)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


@_timestamps
class WorkflowDefinition(Base):
    __tablename__ = "workflow_definitions_v2"
    __table_args__ = (sa.UniqueConstraint("name", "namespace", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(255), nullable=False, index=True)
    namespace = sa.Column(sa.String(255), nullable=False, default="", index=True)
    definition = deferred(sa.Column(LongText))
    spec = deferred(sa.Column(JSON))
    checksum = sa.Column(sa.String(64))
    input = sa.Column(sa.Text)
    tags = sa.Column(JSON)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)
    is_system = sa.Column(sa.Boolean, default=False)


@_timestamps
class ActionDefinition(Base):
    __tablename__ = "action_definitions_v2"
    __table_args__ = (sa.UniqueConstraint("name", "namespace", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(255), nullable=False, index=True)
    namespace = sa.Column(sa.String(255), nullable=False, default="", index=True)
    definition = deferred(sa.Column(LongText))
    spec = deferred(sa.Column(JSON))
    input = sa.Column(sa.Text)
    description = sa.Column(sa.Text)
    tags = sa.Column(JSON)
    is_system = sa.Column(sa.Boolean, default=False)
    action_class = sa.Column(sa.String(255))
    attributes = sa.Column(JSON)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


@_timestamps
class CodeSource(Base):
    """Python source text uploaded through ``/v2/code_sources``; ``version`` grows by one
    with every update, so whoever caches the compiled module knows it is stale."""

    __tablename__ = "code_sources"
    __table_args__ = (sa.UniqueConstraint("name", "namespace", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(255), nullable=False, index=True)
    namespace = sa.Column(sa.String(255), nullable=False, default="", index=True)
    content = deferred(sa.Column(LongText, nullable=False))
    version = sa.Column(sa.Integer, nullable=False, default=1)
    tags = sa.Column(JSON)
    scope = sa.Column(sa.String(80), default="private", index=True)
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


@_timestamps
class DynamicActionDefinition(Base):
    """An action whose class is ``class_name`` of a code source."""

    __tablename__ = "dynamic_action_definitions"
    __table_args__ = (sa.UniqueConstraint("name", "namespace", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(255), nullable=False, index=True)
    namespace = sa.Column(sa.String(255), nullable=False, default="", index=True)
    class_name = sa.Column(sa.String(255), nullable=False)
    # No cascade: a code source cannot be deleted while an action uses it.
    code_source_id = sa.Column(sa.String(36), sa.ForeignKey("code_sources.id"),
                               nullable=False, index=True)
    code_source_name = sa.Column(sa.String(255), nullable=False)
    scope = sa.Column(sa.String(80), default="private", index=True)
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


@_timestamps
class Environment(Base):
    __tablename__ = "environments_v2"
    __table_args__ = (sa.UniqueConstraint("name", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(200), nullable=False, index=True)
    description = sa.Column(sa.Text)
    variables = sa.Column(JSON)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


# --- executions ---------------------------------------------------------------------------


@_timestamps
class WorkflowExecution(Base):
    """One run of a workflow. ``context`` holds the initial data context (input, vars);
    tasks keep only what they publish, so the row never grows with the workflow."""

    __tablename__ = "workflow_executions_v2"

    id = _id_col()
    name = sa.Column(sa.String(255))
    description = sa.Column(sa.String(255))
    workflow_name = sa.Column(sa.String(255), index=True)
    workflow_namespace = sa.Column(sa.String(255), default="")
    workflow_id = sa.Column(sa.String(80), index=True)
    spec = deferred(sa.Column(JSON))
    spec_checksum = sa.Column(sa.String(64))
    state = sa.Column(sa.String(20), index=True)
    state_info = sa.Column(sa.Text)
    tags = sa.Column(JSON)
    input = deferred(sa.Column(JSON))
    output = deferred(sa.Column(JSON))
    params = sa.Column(JSON)
    context = deferred(sa.Column(JSON))
    task_execution_id = sa.Column(sa.String(36), index=True)
    root_execution_id = sa.Column(sa.String(36), index=True)
    source_execution_id = sa.Column(sa.String(36))
    cron_trigger_id = sa.Column(sa.String(36), index=True)
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


@_timestamps
class TaskExecution(Base):
    """One task of a workflow execution.

    ``in_context`` holds only what predecessors published (never the workflow's input),
    ``published`` this task's own delta; ``runtime_context`` carries per-task bookkeeping
    (join arrivals, with-items counters, retry counts, what triggered the task).
    """

    __tablename__ = "task_executions_v2"
    __table_args__ = (
        sa.Index("task_executions_v2_wf_ex_state", "workflow_execution_id", "state"),
        sa.UniqueConstraint("unique_key"),
    )

    id = _id_col()
    name = sa.Column(sa.String(255), index=True)
    workflow_execution_id = sa.Column(sa.String(36), nullable=False, index=True)
    workflow_name = sa.Column(sa.String(255))
    workflow_namespace = sa.Column(sa.String(255), default="")
    workflow_id = sa.Column(sa.String(80))
    type = sa.Column(sa.String(10))
    state = sa.Column(sa.String(20), index=True)
    state_info = sa.Column(sa.Text)
    in_context = deferred(sa.Column(JSON))
    published = deferred(sa.Column(JSON))
    runtime_context = sa.Column(JSON)
    processed = sa.Column(sa.Boolean, default=False)
    error_handled = sa.Column(sa.Boolean, default=False)
    # Set for tasks that must exist once per execution (joins), so concurrent arrivals
    # from parallel branches converge on one row instead of racing to create two.
    unique_key = sa.Column(sa.String(255), nullable=True)
    tags = sa.Column(JSON)
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)
    started_at = sa.Column(Timestamp)
    finished_at = sa.Column(Timestamp)


@_timestamps
class ActionExecution(Base):
    __tablename__ = "action_executions_v2"

    id = _id_col()
    name = sa.Column(sa.String(255), index=True)
    description = sa.Column(sa.String(255))
    workflow_name = sa.Column(sa.String(255))
    workflow_namespace = sa.Column(sa.String(255), default="")
    task_name = sa.Column(sa.String(255))
    task_execution_id = sa.Column(sa.String(36), index=True)
    workflow_execution_id = sa.Column(sa.String(36), index=True)
    state = sa.Column(sa.String(20), index=True)
    state_info = sa.Column(sa.Text)
    accepted = sa.Column(sa.Boolean, default=False)
    is_sync = sa.Column(sa.Boolean, default=True)
    input = deferred(sa.Column(JSON))
    output = deferred(sa.Column(JSON))
    params = sa.Column(JSON)
    runtime_context = sa.Column(JSON)
    tags = sa.Column(JSON)
    last_heartbeat = sa.Column(Timestamp)
    # The executor (membership id) that acknowledged it; NULL: nobody did (yet).
    acked_by = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)


# --- scheduling ---------------------------------------------------------------------------


@_timestamps
class CronTrigger(Base):
    __tablename__ = "cron_triggers_v2"
    __table_args__ = (sa.UniqueConstraint("name", "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(200), nullable=False, index=True)
    pattern = sa.Column(sa.String(100))
    first_execution_time = sa.Column(Timestamp)
    next_execution_time = sa.Column(Timestamp, nullable=False, index=True)
    workflow_name = sa.Column(sa.String(255))
    workflow_id = sa.Column(sa.String(36))
    workflow_namespace = sa.Column(sa.String(255), default="")
    workflow_input = sa.Column(JSON)
    workflow_params = sa.Column(JSON)
    remaining_executions = sa.Column(sa.Integer, nullable=True)
    status = sa.Column(sa.String(20), default="READY", index=True)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)
    trust_id = sa.Column(sa.String(80))


@_timestamps
class ScheduledJob(Base):
    """A unit of delayed work. A scheduler claims a due job with one conditional UPDATE
    that sets a lease; a job whose lease expired (its holder died) is claimed again."""

    __tablename__ = "scheduled_jobs_v2"
    __table_args__ = (sa.UniqueConstraint("key"),)

    id = _id_col()
    run_after = sa.Column(Timestamp, nullable=False, index=True)
    func_name = sa.Column(sa.String(80), nullable=False)
    func_args = sa.Column(JSON)
    key = sa.Column(sa.String(255), nullable=True)
    lease_owner = sa.Column(sa.String(255))
    lease_expires_at = sa.Column(Timestamp, index=True)


@_timestamps
class ResourceMember(Base):
    __tablename__ = "resource_members_v2"
    __table_args__ = (sa.UniqueConstraint("resource_id", "resource_type", "member_id"),)

    id = _id_col()
    resource_id = sa.Column(sa.String(80), nullable=False, index=True)
    resource_type = sa.Column(sa.String(50), nullable=False, default="workflow")
    project_id = sa.Column(sa.String(80), nullable=False)
    member_id = sa.Column(sa.String(80), nullable=False, index=True)
    status = sa.Column(sa.String(20), nullable=False, default="pending")


@_timestamps
class EventTrigger(Base):
    __tablename__ = "event_triggers_v2"
    __table_args__ = (sa.UniqueConstraint("exchange", "topic", "event", "workflow_id",
                                          "project_id"),)

    id = _id_col()
    name = sa.Column(sa.String(200))
    workflow_id = sa.Column(sa.String(36), nullable=False)
    workflow_input = sa.Column(JSON)
    workflow_params = sa.Column(JSON)
    exchange = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=False)
    event = sa.Column(sa.String(255), nullable=False)
    scope = sa.Column(sa.String(80), default="private")
    project_id = sa.Column(sa.String(80), default="<default-project>", index=True)
    trust_id = sa.Column(sa.String(80))
