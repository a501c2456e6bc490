"""Due jobs: schedule delayed work, and claim it with a lease so it runs exactly once.

A scheduler claims a batch of due jobs with one conditional UPDATE that writes a lease
(a token unique to this claim, and an expiry) only on rows that carry no live lease, so
any number of schedulers can poll the same table and each job is claimed by one of them.
A claimed job is deleted once its work was handed over; if its holder dies first, the
lease expires and another scheduler claims it again. The engine's job handlers are
idempotent, so a job delivered twice (holder died after handing it over, before deleting
it) changes nothing the second time.

Clocks: due times and leases are computed from the clock of the process that writes
them, so hosts running engines and schedulers are expected to keep their clocks in sync
(NTP); a skew of a second delays or advances a job by that second, nothing worse.
"""

import datetime
import uuid

import sqlalchemy as sa

from mistral_svc.db import api as db_api, models, session as db_session
from mistral_svc.db.jobs import JOBS as _JOBS, cancel, dialect as _dialect, schedule  # noqa: F401



def claim_due(owner, lease_seconds, limit, now=None):
    """Claim up to ``limit`` due jobs for ``owner``, oldest first.

    Returns a list of ``{"id", "func_name", "func_args", "lease"}``; ``lease`` is the
    claim's token, which ``release`` takes. Costs one round trip on PostgreSQL and
    SQLite (UPDATE ... RETURNING) and two on MySQL/MariaDB (UPDATE ... LIMIT, then a
    SELECT of the rows carrying this claim's token).
    """
    now = now or models.utcnow()
    lease = "%s/%s" % (owner, uuid.uuid4().hex)
    expires = now + datetime.timedelta(seconds=float(lease_seconds))
    return db_session.retry_on_deadlock(_claim)(lease, now, expires, int(limit))


def _claim(lease, now, expires, limit):
    due = sa.and_(
        _JOBS.c.run_after <= now,
        sa.or_(_JOBS.c.lease_expires_at.is_(None), _JOBS.c.lease_expires_at < now),
    )
    cols = (_JOBS.c.id, _JOBS.c.func_name, _JOBS.c.func_args)
    values = {"lease_owner": lease, "lease_expires_at": expires}
    name = _dialect()
    with db_api.transaction() as session:
        if name in ("mysql", "mariadb"):
            # MySQL cannot UPDATE a table through a LIMITed subquery of itself, but
            # takes ORDER BY and LIMIT on the UPDATE directly; its locking read sees
            # the newest committed lease, so a row another scheduler claimed first no
            # longer matches ``due``.
            result = session.execute(sa.text(
                "UPDATE scheduled_jobs_v2 SET lease_owner = :lease, "
                "lease_expires_at = :expires WHERE run_after <= :now AND "
                "(lease_expires_at IS NULL OR lease_expires_at < :now) "
                "ORDER BY run_after LIMIT %d" % limit
            ), {"lease": lease, "expires": expires, "now": now})
            if not result.rowcount:
                return []
            # The expiry is indexed, the token is unique to this claim.
            rows = session.execute(
                sa.select(*cols).where(_JOBS.c.lease_expires_at == expires)
                .where(_JOBS.c.lease_owner == lease).order_by(_JOBS.c.run_after)
            ).all()
        else:
            candidates = sa.select(_JOBS.c.id).where(due).order_by(
                _JOBS.c.run_after).limit(limit)
            if name == "postgresql":
                # Rows another scheduler is claiming right now are skipped rather
                # than waited for; the re-check of ``due`` below (re-evaluated on
                # the newest row version) keeps a row from being claimed twice.
                candidates = candidates.with_for_update(skip_locked=True)
            rows = session.execute(
                _JOBS.update().where(_JOBS.c.id.in_(candidates)).where(due)
                .values(**values).returning(*cols)
            ).all()
    return [{"id": r.id, "func_name": r.func_name, "func_args": r.func_args or {},
             "lease": lease} for r in rows]


def count_due(now=None):
    """How many jobs are due and not claimed by a live lease (the backlog)."""
    now = now or models.utcnow()
    due = sa.and_(
        _JOBS.c.run_after <= now,
        sa.or_(_JOBS.c.lease_expires_at.is_(None), _JOBS.c.lease_expires_at < now),
    )
    with db_api.transaction(read_only=True) as session:
        return session.execute(sa.select(sa.func.count()).select_from(_JOBS)
                               .where(due)).scalar() or 0


def done(*job_ids):
    """Remove jobs whose work was handed over (one statement for the whole batch)."""
    if job_ids:
        _write(_JOBS.delete().where(_JOBS.c.id.in_(job_ids)))


def release(job_ids, lease):
    """Give up the claim ``lease`` on jobs that could not be handed over, so the next
    poll (of any scheduler) retries them instead of waiting for the lease to expire."""
    if job_ids:
        _write(_JOBS.update().where(_JOBS.c.id.in_(list(job_ids)))
               .where(_JOBS.c.lease_owner == lease)
               .values(lease_owner=None, lease_expires_at=None))


@db_session.retry_on_deadlock
def _write(statement):
    # Claims lock rows in run_after order and these statements in primary key order,
    # so InnoDB may pick one of them as a deadlock victim: it is simply run again.
    with db_api.transaction() as session:
        session.execute(statement)
