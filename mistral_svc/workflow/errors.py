"""Errors a conductor step raises or turns into task and workflow states."""


class TaskFailure(Exception):
    """A task cannot go on; its message becomes the task's state_info."""


class Refused(Exception):
    """A request the execution cannot take in its state, or input it cannot start
    with; the caller answers it as a client error (400)."""


class NotFound(Refused):
    """A request names a task or definition that does not exist (404)."""
