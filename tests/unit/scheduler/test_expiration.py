"""The execution expiration policy on SQLite, PostgreSQL and MariaDB."""

import datetime

import pytest

from mistral_svc import config
from mistral_svc.db import models, session as db_session
from mistral_svc.scheduler import expiration

NOW = datetime.datetime(2031, 5, 1, 12, 0, 0)
CONF = config.CONF


@pytest.fixture
def policy(db):
    with db_session.transaction() as session:
        for model in (models.ActionExecution, models.TaskExecution):
            session.query(model).delete(synchronize_session=False)
    overrides = []

    def configure(**opts):
        for name, value in opts.items():
            CONF.set_override(name, value, group="execution_expiration_policy")
            overrides.append(name)
        return expiration.ExpirationPolicy(clock=lambda: clock[0])

    clock = [NOW]
    configure.clock = clock
    yield configure
    for name in overrides:
        CONF.clear_override(name, group="execution_expiration_policy")


def _execution(name, state, finished_minutes_ago, parent_task=None):
    """A workflow execution finished (last updated) that long before NOW, with one
    task and one action execution."""
    at = NOW - datetime.timedelta(minutes=finished_minutes_ago)
    with db_session.transaction() as session:
        wf_ex = models.WorkflowExecution(
            id=models.new_id(), name=name, workflow_name=name, state=state, params={},
            task_execution_id=parent_task, created_at=at - datetime.timedelta(minutes=1))
        session.add(wf_ex)
        task = models.TaskExecution(id=models.new_id(), name="t", state=state,
                                    workflow_execution_id=wf_ex.id, created_at=at)
        session.add(task)
        session.add(models.ActionExecution(id=models.new_id(), name="std.noop", state=state,
                                           task_execution_id=task.id,
                                           workflow_execution_id=wf_ex.id, created_at=at))
        session.flush()
        # updated_at is stamped on every write: set it last, to the finishing time.
        session.query(models.WorkflowExecution).filter_by(id=wf_ex.id).update(
            {"updated_at": at}, synchronize_session=False)
    return wf_ex.id, task.id


def _names():
    with db_session.transaction(read_only=True) as session:
        return sorted(r.name for r in session.query(models.WorkflowExecution.name))


def _count(model):
    with db_session.transaction(read_only=True) as session:
        return session.query(model).count()


def test_older_than_deletes_finished_executions_with_everything_below(policy):
    run = policy(evaluation_interval=60, older_than=30)
    old_ok, old_task = _execution("old_ok", "SUCCESS", 90)
    _execution("child_of_old", "SUCCESS", 95, parent_task=old_task)
    _execution("old_error", "ERROR", 45)
    _execution("old_running", "RUNNING", 600)
    _execution("recent", "SUCCESS", 10)

    assert run() == 2
    assert _names() == ["old_running", "recent"]
    # Tasks and action executions went with their executions, sub-workflows too.
    assert _count(models.TaskExecution) == 2
    assert _count(models.ActionExecution) == 2

    # Not again before evaluation_interval has passed...
    _execution("old_again", "CANCELLED", 120)
    policy.clock[0] = NOW + datetime.timedelta(minutes=59)
    assert run() == 0
    policy.clock[0] = NOW + datetime.timedelta(minutes=60)
    # An hour on, "recent" has expired too.
    assert run() == 2
    assert _names() == ["old_running"]


def test_max_finished_executions_keeps_the_newest(policy):
    run = policy(evaluation_interval=1, max_finished_executions=2, batch_size=1)
    for minutes in (50, 40, 30, 20, 10):
        _execution("done_%d" % minutes, "SUCCESS", minutes)
    _execution("running", "RUNNING", 100)
    assert run() == 3
    assert _names() == ["done_10", "done_20", "running"]


def test_ignored_states_are_kept(policy):
    run = policy(evaluation_interval=1, older_than=1, ignored_states=["ERROR"])
    _execution("failed", "ERROR", 100)
    _execution("cancelled", "CANCELLED", 100)
    assert run() == 1
    assert _names() == ["failed"]


def test_no_interval_no_evaluation(policy):
    run = policy(older_than=1)
    _execution("kept", "SUCCESS", 100)
    assert run() == 0
    assert _names() == ["kept"]
