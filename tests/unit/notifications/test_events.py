"""Which state change makes which of Mistral's notification events."""

import pytest

from mistral_svc.notifications import events


@pytest.mark.parametrize("old, new, event", [
    (None, "RUNNING", "WORKFLOW_LAUNCHED"),
    ("PAUSED", "RUNNING", "WORKFLOW_RESUMED"),
    ("ERROR", "RUNNING", "WORKFLOW_RESUMED"),
    ("RUNNING", "SUCCESS", "WORKFLOW_SUCCEEDED"),
    ("RUNNING", "ERROR", "WORKFLOW_FAILED"),
    ("PAUSED", "CANCELLED", "WORKFLOW_CANCELLED"),
    ("RUNNING", "PAUSED", "WORKFLOW_PAUSED"),
    ("RUNNING", "IDLE", None),
])
def test_workflow_events(old, new, event):
    assert events.workflow_event(old, new) == event


@pytest.mark.parametrize("old, new, event", [
    (None, "RUNNING", "TASK_LAUNCHED"),
    ("RUNNING_DELAYED", "RUNNING", "TASK_LAUNCHED"),
    ("WAITING", "RUNNING", "TASK_RESUMED"),
    ("IDLE", "RUNNING", "TASK_RESUMED"),
    ("PAUSED", "RUNNING", "TASK_RESUMED"),
    ("RUNNING", "SUCCESS", "TASK_SUCCEEDED"),
    ("RUNNING", "ERROR", "TASK_FAILED"),
    ("RUNNING", "CANCELLED", "TASK_CANCELLED"),
    ("RUNNING", "PAUSED", "TASK_PAUSED"),
    (None, "WAITING", None),
    ("RUNNING", "RUNNING_DELAYED", None),
])
def test_task_events(old, new, event):
    assert events.task_event(old, new) == event
    assert event is None or event in events.TASKS
