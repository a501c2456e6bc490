"""Cron triggers on SQLite, PostgreSQL and MariaDB: the claim of each firing, missed
slots after downtime, counts running out, and several schedulers racing for a slot."""

import datetime
import threading

import pytest

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models
from mistral_svc.scheduler import cron
from mistral_svc.services import definitions, triggers

WF = """\
version: '2.0'
cron_wf:
  input:
    - who
    - greeting: hello
  tasks:
    t:
      action: std.noop
"""

T0 = datetime.datetime(2030, 1, 1, 12, 0, 0)


class FakeEngine:
    """Records the executions the cron hook asks for."""

    def __init__(self, fail=False):
        self.started = []
        self.fail = fail
        self._lock = threading.Lock()

    def start_workflow(self, ctx, wf_identifier, wf_namespace, wf_input, description,
                       params):
        if self.fail:
            raise exc.NotFound("Workflow not found")
        with self._lock:
            self.started.append({"wf": wf_identifier, "input": wf_input,
                                 "params": params, "description": description})
        return {"id": "ex-%d" % len(self.started)}


@pytest.fixture
def wf(db):
    return definitions.create_workflows(WF)[0]


def _create(name="t", now=T0, **kwargs):
    kwargs.setdefault("workflow_name", "cron_wf")
    kwargs.setdefault("workflow_input", {"who": "world"})
    return triggers.create(name, now=now, **kwargs)


def _fire(at, engine=None):
    engine = engine or FakeEngine()
    return cron.CronTriggers(engine=engine, clock=lambda: at).fire_due(), engine


def _reload(trigger):
    return db_api.get(models.CronTrigger, trigger.id)


def test_pattern_trigger_waits_for_its_first_slot(wf):
    t = _create(pattern="*/5 * * * *", now=T0 + datetime.timedelta(minutes=1))
    assert t.next_execution_time == datetime.datetime(2030, 1, 1, 12, 5)
    assert t.status == triggers.READY and t.remaining_executions is None
    fired, engine = _fire(datetime.datetime(2030, 1, 1, 12, 4, 59))
    assert fired == [] and engine.started == []


def test_each_firing_starts_one_execution_with_the_trigger_id(wf):
    t = _create(pattern="* * * * *", workflow_params={"env": {"a": 1}},
                remaining_executions=3)
    fired, engine = _fire(T0 + datetime.timedelta(minutes=1, seconds=1))
    assert [f.id for f in fired] == [t.id]
    assert engine.started == [{
        "wf": wf.id, "input": {"who": "world"},
        "params": {"env": {"a": 1}, "cron_trigger_id": t.id},
        "description": "Started by cron trigger 't'"}]
    t = _reload(t)
    assert t.remaining_executions == 2 and t.status == triggers.READY
    assert t.next_execution_time == T0 + datetime.timedelta(minutes=2)
    # The same moment again: the slot is taken, nothing fires.
    assert _fire(T0 + datetime.timedelta(minutes=1, seconds=2))[0] == []


def test_count_running_out_leaves_the_trigger_completed(wf):
    t = _create(pattern="* * * * *", remaining_executions=2)
    for minute in (1, 2, 3, 4):
        _fire(T0 + datetime.timedelta(minutes=minute))
    t = _reload(t)
    assert t.status == triggers.COMPLETED and t.remaining_executions == 0
    assert [r.id for r in triggers.list_({"status": ("eq", "COMPLETED")})] == [t.id]
    # As in Mistral, where used-up triggers are deleted, the name is free again.
    again = _create(pattern="* * * * *")
    assert again.id != t.id and again.status == triggers.READY
    assert [r.id for r in triggers.list_({})] == [again.id]


