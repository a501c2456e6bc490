"""Database sessions through oslo.db's enginefacade, and after-commit hooks.

``transaction()`` opens one short writer transaction (nested calls join it). Work that
must only happen once the data it depends on is durable — above all RPC casts — is
queued with ``after_commit()`` and run after COMMIT; on rollback it is dropped. This is
how "persist before send" holds everywhere without each caller remembering it.

SQLite (the embedded default) allows one writer at a time: writer transactions there
take a process-wide lock and WAL mode lets readers proceed alongside.
"""

import contextlib
import threading

import sqlalchemy as sa
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade

_local = threading.local()
_lock = threading.Lock()
_state = {"ctx": None, "url": None, "sqlite": False}
_sqlite_write_lock = threading.RLock()


class _Holder:
    """The per-transaction object enginefacade attaches its session to."""


def configure(url, **kwargs):
    """Point the session factory at ``url`` (idempotent for the same URL); ``kwargs``
    may size the pool of a server database: max_pool_size, max_overflow,
    pool_timeout."""
    with _lock:
        if _state["ctx"] is not None and _state["url"] == url:
            return
        ctx = enginefacade.transaction_context()
        # thread_checkin makes oslo.db sleep(0) on every statement (for eventlet); with
        # real threads it only hands the GIL away mid-transaction, while holding locks.
        opts = {"connection": url, "thread_checkin": False}
        is_sqlite = url.startswith("sqlite")
        if is_sqlite:
            opts["sqlite_fk"] = False
        else:
            opts.update(max_pool_size=kwargs.get("max_pool_size") or 20,
                        max_overflow=kwargs.get("max_overflow") or 40,
                        pool_timeout=kwargs.get("pool_timeout") or 30)
        ctx.configure(**opts)
        _state.update(ctx=ctx, url=url, sqlite=is_sqlite)
        if url.startswith(("mysql", "mariadb")):
            engine = ctx.writer.get_engine()
            sa.event.listen(engine, "connect", _read_committed)
            # Creating the engine opened a test connection, pooled before the listener
            # existed: drop it, so every connection in use is READ COMMITTED.
            engine.pool.dispose()
        if not is_sqlite:
            sa.event.listen(ctx.writer.get_engine(), "do_connect", _connect)
            _batch_executemany(ctx.writer.get_engine())
        if is_sqlite:
            engine = ctx.writer.get_engine()
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            if ":memory:" not in url:
                _pool_sqlite_connections(engine)


def _pool_sqlite_connections(engine):
    """Give a file SQLite engine a real pool.

    oslo.db gives file databases a NullPool: every transaction would open a connection
    (SQLite then re-reads the schema) and close it, checkpointing the WAL when it was
    the last one. A QueuePool built like SQLAlchemy's own ``Pool.recreate`` keeps the
    dialect and every event listener oslo.db and this module registered.
    """
    old = engine.pool
    engine.pool = sa.pool.QueuePool(
        old._creator, pool_size=8, max_overflow=24, timeout=60,
        recycle=old._recycle, reset_on_return=old._reset_on_return,
        _dispatch=old.dispatch, dialect=old._dialect,
    )
    old.dispose()


def _batch_executemany(engine):
    """Send an executemany of psycopg2 in pages of statements, not one by one.

    A batch of results updates many action and task rows with the same columns; the
    ORM hands those to one executemany, which psycopg2 on its own runs as one round
    trip per row. This is SQLAlchemy's ``executemany_mode="values_plus_batch"``, which
    oslo.db's engine options do not reach; the dialect reads it on every executemany.
    """
    dialect = engine.dialect
    if dialect.driver != "psycopg2":
        return
    from sqlalchemy.dialects.postgresql import psycopg2 as pg

    if not hasattr(pg, "EXECUTEMANY_VALUES_PLUS_BATCH"):
        return  # a SQLAlchemy without the mode: plain executemany still works
    dialect.executemany_mode = pg.EXECUTEMANY_VALUES_PLUS_BATCH
    # What SQLAlchemy's initialize() derives from that mode: a paged batch reports no
    # per-statement row counts.
    dialect.supports_sane_multi_rowcount = False


