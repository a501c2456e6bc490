"""State names of workflow, task and action executions.

Their legal moves are the machines in ``machines``.
"""

IDLE = "IDLE"
WAITING = "WAITING"
RUNNING = "RUNNING"
RUNNING_DELAYED = "RUNNING_DELAYED"
PAUSED = "PAUSED"
SUCCESS = "SUCCESS"
CANCELLED = "CANCELLED"
ERROR = "ERROR"
SKIPPED = "SKIPPED"
# Compensation (the ``revert`` task key): a task whose revert ran, or failed.
REVERTED = "REVERTED"
REVERT_FAILED = "REVERT_FAILED"

ALL = (IDLE, WAITING, RUNNING, RUNNING_DELAYED, PAUSED, SUCCESS, CANCELLED, ERROR, SKIPPED,
       REVERTED, REVERT_FAILED)
COMPLETED = (SUCCESS, ERROR, CANCELLED, SKIPPED, REVERTED, REVERT_FAILED)
ACTIVE = (IDLE, WAITING, RUNNING, RUNNING_DELAYED)


class InvalidStateTransition(Exception):
    """An event a state machine does not allow from the entity's current state."""

    def __init__(self, kind, from_state, to_state, event=None):
        self.kind, self.from_state, self.to_state = kind, from_state, to_state
        self.event = event
        super().__init__("Can't change %s state from %s to %s" % (kind, from_state, to_state))


def is_completed(state):
    return state in COMPLETED
