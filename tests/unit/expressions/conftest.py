"""Fixtures shared by the expression tests: a fake runtime and settings isolation."""

import pytest

from mistral_svc.expressions import (
    DEFAULT_LIMIT_ITERATORS,
    DEFAULT_MEMORY_QUOTA,
    base,
    configure,
)


class FakeRuntime:
    """In-memory Runtime recording every call it receives."""

    def __init__(self):
        self.calls = []
        self.current_task = {
            "id": "t-1", "name": "current", "state": "RUNNING", "result": {"out": 1},
            "published": {}, "type": "ACTION", "workflow_execution_id": "wf-1",
        }
        self.other_tasks = {
            "fetch": {
                "id": "t-0", "name": "fetch", "state": "SUCCESS",
                "result": [{"id": 7}, {"id": 8}], "published": {"ids": [7, 8]},
                "type": "ACTION", "workflow_execution_id": "wf-1",
            },
        }
        self.globals = {"my_var": "global value"}

    def execution(self):
        self.calls.append(("execution",))
        return {"id": "wf-1", "name": "my_wf", "input": {"x": 1}, "params": {},
                "state": "RUNNING", "root_execution_id": None}

    def task(self, name=None):
        self.calls.append(("task", name))
        if name is None or name == self.current_task["name"]:
            return self.current_task
        return self.other_tasks.get(name)

    def tasks(self, wf_ex_id=None, recursive=False, state=None, flat=False):
        self.calls.append(("tasks", wf_ex_id, recursive, state, flat))
        found = [self.current_task, *self.other_tasks.values()]
        return [t for t in found if state is None or t["state"] == state]

    def env(self):
        self.calls.append(("env",))
        return {"region": "north"}

    def executions(self, id=None, root_execution_id=None, state=None, from_time=None,
                   to_time=None):
        self.calls.append(("executions", id, root_execution_id, state, from_time, to_time))
        return [{"id": "wf-1", "state": "RUNNING"}]

    def global_var(self, name):
        self.calls.append(("global_var", name))
        return self.globals.get(name)


@pytest.fixture
def runtime():
    return FakeRuntime()


@pytest.fixture(autouse=True)
def _restore_settings():
    saved = (
        base.settings.limit_iterators,
        base.settings.memory_quota,
        base.settings.convert_input_data,
    )
    # Start from the package defaults: an in-process service elsewhere in the same run
    # may have applied its own [yaql] bounds.
    configure(limit_iterators=DEFAULT_LIMIT_ITERATORS, memory_quota=DEFAULT_MEMORY_QUOTA,
              convert_input_data=True)
    yield
    configure(limit_iterators=saved[0], memory_quota=saved[1], convert_input_data=saved[2])