def test_missed_slots_fire_once_after_downtime(wf):
    t = _create(pattern="* * * * *", remaining_executions=10)
    back = T0 + datetime.timedelta(hours=3, seconds=30)
    fired, engine = _fire(back)
    assert len(engine.started) == 1
    t = _reload(t)
    assert t.remaining_executions == 9
    assert t.next_execution_time == datetime.datetime(2030, 1, 1, 15, 1)
    assert _fire(back + datetime.timedelta(seconds=20))[1].started == []


def test_first_execution_time_alone_fires_once(wf):
    t = _create(first_execution_time="2030-01-01 12:30")
    assert t.remaining_executions == 1 and t.pattern is None
    assert t.next_execution_time == datetime.datetime(2030, 1, 1, 12, 30)
    assert _fire(datetime.datetime(2030, 1, 1, 12, 29, 59))[1].started == []
    assert len(_fire(datetime.datetime(2030, 1, 1, 12, 30))[1].started) == 1
    assert _reload(t).status == triggers.COMPLETED
    assert _fire(datetime.datetime(2030, 1, 2))[1].started == []


def test_first_execution_time_then_pattern(wf):
    t = _create(first_execution_time="2030-01-01 12:07", pattern="0 * * * *",
                remaining_executions=2)
    _fire(datetime.datetime(2030, 1, 1, 12, 7))
    assert _reload(t).next_execution_time == datetime.datetime(2030, 1, 1, 13, 0)


def test_a_failed_start_does_not_stop_other_triggers(wf):
    bad = _create("bad", pattern="* * * * *")
    good = _create("good", pattern="* * * * *")
    at = T0 + datetime.timedelta(minutes=1)
    fired, _ = _fire(at, FakeEngine(fail=True))
    assert {t.id for t in fired} == {bad.id, good.id}
    # Both slots were consumed (at most once): the next minute is next.
    assert _reload(good).next_execution_time == T0 + datetime.timedelta(minutes=2)


def test_racing_schedulers_fire_each_slot_once(wf):
    for n in range(5):
        _create("race%d" % n, pattern="* * * * *", remaining_executions=3)
    engine = FakeEngine()
    barrier = threading.Barrier(4)
    errors = []

    def scheduler(minute):
        try:
            barrier.wait()
            cron.CronTriggers(engine=engine, clock=lambda: minute).fire_due()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    for minute in range(1, 6):
        at = T0 + datetime.timedelta(minutes=minute, seconds=1)
        threads = [threading.Thread(target=scheduler, args=(at,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert not errors, errors
    per_trigger = {}
    for started in engine.started:
        key = started["params"]["cron_trigger_id"]
        per_trigger[key] = per_trigger.get(key, 0) + 1
    assert sorted(per_trigger.values()) == [3] * 5


def test_validation(wf):
    cases = [
        dict(pattern="not a pattern"),
        dict(pattern="61 * * * *"),
        dict(),
        dict(pattern="* * * * *", remaining_executions=0),
        dict(pattern="* * * * *", remaining_executions=-2),
        dict(first_execution_time="2030-01-01 12:30", remaining_executions=2),
        dict(first_execution_time="tomorrow"),
        dict(first_execution_time="2029-12-31 23:00"),
        dict(pattern="* * * * *", workflow_input={"nobody": 1}),
        dict(pattern="* * * * *", workflow_input={}),
        dict(pattern="* * * * *", workflow_name=None),
        dict(pattern="* * * * *", workflow_params=[1]),
        dict(pattern="* * * * *", scope="everyone"),
    ]
    for kwargs in cases:
        with pytest.raises(exc.InputError):
            _create(**kwargs)
    with pytest.raises(exc.InputError):
        triggers.create("", workflow_name="cron_wf", pattern="* * * * *", now=T0,
                        workflow_input={"who": "x"})
    with pytest.raises(exc.NotFound):
        _create(pattern="* * * * *", workflow_name="no_such_wf")
    _create(pattern="* * * * *")
    with pytest.raises(exc.Conflict):
        _create(pattern="* * * * *")
    assert _create("recent", first_execution_time="2030-01-01 11:59").status == "READY"
