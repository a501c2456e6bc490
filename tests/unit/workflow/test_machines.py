"""The three state machines: (state, event) tables, and the one function that moves."""

import itertools

import pytest

from mistral_svc.workflow import machines as M, records, states as S
from mistral_svc.workflow.delta import Delta

# Every legal (from, event) -> to, written out independently of the module's tables.
# None is an entity that does not exist yet.
ACTIVE = (S.IDLE, S.WAITING, S.RUNNING, S.RUNNING_DELAYED)
EXPECTED = {
    "workflow": {
        (None, M.CREATE): S.RUNNING, (None, M.FAIL): S.ERROR,
        (S.IDLE, M.START): S.RUNNING,
        (S.RUNNING, M.PAUSE): S.PAUSED, (S.PAUSED, M.RESUME): S.RUNNING,
        (S.RUNNING, M.SUCCEED): S.SUCCESS, (S.PAUSED, M.SUCCEED): S.SUCCESS,
        **{(s, M.FAIL): S.ERROR for s in (S.IDLE, S.RUNNING, S.PAUSED)},
        **{(s, M.CANCEL): S.CANCELLED for s in (S.IDLE, S.RUNNING, S.PAUSED)},
        (S.ERROR, M.RERUN): S.RUNNING, (S.CANCELLED, M.RERUN): S.RUNNING,
    },
    "task": {
        (None, M.CREATE): S.RUNNING, (None, M.HOLD): S.IDLE, (None, M.WAIT): S.WAITING,
        (None, M.DELAY): S.RUNNING_DELAYED, (None, M.FAIL): S.ERROR,
        **{(s, M.HOLD): S.IDLE for s in (S.RUNNING, S.WAITING, S.RUNNING_DELAYED)},
        **{(s, M.START): S.RUNNING for s in ACTIVE + (S.PAUSED,)},
        **{(s, M.DELAY): S.RUNNING_DELAYED for s in ACTIVE + (S.PAUSED,)},
        **{(s, M.PAUSE): S.PAUSED for s in ACTIVE},
        (S.PAUSED, M.RESUME): S.RUNNING,
        (S.RUNNING, M.SUCCEED): S.SUCCESS, (S.RUNNING_DELAYED, M.SUCCEED): S.SUCCESS,
        **{(s, M.FAIL): S.ERROR for s in ACTIVE + (S.PAUSED,)},
        **{(s, M.CANCEL): S.CANCELLED for s in ACTIVE + (S.PAUSED,)},
        (S.ERROR, M.RERUN): S.RUNNING, (S.CANCELLED, M.RERUN): S.RUNNING,
        (S.ERROR, M.SKIP): S.SKIPPED,
    },
    "action": {
        (None, M.CREATE): S.RUNNING, (None, M.HOLD): S.IDLE,
        (None, M.SUCCEED): S.SUCCESS, (None, M.FAIL): S.ERROR,
        (S.IDLE, M.START): S.RUNNING, (S.RUNNING, M.PAUSE): S.PAUSED,
        (S.PAUSED, M.RESUME): S.RUNNING,
        (S.RUNNING, M.SUCCEED): S.SUCCESS, (S.PAUSED, M.SUCCEED): S.SUCCESS,
        **{(s, M.FAIL): S.ERROR for s in (S.IDLE, S.RUNNING, S.PAUSED)},
        **{(s, M.CANCEL): S.CANCELLED for s in (S.IDLE, S.RUNNING, S.PAUSED)},
    },
}

EVENTS = (M.CREATE, M.HOLD, M.WAIT, M.DELAY, M.START, M.PAUSE, M.RESUME, M.SUCCEED,
          M.FAIL, M.CANCEL, M.RERUN, M.SKIP)
CASES = [(kind, frm, event) for kind in EXPECTED
         for frm, event in itertools.product((None,) + S.ALL, EVENTS)]


@pytest.mark.parametrize("kind,frm,event", CASES, ids=["%s:%s-%s" % c for c in CASES])
def test_every_event_from_every_state(kind, frm, event):
    expected = EXPECTED[kind].get((frm, event))
    entity = records.TaskEx(id="t", state=frm)
    if expected is None:
        assert not M.can(kind, frm, event)
        with pytest.raises(S.InvalidStateTransition):
            M.transition(kind, entity, event)
        assert entity.state == frm
    else:
        assert M.transition(kind, entity, event) == expected
        assert entity.state == expected


@pytest.mark.parametrize("kind", ["workflow", "task", "action"])
def test_success_and_skipped_are_final(kind):
    for event in EVENTS:
        assert not M.can(kind, S.SUCCESS, event)
        assert not M.can(kind, S.SKIPPED, event)


@pytest.mark.parametrize("frm", [S.ERROR, S.CANCELLED])
def test_action_executions_are_never_rerun(frm):
    assert not any(M.can("action", frm, e) for e in EVENTS)


def test_transition_records_the_change_in_a_delta():
    delta = Delta()
    task_ex = records.TaskEx(id="t", state=S.RUNNING)
    M.transition("task", task_ex, M.FAIL, delta, state_info="boom")
    assert (task_ex.state, task_ex.state_info) == (S.ERROR, "boom")
    assert delta.changed == [(task_ex, {"state", "state_info"})]


def test_event_between_names_the_move_for_a_target_state():
    assert M.event_between("action", S.PAUSED, S.RUNNING) == M.RESUME
    assert M.event_between("action", S.IDLE, S.RUNNING) == M.START
    with pytest.raises(S.InvalidStateTransition,
                       match="Can't change action state from SUCCESS to RUNNING"):
        M.event_between("action", S.SUCCESS, S.RUNNING)


def test_is_valid_follows_the_tables():
    assert M.is_valid("task", S.ERROR, S.SKIPPED)
    assert not M.is_valid("workflow", S.RUNNING, S.WAITING)
    assert M.is_valid("task", "BOGUS", "BOGUS")
    assert not M.is_valid("task", "BOGUS", S.RUNNING)
