"""Due jobs: schedule delayed work, and claim it with a lease so it runs exactly once.

A job is claimed by one conditional UPDATE (``lease_owner``/``lease_expires_at`` set only
where no live lease exists), so any number of schedulers can poll the same table. A
claimed job is deleted once its work was handed over; if its holder dies first, the lease
expires and another scheduler claims it.
"""

import datetime

import sqlalchemy as sa

from mistral_svc.db import api as db_api, models


def schedule(func_name, func_args, delay=0.0, key=None):
    """Add a job due in ``delay`` seconds; with ``key``, an existing job of that key wins
    (re-scheduling the same delayed work twice is a no-op)."""
    with db_api.transaction() as session:
        if key is not None:
            existing = session.query(models.ScheduledJob).filter_by(key=key).first()
            if existing is not None:
                return existing
        job = models.ScheduledJob(
            id=models.new_id(),
            run_after=models.utcnow() + datetime.timedelta(seconds=float(delay)),
            func_name=func_name,
            func_args=func_args,
            key=key,
            created_at=models.utcnow(),
        )
        session.add(job)
        return job


def claim_due(owner, lease_seconds, limit):
    """Claim up to ``limit`` due jobs for ``owner``; returns the claimed jobs' values."""
    now = models.utcnow()
    expires = now + datetime.timedelta(seconds=lease_seconds)
    table = models.ScheduledJob.__table__
    with db_api.transaction(read_only=True) as session:
        candidates = [
            r.id for r in session.query(models.ScheduledJob.id)
            .filter(models.ScheduledJob.run_after <= now)
            .filter(sa.or_(models.ScheduledJob.lease_expires_at.is_(None),
                           models.ScheduledJob.lease_expires_at < now))
            .order_by(models.ScheduledJob.run_after)
            .limit(limit)
        ]
    claimed = []
    for job_id in candidates:
        with db_api.transaction() as session:
            result = session.execute(
                table.update()
                .where(table.c.id == job_id)
                .where(sa.or_(table.c.lease_expires_at.is_(None),
                              table.c.lease_expires_at < now))
                .values(lease_owner=owner, lease_expires_at=expires)
            )
            if result.rowcount == 1:
                job = session.get(models.ScheduledJob, job_id)
                claimed.append({"id": job.id, "func_name": job.func_name,
                                "func_args": job.func_args or {}})
    return claimed


def done(job_id):
    """Remove a job whose work was handed over."""
    with db_api.transaction() as session:
        session.query(models.ScheduledJob).filter_by(id=job_id).delete(
            synchronize_session=False)
