"""What expressions see of executions (``task()``, ``tasks()``, ``execution()``...),
served from the conductor's view and catalog."""

from mistral_svc.workflow import states

DATE_FMT = "%Y-%m-%d %H:%M:%S"


def fmt_date(value):
    """A timestamp as Mistral shows it (``YYYY-MM-DD hh:mm:ss``), None stays None."""
    return value.strftime(DATE_FMT) if value is not None else None


def result_of(task_ex, actions, children):
    """A task's result: its action's (or sub-workflow's) result, or the list of them for
    with-items. Only accepted action results count: an action re-run after a crash or
    a retry leaves earlier attempts behind, unaccepted."""
    if task_ex.type == "WORKFLOW":
        # A failed child's result is its error output ({"result": ..., and what
        # output-on-error gave}), as Mistral hands it to publish-on-error. A
        # compensating child (the task's revert) is not part of it.
        results = [c.output or {} for c in children if not c.revert]
    else:
        rows = [a for a in actions if a.accepted]
        if task_ex.rt.with_items:
            rows.sort(key=lambda a: a.rt.index)
        results = [(a.output or {}).get("result") for a in rows]
    if task_ex.rt.with_items:
        return results
    return results[-1] if results else None


def task_dict(task_ex, result=None, with_result=True):
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
        data["result"] = result
    return data


def execution_dict(wf_ex, spec=None):
    return {
        "id": wf_ex.id,
        "name": wf_ex.name,
        "spec": spec,
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


class ConductorRuntime:
    """The expressions' ``Runtime`` over one execution, optionally focused on one task
    (``task()`` without a name), whose result may be given (``current_result``) while
    it is not stored yet. While a task publishes, ``final_state`` is the state it is
    completing in: ``task()`` and ``tasks()`` already report it so, as in Mistral."""

    def __init__(self, conductor, task_ex=None, current_result=None,
                 has_current_result=False, final_state=None):
        self._c = conductor
        self._task_ex = task_ex
        self._current_result = current_result
        self._has_current_result = has_current_result
        self._final_state = final_state

    def _state_of(self, task_ex):
        if self._final_state and task_ex is self._task_ex:
            return self._final_state
        return task_ex.state

    def _dict(self, task_ex, result):
        data = task_dict(task_ex, result)
        data["state"] = self._state_of(task_ex)
        return data

    def _result(self, task_ex):
        view = self._c.view
        if task_ex.type != "WORKFLOW" and states.is_completed(task_ex.state) and \
                self._c.spec.task(task_ex.name).get("keep-result") is False:
            # Its outputs are dropped once the step is stored (DropResults); tasks
            # evaluated in the same step must not see them either.
            return [None] * task_ex.rt.count if task_ex.rt.with_items else None
        actions = view.actions(task_ex.id) if task_ex.type != "WORKFLOW" else []
        children = view.children(task_ex.id) if task_ex.type == "WORKFLOW" else []
        return result_of(task_ex, actions, children)

    def execution(self):
        return execution_dict(self._c.wf_ex, self._c.spec.to_dict())

    def task(self, name=None):
        current = self._task_ex
        if current is not None and name in (None, current.name):
            if self._has_current_result:
                return self._dict(current, self._current_result)
            return self._dict(current, self._result(current))
        if name is None:
            return None
        rows = self._c.view.tasks(name=name)
        if not rows:
            return None
        return self._dict(rows[-1], self._result(rows[-1]))

    def tasks(self, wf_ex_id=None, recursive=False, state=None, flat=False):
        """Tasks of an execution (this one by default) in ``state``; ``recursive`` adds
        those of its sub-workflows at any depth, ``flat`` leaves out workflow tasks
        whose sub-workflow is in the task's own state."""
        wf_ex_id = wf_ex_id or self._c.wf_ex.id
        if not (recursive or flat):
            return [self._dict(r, result) for r, result in self._task_rows(wf_ex_id, state)]
        return self._tasks_deep(wf_ex_id, recursive, state, flat)

    def _task_rows(self, wf_ex_id, state):
        """``[(task record, its result)]`` of one execution, optionally in one state."""
        if wf_ex_id == self._c.wf_ex.id:
            if self._final_state:
                rows = [r for r in self._c.view.tasks()
                        if state is None or self._state_of(r) == state]
            else:
                rows = self._c.view.tasks(states=(state,) if state else None)
            return [(r, self._result(r)) for r in rows]
        catalog = self._c.catalog
        return [(r, catalog.task_result(r)) for r in catalog.tasks_of(wf_ex_id, state)]

    def _tasks_deep(self, wf_ex_id, recursive, state, flat):
        # An execution's own tasks, then (recursive) those of each of its sub-workflows
        # in order: a pre-order walk with an explicit stack, so depth costs no recursion.
        out = []
        stack = [wf_ex_id]
        while stack:
            ex_id = stack.pop()
            own = ex_id == self._c.wf_ex.id
            below = []
            # Sub-workflows are walked whatever their task's state: a task in another
            # state may have started children with tasks in the state asked for.
            for task_ex, result in self._task_rows(ex_id, None):
                children = []
                if task_ex.type == "WORKFLOW":
                    children = (self._c.view.children(task_ex.id) if own else
                                self._c.catalog.executions(
                                    {"task_execution_id": task_ex.id}, limit=1000))
                task_state = self._state_of(task_ex)
                same = any(c.state == task_state for c in children)
                if (state is None or task_state == state) and not (flat and same):
                    out.append(self._dict(task_ex, result))
                if recursive:
                    below.extend(child.id for child in children)
            stack.extend(reversed(below))
        return out

    def env(self):
        return (self._c.wf_ex.params or {}).get("env") or {}

    def global_var(self, name):
        """A global publish, else a workflow variable of that name (as Mistral reads
        ``global()`` from the execution's context)."""
        globals_ = self._c.wf_ex.globals
        if name in globals_:
            return globals_[name]
        if name in self._c.spec.vars:
            return (self._c.wf_ex.context or {}).get(name)
        return None

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
        rows = self._c.catalog.executions(filters, limit=1000)
        if to_time:
            rows = [r for r in rows if fmt_date(r.created_at) < str(to_time)]
        return [execution_dict(r) for r in rows]
