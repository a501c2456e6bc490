"""State machines of workflow, task and action executions, as data.

Each machine maps ``(state, event)`` to the next state. ``None`` stands for an entity
that does not exist yet, so creation is an event like any other. ``transition`` is the
one function that moves an entity: an event its machine does not allow from the
entity's state raises ``InvalidStateTransition`` instead of leaving it silently stuck.
"""

from mistral_svc.workflow import states as S

# Events.
CREATE = "create"              # a new entity that starts at once
HOLD = "hold"                  # created or put aside without starting (paused workflow)
WAIT = "wait"                  # a join waiting for more inbound branches
DELAY = "delay"                # wait-before, wait-after, retry delay
START = "start"                # begin (or begin again) running
PAUSE = "pause"
RESUME = "resume"
SUCCEED = "succeed"
FAIL = "fail"
CANCEL = "cancel"
RERUN = "rerun"
SKIP = "skip"
# Compensation: a succeeded execution reverted on its parent's behalf runs again, and a
# task's revert ends it REVERTED or REVERT_FAILED.
REVERT = "revert"
REVERT_DONE = "revert_done"
REVERT_FAIL = "revert_fail"

_ACTIVE = (S.IDLE, S.WAITING, S.RUNNING, S.RUNNING_DELAYED)


def _rows(*rows):
    table = {}
    for froms, event, to in rows:
        for frm in froms if isinstance(froms, tuple) else (froms,):
            table[(frm, event)] = to
    return table


WORKFLOW = _rows(
    (None, CREATE, S.RUNNING),
    (None, FAIL, S.ERROR),
    (S.IDLE, START, S.RUNNING),
    (S.RUNNING, PAUSE, S.PAUSED),
    (S.PAUSED, RESUME, S.RUNNING),
    ((S.RUNNING, S.PAUSED), SUCCEED, S.SUCCESS),
    ((S.IDLE, S.RUNNING, S.PAUSED), FAIL, S.ERROR),
    ((S.IDLE, S.RUNNING, S.PAUSED), CANCEL, S.CANCELLED),
    ((S.ERROR, S.CANCELLED), RERUN, S.RUNNING),
    (S.SUCCESS, REVERT, S.RUNNING),
)

TASK = _rows(
    (None, CREATE, S.RUNNING),
    (None, HOLD, S.IDLE),
    (None, WAIT, S.WAITING),
    (None, DELAY, S.RUNNING_DELAYED),
    ((S.RUNNING, S.WAITING, S.RUNNING_DELAYED), HOLD, S.IDLE),
    ((S.IDLE, S.WAITING, S.RUNNING_DELAYED, S.PAUSED, S.RUNNING), START, S.RUNNING),
    ((S.IDLE, S.WAITING, S.RUNNING, S.PAUSED, S.RUNNING_DELAYED), DELAY, S.RUNNING_DELAYED),
    ((S.IDLE, S.WAITING, S.RUNNING, S.RUNNING_DELAYED), PAUSE, S.PAUSED),
    (S.PAUSED, RESUME, S.RUNNING),
    ((S.RUNNING, S.RUNNING_DELAYED), SUCCEED, S.SUCCESS),
    (_ACTIVE + (S.PAUSED, None), FAIL, S.ERROR),
    (_ACTIVE + (S.PAUSED,), CANCEL, S.CANCELLED),
    ((S.ERROR, S.CANCELLED), RERUN, S.RUNNING),
    (S.ERROR, SKIP, S.SKIPPED),
    ((S.SUCCESS, S.ERROR), REVERT_DONE, S.REVERTED),
    ((S.SUCCESS, S.ERROR), REVERT_FAIL, S.REVERT_FAILED),
)

ACTION = _rows(
    (None, CREATE, S.RUNNING),
    (None, HOLD, S.IDLE),
    (None, SUCCEED, S.SUCCESS),   # a result known at creation (run-action, sync)
    (None, FAIL, S.ERROR),
    (S.IDLE, START, S.RUNNING),
    (S.PAUSED, RESUME, S.RUNNING),
    (S.RUNNING, PAUSE, S.PAUSED),
    ((S.RUNNING, S.PAUSED), SUCCEED, S.SUCCESS),
    ((S.IDLE, S.RUNNING, S.PAUSED), FAIL, S.ERROR),
    ((S.IDLE, S.RUNNING, S.PAUSED), CANCEL, S.CANCELLED),
)

MACHINES = {"workflow": WORKFLOW, "task": TASK, "action": ACTION}

# The event that brings an entity to a state, for callers that name the target state
# (the API's PUT of a state, a result's outcome).
EVENT_TO = {
    S.RUNNING: START,
    S.PAUSED: PAUSE,
    S.SUCCESS: SUCCEED,
    S.ERROR: FAIL,
    S.CANCELLED: CANCEL,
    S.SKIPPED: SKIP,
    S.IDLE: HOLD,
    S.WAITING: WAIT,
    S.RUNNING_DELAYED: DELAY,
    S.REVERTED: REVERT_DONE,
    S.REVERT_FAILED: REVERT_FAIL,
}


InvalidStateTransition = S.InvalidStateTransition


def next_state(kind, state, event):
    """The state ``event`` moves a ``kind`` entity in ``state`` to; raises
    InvalidStateTransition if the machine has no such move."""
    to = MACHINES[kind].get((state, event))
    if to is None:
        raise InvalidStateTransition(kind, state, _named_target(event), event)
    return to


def event_between(kind, from_state, to_state):
    """An event that moves a ``kind`` entity from one state to the other (for requests
    that name the target state); InvalidStateTransition if there is none."""
    for (frm, event), to in MACHINES[kind].items():
        if frm == from_state and to == to_state:
            return event
    raise InvalidStateTransition(kind, from_state, to_state)


def can(kind, state, event):
    """True if ``event`` is allowed for a ``kind`` entity in ``state``."""
    return (state, event) in MACHINES[kind]


def _named_target(event):
    for state, ev in EVENT_TO.items():
        if ev == event:
            return state
    return event


def transition(kind, entity, event, delta=None, **fields):
    """Move ``entity`` (anything with a ``state`` attribute) by ``event``.

    The one place an execution entity's state changes. ``fields`` are set alongside
    (state_info, timestamps...); with a ``delta`` the change is recorded there for the
    engine to write."""
    new = next_state(kind, entity.state, event)
    fields["state"] = new
    if delta is not None:
        delta.set(entity, **fields)
    else:
        for name, value in fields.items():
            setattr(entity, name, value)
    return new


def legal_moves(kind):
    """``{from_state: {to_state, ...}}`` implied by the machine (existing states only)."""
    moves = {}
    for (frm, _event), to in MACHINES[kind].items():
        if frm is not None:
            moves.setdefault(frm, set()).add(to)
    return moves


def is_valid(kind, from_state, to_state):
    """True if some event moves a ``kind`` entity from one state to the other."""
    if from_state == to_state:
        return True
    return to_state in _MOVES[kind].get(from_state, ())


def check(kind, from_state, to_state):
    """Raise InvalidStateTransition unless some event makes the move."""
    if not is_valid(kind, from_state, to_state):
        raise InvalidStateTransition(kind, from_state, to_state)


_MOVES = {kind: legal_moves(kind) for kind in MACHINES}
