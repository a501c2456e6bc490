"""Mistral's notification events and which state change makes which event."""

WORKFLOW_LAUNCHED = "WORKFLOW_LAUNCHED"
WORKFLOW_SUCCEEDED = "WORKFLOW_SUCCEEDED"
WORKFLOW_FAILED = "WORKFLOW_FAILED"
WORKFLOW_CANCELLED = "WORKFLOW_CANCELLED"
WORKFLOW_PAUSED = "WORKFLOW_PAUSED"
WORKFLOW_RESUMED = "WORKFLOW_RESUMED"

TASK_LAUNCHED = "TASK_LAUNCHED"
TASK_SUCCEEDED = "TASK_SUCCEEDED"
TASK_FAILED = "TASK_FAILED"
TASK_CANCELLED = "TASK_CANCELLED"
TASK_PAUSED = "TASK_PAUSED"
TASK_RESUMED = "TASK_RESUMED"

WORKFLOWS = (WORKFLOW_LAUNCHED, WORKFLOW_SUCCEEDED, WORKFLOW_FAILED, WORKFLOW_CANCELLED,
             WORKFLOW_PAUSED, WORKFLOW_RESUMED)
TASKS = (TASK_LAUNCHED, TASK_SUCCEEDED, TASK_FAILED, TASK_CANCELLED, TASK_PAUSED,
         TASK_RESUMED)
EVENTS = WORKFLOWS + TASKS

_FINAL = {"SUCCESS": "SUCCEEDED", "ERROR": "FAILED", "CANCELLED": "CANCELLED",
          "PAUSED": "PAUSED"}
# A task entering RUNNING from one of these states resumes; from anything else (it was
# just created, or it is retried) it is launched.
_TASK_RESUMED_FROM = ("IDLE", "PAUSED", "WAITING")


def workflow_event(old, new):
    """The event of a workflow execution moving from ``old`` to ``new`` (or None)."""
    if new == "RUNNING":
        return WORKFLOW_LAUNCHED if old in (None, "IDLE") else WORKFLOW_RESUMED
    suffix = _FINAL.get(new)
    return "WORKFLOW_" + suffix if suffix else None


def task_event(old, new):
    """The event of a task execution moving from ``old`` to ``new`` (or None)."""
    if new == "RUNNING":
        return TASK_RESUMED if old in _TASK_RESUMED_FROM else TASK_LAUNCHED
    suffix = _FINAL.get(new)
    return "TASK_" + suffix if suffix else None
