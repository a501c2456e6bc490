"""The scheduler's poll loop: delivery, release of undeliverable jobs, hooks, pause."""

import threading
import time

import pytest

from mistral_svc import config
from mistral_svc.scheduler import jobs, service

CONF = config.CONF


class Engine:
    def __init__(self, fail=False):
        self.jobs = []
        self.fail = fail

    def process_job(self, ctx, func_name, func_args):
        if self.fail:
            raise ConnectionError("broker away")
        self.jobs.append((func_name, func_args))


@pytest.fixture
def fast():
    CONF.set_override("fixed_delay", 0.02, group="scheduler")
    yield
    CONF.clear_override("fixed_delay", group="scheduler")


def test_poll_hands_jobs_over_and_removes_them(db):
    jobs.schedule("task_retry", {"task_ex_id": "a"})
    jobs.schedule("task_retry", {"task_ex_id": "b"})
    engine = Engine()
    assert service.SchedulerService().poll(engine) == 2
    assert sorted(a["task_ex_id"] for _, a in engine.jobs) == ["a", "b"]
    assert jobs.claim_due("other", 60, 10) == []


def test_jobs_that_could_not_be_sent_are_retried_at_the_next_poll(db):
    jobs.schedule("task_retry", {"task_ex_id": "a"})
    scheduler = service.SchedulerService()
    assert scheduler.poll(Engine(fail=True)) == 1
    engine = Engine()
    assert scheduler.poll(engine) == 1
    assert engine.jobs == [("task_retry", {"task_ex_id": "a"})]


def test_a_failing_hook_does_not_stop_the_others(db):
    scheduler = service.SchedulerService()
    scheduler._engine = Engine()
    calls = []

    def broken():
        raise RuntimeError("boom")

    scheduler.add_hook(broken)
    scheduler.add_hook(lambda: calls.append(1))
    scheduler.run_once()
    assert calls == [1]


def test_pause_waits_for_the_round_and_stops_polling(db, fast):
    scheduler = service.SchedulerService()
    scheduler._engine = engine = Engine()
    stopped = threading.Event()

    class Hook:
        def __call__(self):
            pass

        def stop(self):
            stopped.set()

    scheduler.add_hook(Hook())
    scheduler.start()
    try:
        assert scheduler in service.started()
        scheduler.pause()
        jobs.schedule("f", {})
        time.sleep(0.2)
        assert engine.jobs == []
        scheduler.resume()
        deadline = time.monotonic() + 5
        while not engine.jobs and time.monotonic() < deadline:
            time.sleep(0.02)
        assert engine.jobs == [("f", {})]
    finally:
        scheduler.stop()
    assert scheduler not in service.started()
    assert stopped.is_set()
