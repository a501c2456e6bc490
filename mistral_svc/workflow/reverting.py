"""The conductor's third role: compensation, the ``revert`` key of a task.

When an execution is about to end in ERROR (an unhandled error, a ``fail`` command, a
timeout) and some task of it can be undone, it enters a reverting phase instead: it
stays RUNNING and undoes, one at a time, first the failed task(s) whose failure ended
the run, then every succeeded task, in reverse order of completion. A task with
``revert`` runs it (an action execution, or a sub-workflow execution, of that task,
marked ``revert``), once per succeeded item for with-items; a workflow task without one
asks its child execution(s) to revert their own tasks by the same rules. The task then
ends REVERTED or REVERT_FAILED, and once every revert ran the execution ends in ERROR,
its state_info naming what was reverted and what failed to.

The progress is plain data in the execution's context (``__revert``): the planned
units, the one running, the outcomes so far. Each step stores it with the revert it
starts, so an engine that dies while reverting resumes where it stopped, and a revert
whose result was stored is never sent again.
"""

from mistral_svc.lang import inputs as lang_inputs, spec as lang_spec
from mistral_svc.workflow import commands, machines as M, records, states, with_items
from mistral_svc.workflow.errors import Refused, TaskFailure
from mistral_svc.workflow.view import LookupFailed

REVERT_KEY = "__revert"
# The state_info of a reverting execution starts so (recovery looks for them by it).
REVERTING_PREFIX = "Reverting "
# Why the execution reverts: it was about to fail, or its parent is reverting it.
ON_ERROR = "error"
FOR_PARENT = "parent"
# How deep the check "can this sub-workflow revert anything" follows workflow tasks.
_MAX_DEPTH = 10


def _is_expression(value):
    return isinstance(value, str) and value.lstrip().startswith(("<%", "{{"))