def _connect(dialect, _record, cargs, cparams):
    """Open a DBAPI connection; failing to is DBConnectionError (the database is away).

    oslo.db recognises that from libpq's older wording only ("could not connect to
    server") and passes today's ("connection to server at ... failed") on as a bare
    OperationalError, which the API would answer with 500 instead of 503 and the engine
    would not retry."""
    try:
        return dialect.connect(*cargs, **cparams)
    except dialect.loaded_dbapi.OperationalError as e:
        raise db_exc.DBConnectionError(e)


def _read_committed(dbapi_conn, _record):
    """MySQL/MariaDB default to REPEATABLE READ, where a transaction's plain reads all
    see the snapshot of its first read, taken before it waited for an execution's row
    lock; what it then reads of tasks would be stale. Every handler locks first and
    reads after, so it needs READ COMMITTED, which PostgreSQL uses by default."""
    cur = dbapi_conn.cursor()
    cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    cur.close()


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # WAL lets readers (API requests) run alongside the single writer; with it, NORMAL
    # sync only fsyncs at checkpoints and stays safe against corruption.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def get_engine():
    """The SQLAlchemy engine (configure() first)."""
    return _state["ctx"].writer.get_engine()


def is_sqlite():
    return _state["sqlite"]


def dispose():
    """Drop pooled connections (tests and shutdown)."""
    with _lock:
        if _state["ctx"] is not None:
            try:
                _state["ctx"].writer.get_engine().dispose()
            except Exception:  # noqa: BLE001 - best effort on shutdown
                pass
        _state.update(ctx=None, url=None)


def current_session():
    """The session of the transaction open in this thread, or None."""
    stack = getattr(_local, "stack", None)
    return stack[-1][0] if stack else None


@contextlib.contextmanager
def transaction(read_only=False):
    """A unit of work. Nested calls join the outer transaction."""
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    if stack:
        yield stack[-1][0]
        return
    ctx = _state["ctx"]
    if ctx is None:
        raise RuntimeError("database is not configured")
    hooks = []
    lock = _sqlite_write_lock if (_state["sqlite"] and not read_only) else None
    if lock is not None:
        lock.acquire()
    try:
        factory = ctx.reader if read_only else ctx.writer
        with factory.using(_Holder()) as session:
            stack.append((session, hooks))
            try:
                yield session
            finally:
                stack.pop()
    finally:
        if lock is not None:
            lock.release()
    for hook in hooks:
        hook()


def after_commit(func):
    """Run ``func`` once the current transaction has committed (at once if none is open)."""
    stack = getattr(_local, "stack", None)
    if not stack:
        func()
        return
    stack[-1][1].append(func)


def after_commit_batch(key, item, func):
    """Collect ``item`` under ``key`` and, once the current transaction has committed,
    call ``func(items)`` once with everything collected under that key (at once, with
    ``[item]``, if no transaction is open). Lets one transaction's many casts leave as
    a few messages."""
    stack = getattr(_local, "stack", None)
    if not stack:
        func([item])
        return
    hooks = stack[-1][1]
    for hook in hooks:
        if getattr(hook, "batch_key", None) == key:
            hook.items.append(item)
            return
    hook = _BatchHook(key, func)
    hook.items.append(item)
    hooks.append(hook)


class _BatchHook:
    """An after-commit hook that hands its collected items to one call."""

    def __init__(self, key, func):
        self.batch_key = key
        self.items = []
        self._func = func

    def __call__(self):
        self._func(self.items)


def retry_on_deadlock(func):
    """Retry a whole transaction a bounded number of times on deadlock or lost race."""
    from oslo_db import api as oslo_db_api

    return oslo_db_api.wrap_db_retry(
        max_retries=10,
        retry_on_deadlock=True,
        retry_interval=0.05,
        inc_retry_interval=True,
        max_retry_interval=1,
        exception_checker=lambda e: isinstance(e, db_exc.DBConnectionError),
    )(func)
