"""States of workflow, task and action executions, and their legal moves as data.

One check (``check``) guards every state change, so an illegal move raises instead of
leaving an execution silently stuck.
"""

IDLE = "IDLE"
WAITING = "WAITING"
RUNNING = "RUNNING"
RUNNING_DELAYED = "RUNNING_DELAYED"
PAUSED = "PAUSED"
SUCCESS = "SUCCESS"
CANCELLED = "CANCELLED"
ERROR = "ERROR"

ALL = (IDLE, WAITING, RUNNING, RUNNING_DELAYED, PAUSED, SUCCESS, CANCELLED, ERROR)
COMPLETED = (SUCCESS, ERROR, CANCELLED)
ACTIVE = (IDLE, WAITING, RUNNING, RUNNING_DELAYED)

WORKFLOW_MACHINE = {
    IDLE: (RUNNING, ERROR, CANCELLED),
    RUNNING: (PAUSED, SUCCESS, ERROR, CANCELLED),
    PAUSED: (RUNNING, ERROR, CANCELLED, SUCCESS),
    SUCCESS: (),
    ERROR: (RUNNING,),  # rerun
    CANCELLED: (RUNNING,),  # rerun
}

TASK_MACHINE = {
    IDLE: (RUNNING, WAITING, RUNNING_DELAYED, ERROR, CANCELLED, PAUSED),
    WAITING: (RUNNING, RUNNING_DELAYED, ERROR, CANCELLED, PAUSED),
    RUNNING: (RUNNING_DELAYED, PAUSED, SUCCESS, ERROR, CANCELLED),
    RUNNING_DELAYED: (RUNNING, WAITING, ERROR, CANCELLED, PAUSED, SUCCESS),
    PAUSED: (RUNNING, RUNNING_DELAYED, WAITING, ERROR, CANCELLED),
    SUCCESS: (),
    ERROR: (RUNNING,),  # rerun
    CANCELLED: (RUNNING,),  # rerun
}

ACTION_MACHINE = {
    IDLE: (RUNNING, ERROR, CANCELLED),
    RUNNING: (SUCCESS, ERROR, CANCELLED, PAUSED),
    PAUSED: (RUNNING, SUCCESS, ERROR, CANCELLED),
    SUCCESS: (),
    ERROR: (),
    CANCELLED: (),
}


class InvalidStateTransition(Exception):
    """A state change the machine does not allow."""

    def __init__(self, kind, from_state, to_state):
        self.kind, self.from_state, self.to_state = kind, from_state, to_state
        super().__init__(
            "Can't change %s state from %s to %s" % (kind, from_state, to_state)
        )


_MACHINES = {"workflow": WORKFLOW_MACHINE, "task": TASK_MACHINE, "action": ACTION_MACHINE}


def is_valid(kind, from_state, to_state):
    """True if ``kind`` (workflow, task, action) may move from one state to the other."""
    if from_state == to_state:
        return True
    return to_state in _MACHINES[kind].get(from_state, ())


def check(kind, from_state, to_state):
    """Raise InvalidStateTransition unless the move is legal."""
    if not is_valid(kind, from_state, to_state):
        raise InvalidStateTransition(kind, from_state, to_state)


def is_completed(state):
    return state in COMPLETED
