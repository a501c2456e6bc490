"""Due jobs on SQLite, PostgreSQL and MariaDB: scheduling, claiming with a lease,
expiry of a dead holder's lease, and no double claims under concurrency."""

import datetime
import threading

import pytest

from mistral_svc.db import api as db_api, models
from mistral_svc.scheduler import jobs

def _later(seconds):
    return models.utcnow() + datetime.timedelta(seconds=seconds)


def _count():
    with db_api.transaction() as session:
        return session.query(models.ScheduledJob).count()


def test_job_is_not_claimed_before_it_is_due(db):
    jobs.schedule("task_retry", {"task_ex_id": "t1"}, delay=30)
    assert jobs.claim_due("s1", 60, 10) == []
    claimed = jobs.claim_due("s1", 60, 10, now=_later(31))
    assert [(j["func_name"], j["func_args"]) for j in claimed] == [
        ("task_retry", {"task_ex_id": "t1"})]


def test_claimed_job_is_not_claimed_again_while_leased(db):
    jobs.schedule("f", {}, delay=0)
    assert len(jobs.claim_due("s1", 60, 10)) == 1
    assert jobs.claim_due("s2", 60, 10) == []
    assert jobs.claim_due("s2", 60, 10, now=_later(59)) == []


def test_lease_of_a_dead_holder_expires_and_another_claims_the_job(db):
    jobs.schedule("f", {"n": 1}, delay=0)
    first = jobs.claim_due("dead", 5, 10)
    assert len(first) == 1
    again = jobs.claim_due("alive", 5, 10, now=_later(6))
    assert [j["id"] for j in again] == [first[0]["id"]]
    assert again[0]["lease"] != first[0]["lease"]


def test_done_removes_jobs_in_one_batch(db):
    for n in range(3):
        jobs.schedule("f", {"n": n}, delay=0)
    claimed = jobs.claim_due("s1", 60, 10)
    jobs.done(*[j["id"] for j in claimed])
    jobs.done()
    assert _count() == 0


def test_release_makes_a_job_claimable_at_once(db):
    jobs.schedule("f", {}, delay=0)
    claimed = jobs.claim_due("s1", 60, 10)
    jobs.release([claimed[0]["id"]], "someone-else's-lease")
    assert jobs.claim_due("s2", 60, 10) == []
    jobs.release([claimed[0]["id"]], claimed[0]["lease"])
    assert [j["id"] for j in jobs.claim_due("s2", 60, 10)] == [claimed[0]["id"]]


def test_claim_takes_oldest_first_and_at_most_limit(db):
    for n in (3, 0, 4, 1, 2):
        jobs.schedule("f", {"n": n}, delay=n)
    claimed = jobs.claim_due("s1", 60, 2, now=_later(10))
    assert sorted(j["func_args"]["n"] for j in claimed) == [0, 1]
    rest = jobs.claim_due("s1", 60, 10, now=_later(10))
    assert sorted(j["func_args"]["n"] for j in rest) == [2, 3, 4]


def test_a_key_keeps_one_pending_job(db):
    jobs.schedule("task_timeout", {"task_ex_id": "t", "timeout": 1}, delay=5, key="to:t")
    jobs.schedule("task_timeout", {"task_ex_id": "t", "timeout": 9}, delay=1, key="to:t")
    assert _count() == 1
    claimed = jobs.claim_due("s1", 60, 10, now=_later(6))
    assert claimed[0]["func_args"]["timeout"] == 1
    jobs.done(claimed[0]["id"])
    jobs.schedule("task_timeout", {"task_ex_id": "t", "timeout": 2}, delay=0, key="to:t")
    assert _count() == 1


def test_a_duplicate_key_leaves_the_callers_transaction_usable(db):
    jobs.schedule("f", {}, delay=60, key="k")
    with db_api.transaction() as session:
        jobs.schedule("f", {}, delay=60, key="k")
        jobs.schedule("g", {}, delay=60, key="other")
        session.flush()
    assert _count() == 2


def test_a_job_scheduled_in_a_rolled_back_transaction_never_exists(db):
    with pytest.raises(RuntimeError):
        with db_api.transaction():
            jobs.schedule("f", {}, delay=0)
            raise RuntimeError("the state change failed")
    assert _count() == 0


def test_cancel_by_key(db):
    jobs.schedule("task_timeout", {}, delay=60, key="timeout:t1")
    jobs.schedule("task_timeout", {}, delay=60, key="timeout:t2")
    jobs.cancel("timeout:t1")
    jobs.cancel("timeout:nothing")
    assert _count() == 1


def test_concurrent_schedulers_never_claim_a_job_twice(db):
    total = 200
    with db_api.transaction():
        for n in range(total):
            jobs.schedule("f", {"n": n}, delay=0)
    claims = {}
    errors = []
    start = threading.Barrier(6)

    def scheduler(owner):
        try:
            start.wait()
            mine = claims.setdefault(owner, [])
            while True:
                batch = jobs.claim_due(owner, 60, 7)
                if not batch:
                    return
                mine.extend(j["func_args"]["n"] for j in batch)
                jobs.done(*[j["id"] for j in batch])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=scheduler, args=("s%d" % i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    claimed = [n for mine in claims.values() for n in mine]
    assert len(claimed) == len(set(claimed)) == total
    assert _count() == 0