class Reverting:
    """Mixed into ``Conductor``; see ``conducting``."""

    # --- the phase ----------------------------------------------------------------

    @property
    def reverting(self):
        """True while the execution undoes its tasks (it is RUNNING meanwhile)."""
        return (self.wf_ex.state == states.RUNNING
                and REVERT_KEY in (self.wf_ex.context or {}))

    def _progress(self):
        progress = dict(self.wf_ex.context[REVERT_KEY])
        progress["units"] = [dict(u) for u in progress["units"]]
        return progress

    def _store_progress(self, progress):
        ctx = dict(self.wf_ex.context or {})
        if progress is None:
            ctx.pop(REVERT_KEY, None)
        else:
            ctx[REVERT_KEY] = progress
        self.delta.set(self.wf_ex, context=ctx)

    def begin_reverting(self, cause):
        """Enter the reverting phase instead of failing with ``cause``; False when
        nothing of the execution can be undone (it fails as it would have)."""
        if not self._may_revert_spec(self.spec, set(), 0):
            return False
        units = self.revert_plan(with_failed=True)
        if not units:
            return False
        self._enter(units, cause, ON_ERROR)
        return True

    def revert(self):
        """Revert a succeeded execution on its parent's behalf (the parent's workflow
        task has no ``revert`` of its own). An execution with nothing to undo answers
        its parent at once and stays as it is."""
        if self.reverting:
            return self.step()
        units = (self.revert_plan(with_failed=False)
                 if self.wf_ex.state == states.SUCCESS else [])
        if not units:
            if self.wf_ex.task_execution_id:
                self.commands.append(commands.NotifyParent(self.wf_ex.id))
            return self.step()
        self.set_workflow_state(M.REVERT)
        self._enter(units, None, FOR_PARENT)
        return self.step()

    def _enter(self, units, cause, why):
        self.delta.set(self.wf_ex, state_info="%s%d task(s)"
                       % (REVERTING_PREFIX, len({u["task"] for u in units})))
        self._store_progress({"why": why, "cause": cause, "units": units, "pos": -1,
                              "outcomes": {}, "reverted": [], "failed": []})
        self._next_revert(self._progress())

    def refuse_while_reverting(self, what):
        """Raise Refused for ``what`` (a user's request) while the execution reverts."""
        if self.reverting:
            raise Refused("Can't %s execution %s while it is reverting its tasks"
                          % (what, self.wf_ex.id))

    # --- the plan -------------------------------------------------------------------

    def revert_plan(self, with_failed):
        """The units to revert, in order: ``{"task": id, "index": item or None}`` for
        a task's own revert, ``{"task": id, "child": execution id}`` for a child
        execution to revert on a workflow task's behalf."""
        rows = self.view.tasks()
        position = {t.id: i for i, t in enumerate(rows)}
        # Reverse order of completion; tasks finished at the same instant (one step)
        # go by reverse order of creation.
        ordered = sorted((t for t in rows if t.finished_at is not None),
                         key=lambda t: (t.finished_at, position[t.id]), reverse=True)
        units = []
        if with_failed:
            for task_ex in ordered:
                ended_run = not task_ex.error_handled or task_ex.name == self.failing_task
                if task_ex.state == states.ERROR and ended_run and \
                        self.spec.task(task_ex.name).revert:
                    units.extend(self._units_of(task_ex))
        for task_ex in ordered:
            if task_ex.state == states.SUCCESS:
                units.extend(self._units_of(task_ex))
        return units

    def own_children(self, task_ex_id):
        """A workflow task's child executions, without its compensating ones."""
        return [c for c in self.view.children(task_ex_id) if not c.revert]

    def _units_of(self, task_ex):
        task_spec = self.spec.task(task_ex.name)
        is_wf = task_ex.type == lang_spec.TASK_TYPE_WORKFLOW
        if task_spec.revert:
            if not task_ex.rt.with_items:
                return [{"task": task_ex.id, "index": None}]
            if is_wf:
                done = sorted(c.index for c in self.own_children(task_ex.id)
                              if c.state == states.SUCCESS)
            else:
                done = sorted({a.rt.index for a in self.view.actions(task_ex.id)
                               if a.accepted and a.state == states.SUCCESS
                               and not a.rt.revert})
            return [{"task": task_ex.id, "index": i} for i in reversed(done)]
        if is_wf and task_ex.state == states.SUCCESS:
            kids = sorted((c for c in self.own_children(task_ex.id)
                           if c.state == states.SUCCESS and self._child_may_revert(c.id)),
                          key=lambda c: c.index, reverse=True)
            return [{"task": task_ex.id, "child": c.id} for c in kids]
        return []

    def _child_may_revert(self, child_id):
        try:
            child = self.catalog.execution(child_id)
            definition = self.catalog.workflow(child.workflow_name,
                                               child.workflow_namespace)
        except LookupFailed:
            return False
        return self._may_revert_spec(definition.spec(), set(), 0)

    def _may_revert_spec(self, wf_spec, seen, depth):
        """True if a task of ``wf_spec``, or of a workflow it calls, has ``revert``;
        a workflow named by an expression may."""
        if wf_spec.has_revert:
            return True
        if depth >= _MAX_DEPTH:
            return False
        seen.add(wf_spec.name)
        for task_spec in wf_spec.tasks.values():
            name = task_spec.workflow
            if not name:
                continue
            if _is_expression(name):
                return True
            if name in seen:
                continue
            try:
                child = self.catalog.workflow(name, self.wf_ex.workflow_namespace)
            except LookupFailed:
                continue
            if self._may_revert_spec(child.spec(), seen, depth + 1):
                return True
        return False

    # --- running the units ----------------------------------------------------------

    def _current(self, progress):
        pos = progress["pos"]
        units = progress["units"]
        return units[pos] if 0 <= pos < len(units) else None

    def _next_revert(self, progress):
        """Start the next unit (units that cannot start fail at once and the next one
        is tried); end the phase after the last."""
        while True:
            progress["pos"] += 1
            unit = self._current(progress)
            if unit is None:
                return self._end_reverting(progress)
            error = self._start_unit(unit)
            if error is None:
                self._store_progress(progress)
                return
            self._unit_done(progress, "failed", error)

    def _start_unit(self, unit):
        """Start one revert; returns None when it runs, else why it could not start."""
        task_ex = self.view.task(unit["task"])
        if unit.get("child"):
            self.commands.append(commands.Cascade("revert_workflow", unit["child"]))
            return None
        rev = self.spec.task(task_ex.name).revert
        runtime = self.runtime(task_ex)
        ctx = dict(self.data_context(task_ex), **(task_ex.published or {}))
        index = unit.get("index")
        try:
            if index is not None:
                ctx.update(self._item_vars(task_ex, index, ctx, runtime))
            if rev.get("workflow"):
                return self._start_revert_workflow(task_ex, rev, ctx, runtime, index)
            name = rev["action"]
            if _is_expression(name):
                name = self.evaluate(name, ctx, runtime)
            action = self.catalog.action(name, self.wf_ex.workflow_namespace)
            params = self.evaluate(rev.get("input") or {}, ctx, runtime)
            action_ex = self._new_action(task_ex, action, name, params, runtime,
                                         index=index or 0)
        except (TaskFailure, LookupFailed, lang_inputs.InputMismatch, ValueError) as e:
            return str(e)
        # Told apart through the usual endpoints: its params and description say so.
        action_ex.rt.revert = True
        action_ex.params = {"revert": True}
        action_ex.description = "Revert of task %s" % task_ex.name
        unit["action"] = action_ex.id
        self._register_actions([action_ex])
        self.send(action_ex)
        return None

    def _start_revert_workflow(self, task_ex, rev, ctx, runtime, index):
        name = rev["workflow"]
        if _is_expression(name):
            name = self.evaluate(name, ctx, runtime)
        definition = self.catalog.workflow(name, self.wf_ex.workflow_namespace)
        wf_input = self.evaluate(rev.get("input") or {}, ctx, runtime)
        if not isinstance(wf_input, dict):
            return "the input of a revert workflow must be a mapping"
        child_spec = definition.spec()
        lang_inputs.check_declared(child_spec.name, "WorkflowSpec", child_spec.input,
                                   wf_input)
        self.commands.append(commands.StartSubworkflow(
            task_ex.id, definition.name, definition.namespace, wf_input,
            dict(self._child_params(), index=index or 0, revert=True), index or 0,
            revert=True))
        return None

    def _item_vars(self, task_ex, index, ctx, runtime):
        """The variables of item ``index`` of a with-items task, evaluated again
        against the task's context."""
        task_spec = self.spec.task(task_ex.name)
        clauses = [(c["var"], self.evaluate(c["expr"], ctx, runtime))
                   for c in task_spec.with_items]
        items = with_items.expand(clauses)
        if index >= len(items):
            raise TaskFailure("item %d of task %s is gone" % (index, task_ex.name))
        return items[index]

    def check_reverting(self):
        """Recovery: pick up a revert whose message between executions was lost (the
        request to a child to revert, or the child's notice that it is done)."""
        if not self.reverting:
            return self.step()
        progress = self._progress()
        unit = self._current(progress)
        if unit is None or unit.get("action"):
            return self.step()  # a revert action: action recovery looks after it
        if unit.get("child"):
            found = [c for c in self.own_children(unit["task"]) if c.id == unit["child"]]
            if found and found[0].state == states.SUCCESS:
                self.commands.append(commands.Cascade("revert_workflow", unit["child"]))
            elif found and states.is_completed(found[0].state):
                self.revert_child_done(unit["task"], found[0])
            return self.step()
        # A revert workflow is created in the step that makes its unit current, so
        # the task's newest one is the unit's.
        started = [c for c in self.view.children(unit["task"]) if c.revert]
        if started and states.is_completed(started[-1].state):
            self.revert_child_done(unit["task"], started[-1])
        return self.step()

    # --- outcomes ---------------------------------------------------------------------

    def revert_action_done(self, action_ex, result):
        """A revert action finished (its result is recorded already)."""
        self.delta.set(action_ex, accepted=False)
        if not self.reverting:
            return
        progress = self._progress()
        unit = self._current(progress)
        if unit is None or unit.get("action") != action_ex.id:
            return
        if result.is_error():
            self._unit_done(progress, "failed", action_ex.state_info)
        else:
            self._unit_done(progress, "ok")
        self._next_revert(progress)

    def revert_child_done(self, task_ex_id, child):
        """A child execution of task ``task_ex_id`` that a revert is waiting for
        completed (or answered that it had nothing to undo); True if it was one."""
        if not self.reverting:
            return child.revert
        progress = self._progress()
        unit = self._current(progress)
        if unit is None or unit["task"] != task_ex_id:
            return child.revert
        if child.revert and not unit.get("child"):
            if child.state == states.SUCCESS:
                self._unit_done(progress, "ok")
            else:
                self._unit_done(progress, "failed", child.state_info
                                or "Failed revert workflow [execution_id=%s]" % child.id)
        elif unit.get("child") == child.id:
            if child.state == states.SUCCESS:
                self._unit_done(progress, "skipped")
            else:
                failed = (child.output or {}).get("revert_failed") or []
                if failed:
                    self._unit_done(progress, "failed", "Revert failed in sub-workflow "
                                    "[execution_id=%s]: %s" % (child.id, ", ".join(failed)))
                else:
                    self._unit_done(progress, "ok")
        else:
            return child.revert
        self._next_revert(progress)
        return True

    def revert_child_refused(self, task_ex_id, message):
        """A revert workflow of task ``task_ex_id`` could not start."""
        if not self.reverting:
            return
        progress = self._progress()
        unit = self._current(progress)
        if unit is None or unit["task"] != task_ex_id or unit.get("child"):
            return
        self._unit_done(progress, "failed", message)
        self._next_revert(progress)

    def revert_action_lost(self, action_ex, message):
        """The executor of a revert action went silent and its task has no
        safe-rerun: the revert failed (it is never sent twice)."""
        result = records.ActionResult(error=message)
        if self.record_result(action_ex, result):
            self.revert_action_done(action_ex, result)

    def _unit_done(self, progress, outcome, error=None):
        """Record a unit's outcome; the task's state follows after its last unit."""
        unit = self._current(progress)
        task_id = unit["task"]
        outcomes = dict(progress["outcomes"])
        mine = list(outcomes.get(task_id) or [])
        mine.append([outcome, error])
        outcomes[task_id] = mine
        progress["outcomes"] = outcomes
        nxt = progress["units"][progress["pos"] + 1:progress["pos"] + 2]
        if nxt and nxt[0]["task"] == task_id:
            return
        task_ex = self.view.task(task_id)
        errors = [e for o, e in mine if o == "failed"]
        if errors:
            info = "Revert failed: %s" % "; ".join(str(e) for e in errors)
            if task_ex.state_info:
                info = "%s\n%s" % (task_ex.state_info, info)
            M.transition("task", task_ex, M.REVERT_FAIL, self.delta, state_info=info)
            progress["failed"] = progress["failed"] + [task_ex.name]
        elif any(o == "ok" for o, _e in mine):
            M.transition("task", task_ex, M.REVERT_DONE, self.delta)
            progress["reverted"] = progress["reverted"] + [task_ex.name]

    def _end_reverting(self, progress):
        """Every unit ran: the execution ends in ERROR, naming what was reverted."""
        lines = []
        if progress["cause"]:
            lines.append(progress["cause"].rstrip("\n"))
        lines.append("Reverted tasks: %s" % (", ".join(progress["reverted"]) or "none"))
        if progress["failed"]:
            lines.append("Revert failed for tasks: %s" % ", ".join(progress["failed"]))
        msg = "\n".join(lines)
        self._store_progress(None)
        if progress["why"] == FOR_PARENT:
            self.delta.set(self.wf_ex, output={"result": msg,
                                               "reverted": progress["reverted"],
                                               "revert_failed": progress["failed"]})
            self.set_workflow_state(M.FAIL, msg)
        else:
            self.fail_workflow(msg, revert=False)
