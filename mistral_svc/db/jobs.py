"""Due jobs as rows: written in the transaction of the state change that asks for them.

The scheduler (``scheduler.jobs``) claims them with leases and hands them to engines;
the engine writes them here, so a delay survives the restart of any service.
"""

import datetime

from sqlalchemy.dialects import mysql, postgresql, sqlite

from mistral_svc.db import api as db_api, models, session as db_session

JOBS = models.ScheduledJob.__table__
_JOBS = JOBS


def dialect():
    return db_session.get_engine().dialect.name


def schedule(func_name, func_args, delay=0.0, key=None):
    """Add a job that calls the engine's ``func_name`` handler with ``func_args`` once
    ``delay`` seconds have passed.

    With ``key``, at most one job of that key exists: scheduling the same delayed work
    again while the first job is pending is a no-op (an existing job of the key wins).
    Runs inside the caller's transaction when one is open, so the job appears exactly
    when the state change that asked for it commits.
    """
    now = models.utcnow()
    values = {
        "id": models.new_id(),
        "run_after": now + datetime.timedelta(seconds=max(0.0, float(delay))),
        "func_name": func_name,
        "func_args": func_args or {},
        "key": key,
        "created_at": now,
    }
    with db_api.transaction() as session:
        session.execute(_insert(values))


def _insert(values):
    """An INSERT that, for a keyed job, does nothing when the key exists already.

    A plain INSERT would raise on the duplicate key, and on PostgreSQL that error
    would abort the caller's whole transaction; each dialect's own conflict clause
    keeps the statement harmless instead.
    """
    if values["key"] is None:
        return _JOBS.insert().values(**values)
    name = dialect()
    if name == "postgresql":
        return postgresql.insert(_JOBS).values(**values).on_conflict_do_nothing(
            index_elements=["key"])
    if name == "sqlite":
        return sqlite.insert(_JOBS).values(**values).on_conflict_do_nothing(
            index_elements=["key"])
    if name in ("mysql", "mariadb"):
        stmt = mysql.insert(_JOBS).values(**values)
        return stmt.on_duplicate_key_update(key=stmt.inserted.key)
    raise NotImplementedError("unsupported database dialect %s" % name)


def cancel(key):
    """Drop the pending job of ``key`` (e.g. a task timeout once the task finished)."""
    with db_api.transaction() as session:
        session.execute(_JOBS.delete().where(_JOBS.c.key == key))


