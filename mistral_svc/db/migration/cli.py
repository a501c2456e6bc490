"""Schema management through alembic: upgrade, current, stamp, revision."""

import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration

from mistral_svc.db import session as db_session

_INI = os.path.join(os.path.dirname(__file__), "alembic.ini")


def _config(connection):
    cfg = alembic_config.Config(_INI)
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(revision="head"):
    """Bring the schema of the configured database to ``revision``."""
    with db_session.get_engine().begin() as conn:
        command.upgrade(_config(conn), revision)


def current():
    """The revision the database is at, or None for an empty database."""
    with db_session.get_engine().connect() as conn:
        return migration.MigrationContext.configure(conn).get_current_revision()


def head():
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config.Config(_INI)).get_current_head()


def revision(message, autogenerate=True):
    """Write a new migration script (developers only)."""
    with db_session.get_engine().begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=autogenerate)
