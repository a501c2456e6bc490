"""Fixtures for database contract tests: one test against SQLite, PostgreSQL, MariaDB.

SQLite always runs. PostgreSQL and MariaDB run when they answer on 127.0.0.1 and are
skipped otherwise, except under ``CI=true`` where they are mandatory (the rule of
``tests/integration``). Each backend gets a fresh database with the full schema for
the module, and the tables the tests write are emptied before every test.

The process holds one database configuration at a time. A scheduler started by the
functional tests' in-process service would poll whatever database is configured, so
those schedulers are paused while a contract test has the process pointed elsewhere.
"""

import os
import tempfile

import pytest

from mistral_svc.db import models, session as db_session
from mistral_svc.db.migration import cli as migration
from tests.integration.conftest import drop_database, fresh_database, require

_TABLES = (models.ScheduledJob, models.CronTrigger, models.WorkflowExecution,
           models.WorkflowDefinition)


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def database(request):
    """A fresh, migrated database of each kind; yields its dialect name."""
    kind = request.param
    if kind == "sqlite":
        url = "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="msvc-db-"), "db.sqlite")
    else:
        require(kind)
        url = fresh_database(kind)
    from mistral_svc.scheduler import service

    paused = service.started()
    for scheduler in paused:
        scheduler.pause()
    previous = db_session._state["url"]
    db_session.dispose()
    try:
        db_session.configure(url)
        migration.upgrade("head")
        yield kind
    finally:
        db_session.dispose()
        if kind != "sqlite":
            drop_database(url)
        if previous:
            db_session.configure(previous)
        for scheduler in paused:
            scheduler.resume()


@pytest.fixture
def db(database):
    """The module's database, with the tables these tests use emptied."""
    with db_session.transaction() as session:
        for model in _TABLES:
            session.query(model).delete(synchronize_session=False)
    return database
