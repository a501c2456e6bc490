"""The three state machines: every move either passes ``check`` or raises."""

import itertools

import pytest

from mistral_svc.workflow import states

S = states

# The legal moves, written out independently of the module's tables.
EXPECTED = {
    "workflow": {
        S.IDLE: {S.RUNNING, S.ERROR, S.CANCELLED},
        S.RUNNING: {S.PAUSED, S.SUCCESS, S.ERROR, S.CANCELLED},
        S.PAUSED: {S.RUNNING, S.SUCCESS, S.ERROR, S.CANCELLED},
        S.SUCCESS: set(),
        S.ERROR: {S.RUNNING},
        S.CANCELLED: {S.RUNNING},
        S.WAITING: set(),
        S.RUNNING_DELAYED: set(),
    },
    "task": {
        S.IDLE: {S.RUNNING, S.WAITING, S.RUNNING_DELAYED, S.ERROR, S.CANCELLED, S.PAUSED},
        S.WAITING: {S.RUNNING, S.RUNNING_DELAYED, S.ERROR, S.CANCELLED, S.PAUSED},
        S.RUNNING: {S.RUNNING_DELAYED, S.PAUSED, S.SUCCESS, S.ERROR, S.CANCELLED},
        S.RUNNING_DELAYED: {S.RUNNING, S.WAITING, S.PAUSED, S.SUCCESS, S.ERROR,
                            S.CANCELLED},
        S.PAUSED: {S.RUNNING, S.RUNNING_DELAYED, S.WAITING, S.ERROR, S.CANCELLED},
        S.SUCCESS: set(),
        S.ERROR: {S.RUNNING},
        S.CANCELLED: {S.RUNNING},
    },
    "action": {
        S.IDLE: {S.RUNNING, S.ERROR, S.CANCELLED},
        S.RUNNING: {S.SUCCESS, S.ERROR, S.CANCELLED, S.PAUSED},
        S.PAUSED: {S.RUNNING, S.SUCCESS, S.ERROR, S.CANCELLED},
        S.SUCCESS: set(),
        S.ERROR: set(),
        S.CANCELLED: set(),
        S.WAITING: set(),
        S.RUNNING_DELAYED: set(),
    },
}

MOVES = [
    (kind, frm, to, frm == to or to in EXPECTED[kind][frm])
    for kind in EXPECTED
    for frm, to in itertools.product(S.ALL, S.ALL)
]


@pytest.mark.parametrize("kind,frm,to,legal", MOVES,
                         ids=["%s:%s->%s" % m[:3] for m in MOVES])
def test_every_move(kind, frm, to, legal):
    assert states.is_valid(kind, frm, to) is legal
    if legal:
        states.check(kind, frm, to)
    else:
        with pytest.raises(states.InvalidStateTransition) as exc:
            states.check(kind, frm, to)
        assert (exc.value.kind, exc.value.from_state, exc.value.to_state) == (kind, frm, to)


def test_every_state_is_covered():
    assert set(S.ALL) == {"IDLE", "WAITING", "RUNNING", "RUNNING_DELAYED", "PAUSED",
                          "SUCCESS", "CANCELLED", "ERROR"}
    assert set(EXPECTED["task"]) == set(S.ALL)


@pytest.mark.parametrize("kind", ["workflow", "task", "action"])
def test_success_is_final(kind):
    for to in S.ALL:
        if to != S.SUCCESS:
            with pytest.raises(states.InvalidStateTransition):
                states.check(kind, S.SUCCESS, to)


@pytest.mark.parametrize("kind", ["workflow", "task"])
@pytest.mark.parametrize("frm", [S.ERROR, S.CANCELLED])
def test_failed_workflows_and_tasks_can_be_rerun(kind, frm):
    states.check(kind, frm, S.RUNNING)
    with pytest.raises(states.InvalidStateTransition):
        states.check(kind, frm, S.SUCCESS)


@pytest.mark.parametrize("frm", [S.ERROR, S.CANCELLED])
def test_action_executions_are_never_rerun(frm):
    with pytest.raises(states.InvalidStateTransition):
        states.check("action", frm, S.RUNNING)


@pytest.mark.parametrize("to", [S.WAITING, S.RUNNING_DELAYED])
def test_workflow_never_waits_or_is_delayed(to):
    for frm in (S.IDLE, S.RUNNING, S.PAUSED):
        with pytest.raises(states.InvalidStateTransition):
            states.check("workflow", frm, to)


def test_staying_in_the_same_state_is_always_allowed():
    for kind, state in itertools.product(("workflow", "task", "action"), S.ALL):
        states.check(kind, state, state)


def test_error_message_names_kind_and_states():
    with pytest.raises(states.InvalidStateTransition,
                       match="Can't change task state from SUCCESS to RUNNING"):
        states.check("task", S.SUCCESS, S.RUNNING)


def test_unknown_machine_is_rejected():
    with pytest.raises(KeyError):
        states.check("cron", S.IDLE, S.RUNNING)


def test_unknown_state_only_moves_to_itself():
    assert not states.is_valid("task", "BOGUS", S.RUNNING)
    assert not states.is_valid("task", S.RUNNING, "BOGUS")


@pytest.mark.parametrize("state,completed", [
    (S.SUCCESS, True), (S.ERROR, True), (S.CANCELLED, True),
    (S.IDLE, False), (S.WAITING, False), (S.RUNNING, False),
    (S.RUNNING_DELAYED, False), (S.PAUSED, False),
])
def test_is_completed(state, completed):
    assert states.is_completed(state) is completed
    assert (state in S.COMPLETED) is completed


def test_active_states_are_not_completed_nor_paused():
    assert set(S.ACTIVE) == {S.IDLE, S.WAITING, S.RUNNING, S.RUNNING_DELAYED}
    assert not set(S.ACTIVE) & set(S.COMPLETED)
