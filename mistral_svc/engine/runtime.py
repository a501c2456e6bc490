"""What expressions may see of executions: ``task()``, ``execution()``, ``env()``...

The expressions package is pure; this class is the engine-side implementation of its
``Runtime`` protocol, reading the database lazily and only when an expression asks.
"""

from mistral_svc.db import api as db_api, models
from mistral_svc.workflow import states

DATE_FMT = "%Y-%m-%d %H:%M:%S"


def fmt_date(value):
    return value.strftime(DATE_FMT) if value is not None else None


def task_result(task_ex):
    """A task's result as ``task().result`` and ``task-get-result`` show it: the action's
    (or sub-workflow's) result, or the list of them for with-items."""
    rc = task_ex.runtime_context or {}
    if task_ex.type == "WORKFLOW":
        results = [
            (wf.output or {}) if wf.state == states.SUCCESS else (wf.output or {}).get("result")
            for wf in db_api.child_workflow_executions(task_ex.id)
        ]
    else:
        # Only accepted results count: an action re-run after a crash or a retry leaves
        # earlier attempts behind, unaccepted.
        rows = [r for r in db_api.action_executions(task_ex.id, undefer=("output",))
                if r.accepted]
        if rc.get("with_items"):
            rows.sort(key=lambda r: (r.runtime_context or {}).get("index", 0))
        results = [(r.output or {}).get("result") for r in rows]
    if rc.get("with_items"):
        return results
    return results[-1] if results else None


def task_dict(task_ex, with_result=True):
    """The dict ``task(name)`` returns."""
    data = {
        "id": task_ex.id,
        "name": task_ex.name,
        "spec": None,
        "state": task_ex.state,
        "state_info": task_ex.state_info,
        "published": task_ex.published or {},
        "type": task_ex.type,
        "workflow_execution_id": task_ex.workflow_execution_id,
        "created_at": fmt_date(task_ex.created_at),
        "updated_at": fmt_date(task_ex.updated_at),
    }
    if with_result:
        data["result"] = task_result(task_ex)
    return data


class EngineRuntime:
    """Runtime over one workflow execution, optionally focused on one of its tasks."""

    def __init__(self, wf_ex, task_ex=None, current_result=None, has_current_result=False):
        self._wf_ex = wf_ex
        self._task_ex = task_ex
        self._current_result = current_result
        self._has_current_result = has_current_result

    def execution(self):
        wf_ex = self._wf_ex
        return {
            "id": wf_ex.id,
            "name": wf_ex.name,
            "spec": wf_ex.spec,
            "input": wf_ex.input or {},
            "params": wf_ex.params or {},
            "state": wf_ex.state,
            "state_info": wf_ex.state_info,
            "created_at": fmt_date(wf_ex.created_at),
            "updated_at": fmt_date(wf_ex.updated_at),
            "root_execution_id": wf_ex.root_execution_id,
            "task_execution_id": wf_ex.task_execution_id,
            "workflow_name": wf_ex.workflow_name,
        }

    def task(self, name=None):
        current = self._task_ex
        if current is not None and name in (None, current.name):
            data = task_dict(current, with_result=not self._has_current_result)
            if self._has_current_result:
                data["result"] = self._current_result
            return data
        if name is None:
            return None
        rows = db_api.task_executions(self._wf_ex.id, name=name, undefer=("published",))
        if not rows:
            return None
        return task_dict(rows[-1])

    def tasks(self, wf_ex_id=None, recursive=False, state=None, flat=False):
        wf_ex_id = wf_ex_id or self._wf_ex.id
        rows = db_api.task_executions(wf_ex_id, states_in=[state] if state else None,
                                      undefer=("published",))
        return [task_dict(r) for r in rows]

    def env(self):
        return (self._wf_ex.params or {}).get("env") or {}

    def global_var(self, name):
        return ((self._wf_ex.context or {}).get("__global") or {}).get(name)

    def executions(self, id=None, root_execution_id=None, state=None, from_time=None,
                   to_time=None):
        filters = {}
        if id:
            filters["id"] = id
        if root_execution_id:
            filters["root_execution_id"] = root_execution_id
        if state:
            filters["state"] = state
        if from_time:
            filters["created_at"] = ("gte", from_time)
        rows = db_api.list_(models.WorkflowExecution, filters=filters, limit=1000)
        if to_time:
            rows = [r for r in rows if fmt_date(r.created_at) < str(to_time)]
        return [EngineRuntime(r).execution() for r in rows]
