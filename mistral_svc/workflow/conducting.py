"""The conductor: what happens to one workflow execution when an event reaches it.

A ``Conductor`` is built for one step over (the workflow spec, the execution, an
``ExecutionView`` of its tasks and actions, a ``Catalog`` of everything else, a clock
and an id source). Each event method decides, and leaves the outcome in ``step()``: a
``Delta`` of records created and fields changed, and the commands (actions to send,
sub-workflows to start, timers, notices) the engine carries out once the delta is
stored. Nothing here reads or writes storage, the network or the clock by itself, so
the same events give the same step, in the engine as in the rehearsal suite.

The roles are split by module: ``task_starting`` (tasks, joins, before-policies,
actions and sub-workflows), ``task_completing`` (after-policies, publish,
transitions), ``reverting`` (compensation), ``controlling`` (a user's requests: pause,
resume, stop, rerun, skip); this module holds the events and the workflow's own
lifecycle.
"""

import dataclasses

from mistral_svc import expressions
from mistral_svc.lang import inputs as lang_inputs, spec as lang_spec
from mistral_svc.workflow import (
    commands,
    controller,
    direct,
    machines as M,
    policies,
    records,
    runtime as wf_runtime,
    states,
)
from mistral_svc.workflow.controlling import Controlling
from mistral_svc.workflow.delta import Delta
from mistral_svc.workflow.errors import Refused, TaskFailure
from mistral_svc.workflow.reverting import REVERT_KEY, Reverting
from mistral_svc.workflow.task_completing import TaskCompleting
from mistral_svc.workflow.task_starting import TaskStarting
from mistral_svc.workflow.view import LookupFailed

_NOT_ACTIVE = frozenset(states.COMPLETED) | {states.WAITING}


@dataclasses.dataclass
class Step:
    """The outcome of one event: what to store, what to do after, what was ignored."""

    delta: Delta
    commands: list
    # Results for action executions this execution does not have (misrouted).
    dropped: list = dataclasses.field(default_factory=list)

    def to_dict(self):
        return {"delta": self.delta.to_dict(),
                "commands": [c.to_dict() for c in self.commands],
                "dropped": list(self.dropped)}


def lost_message(action_ex_id):
    return ("The executor running this action stopped responding and the task has no "
            "safe-rerun [action_ex_id=%s]" % action_ex_id)


class Conductor(TaskStarting, TaskCompleting, Reverting, Controlling):
    """Decides one step of one workflow execution."""

    def __init__(self, wf_spec, wf_ex, view, catalog, clock, new_id):
        self.spec = wf_spec
        self.wf_ex = wf_ex
        self.view = view
        self.catalog = catalog
        self.clock = clock
        self.new_id = new_id
        self.delta = Delta()
        self.commands = []
        self.dropped = []
        self._waiting_pages = {}
        self._deferred = None
        # The task whose ``fail`` command ends the run, if one did in this step.
        self.failing_task = None

    def step(self):
        return Step(self.delta, self.commands, self.dropped)

    # --- helpers shared by the roles --------------------------------------------------

    def runtime(self, task_ex=None, current_result=None, has_current_result=False,
                final_state=None):
        return wf_runtime.ConductorRuntime(self, task_ex, current_result, has_current_result,
                                           final_state)

    def evaluate(self, data, ctx, runtime):
        try:
            return expressions.evaluate_recursively(data, ctx, runtime)
        except expressions.ExpressionError as e:
            raise TaskFailure(str(e))

    def evaluator(self, runtime):
        """``evaluate(data, ctx)`` for code that takes a plain evaluation callable."""

        def evaluate(data, ctx):
            return expressions.evaluate_recursively(data, ctx, runtime)

        return evaluate

    def data_context(self, task_ex=None):
        """The ``$`` of a task's expressions: workflow input and vars, then what its
        predecessors published. A shallow merge: nothing is deep-copied.

        Global publishes are seen too, over the input and vars and under what the
        branch published (``global()`` reads them unshadowed)."""
        ctx = dict(self.wf_ex.context or {})
        ctx.pop(REVERT_KEY, None)
        ctx.update(ctx.pop("__global", None) or {})
        if task_ex is not None and task_ex.in_context:
            ctx.update(task_ex.in_context)
        return ctx

    # --- a new execution --------------------------------------------------------------

    @classmethod
    def new_execution(cls, definition, wf_input, params, view, catalog, clock, new_id,
                      description="", project_id=None, task_ex_id=None,
                      root_execution_id=None, wf_ex_id=None):
        """A conductor over a new execution of ``definition`` (see ``Catalog.workflow``),
        not started yet. Refused for input that does not fit the definition."""
        wf_spec = definition.spec()
        if not isinstance(wf_input or {}, dict):
            raise Refused("workflow input must be a JSON object")
        wf_input = dict(wf_input or {})
        try:
            lang_inputs.check_declared(wf_spec.name, "WorkflowSpec", wf_spec.input, wf_input)
        except lang_inputs.InputMismatch as e:
            raise Refused(str(e))
        wf_input = lang_inputs.with_defaults(wf_spec.input, wf_input)
        params = dict(params or {})
        env = params.get("env")
        if isinstance(env, str):
            try:
                params["env"] = catalog.environment(env)
            except LookupFailed:
                raise Refused("Environment is not found: %s" % env)
        elif env is not None and not isinstance(env, dict):
            raise Refused("Unexpected value type for environment: %s" % type(env).__name__)
        if wf_spec.type == lang_spec.REVERSE and params.get("task_name") not in wf_spec.tasks:
            raise Refused("Invalid task name [wf_spec=%s, task_name=%s]"
                          % (wf_spec.name, params.get("task_name")))
        wf_ex = records.WorkflowEx(
            id=wf_ex_id or new_id(),
            name=definition.name,
            description=description or "",
            workflow_name=definition.name,
            workflow_namespace=definition.namespace,
            workflow_id=definition.id,
            spec_checksum=definition.checksum,
            tags=wf_spec.get("tags") or [],
            input=wf_input,
            params=params,
            output={},
            context={},
            task_execution_id=task_ex_id,
            # As upstream: a top-level execution has no root id; children carry the top one.
            root_execution_id=root_execution_id,
            cron_trigger_id=params.get("cron_trigger_id"),
            project_id=project_id or definition.project_id,
            created_at=clock(),
            spec=wf_spec.to_dict(),
        )
        M.transition("workflow", wf_ex, M.CREATE)
        conductor = cls(wf_spec, wf_ex, view, catalog, clock, new_id)
        conductor._evaluate_env()
        conductor.delta.add(wf_ex)
        return conductor

    def _evaluate_env(self):
        """Evaluate the expressions inside the execution's env, once, at its start
        (unless ``evaluate_env`` is false); ``env()`` in them is the env as given."""
        params = self.wf_ex.params
        env = params.get("env")
        if not env or not params.get("evaluate_env", True) or self.wf_ex.task_execution_id:
            # A sub-workflow's env is its root's, evaluated (or not) there already.
            return
        try:
            params["env"] = self.evaluate(env, {"__env": env}, self.runtime())
        except TaskFailure as e:
            raise Refused("Failed to evaluate the execution's env: %s" % e)

    def start(self):
        """Evaluate the vars and start the first tasks. Refused if the vars or the
        start cannot be evaluated (nothing is then stored)."""
        ctx = dict(self.wf_ex.input or {})
        if self.spec.vars:
            try:
                ctx.update(self.evaluate(self.spec.vars, ctx, self.runtime()))
            except TaskFailure as e:
                raise Refused(str(e))
        self.wf_ex.context = ctx
        try:
            cmds = controller.start_commands(self.spec, self.wf_ex.params or {})
        except ValueError as e:
            raise Refused(str(e))
        for cmd in cmds:
            if self.wf_ex.state != states.RUNNING:
                break
            self.run_command(cmd)
        self.check_completion()
        return self.step()

    # --- events -----------------------------------------------------------------------

    def on_action_results(self, results):
        """Results of this execution's actions: ``[(action_ex_id, ActionResult)]``."""
        self._deferred = False
        for action_ex_id, result in results:
            action_ex = self.view.action(action_ex_id)
            if action_ex is None or action_ex.workflow_execution_id != self.wf_ex.id:
                self.dropped.append(action_ex_id)
                continue
            if action_ex.state in states.COMPLETED:
                continue  # a duplicate delivery
            task_ex = self._task_or_none(action_ex.task_execution_id)
            result = self._apply_outputs(action_ex, result, self.runtime(task_ex))
            if not self.record_result(action_ex, result):
                continue
            if action_ex.rt.revert:
                self.revert_action_done(action_ex, result)
                continue
            if task_ex is None or task_ex.state != states.RUNNING:
                continue
            self.on_action_complete(task_ex, action_ex, result)
        self._finish_deferred()
        return self.step()

    def on_action_unacknowledged(self, action_ex_id):
        """No executor acknowledged ``action_ex_id`` (its message was lost, or never
        left a dead engine): nobody started it, so it is sent again, whatever its
        safe-rerun. The executor that takes this delivery claims it first."""
        action_ex = self.view.action(action_ex_id)
        if (action_ex is None or action_ex.state != states.RUNNING
                or action_ex.last_heartbeat is not None):
            return self.step()
        rt = dataclasses.replace(action_ex.rt, resends=action_ex.rt.resends + 1)
        self.delta.set(action_ex, rt=rt)
        self.send(action_ex, claim=True)
        return self.step()

    def on_action_lost(self, action_ex_id, now_seen=None):
        """An executor acknowledged ``action_ex_id`` and went silent while running it:
        run it again when its task has safe-rerun, fail it otherwise."""
        action_ex = self.view.action(action_ex_id)
        if action_ex is None or action_ex.state != states.RUNNING:
            return self.step()
        task_ex = self.view.task(action_ex.task_execution_id)
        task_spec = self.spec.task(task_ex.name)
        if task_spec.get("safe-rerun"):
            # Sent again as never acknowledged: the executor that takes it claims it.
            rt = dataclasses.replace(action_ex.rt, reruns=action_ex.rt.reruns + 1)
            self.delta.set(action_ex, rt=rt, last_heartbeat=None, acked_by=None)
            self.send(action_ex, task_spec, claim=True)
            return self.step()
        if action_ex.rt.revert:
            self.revert_action_lost(action_ex, lost_message(action_ex.id))
            return self.step()
        result = records.ActionResult(error=lost_message(action_ex.id))
        if self.record_result(action_ex, result) and task_ex.state == states.RUNNING:
            self.on_action_complete(task_ex, action_ex, result)
        return self.step()

    def on_child_complete(self, task_ex_id, child):
        """A sub-workflow execution of task ``task_ex_id`` completed (``ChildEx``)."""
        if self.revert_child_done(task_ex_id, child):
            return self.step()
        task_ex = self._task_or_none(task_ex_id)
        if task_ex is None or task_ex.state != states.RUNNING:
            return self.step()  # a duplicate notice, or the task ended another way
        rt = task_ex.rt
        if rt.with_items:
            done = [c for c in self.own_children(task_ex.id) if states.is_completed(c.state)]
            if len(done) < rt.count:
                self.start_waiting_child(task_ex)
                return self.step()
            errors = [c for c in done if c.state != states.SUCCESS]
            self.delta.set(task_ex, rt=rt.replace(done=len(done), errors=len(errors)))
            self.finish_items(task_ex)
        elif child.state == states.SUCCESS:
            self.after_attempt(task_ex, states.SUCCESS, None, child.output or {})
        elif child.state == states.CANCELLED:
            M.transition("task", task_ex, M.CANCEL, self.delta, state_info=child.state_info,
                         finished_at=self.clock())
            self.check_completion()
        else:
            info = child.state_info or "Failed subworkflow [execution_id=%s]" % child.id
            # The result of a failed workflow task is the child's error output.
            self.after_attempt(task_ex, states.ERROR, info, child.output or {})
        return self.step()

    def task_running(self, task_ex_id):
        task_ex = self._task_or_none(task_ex_id)
        return task_ex is not None and task_ex.state == states.RUNNING

    def on_child_refused(self, task_ex_id, message, revert=False):
        """A sub-workflow of task ``task_ex_id`` could not start: the task fails (its
        revert fails, for a revert workflow)."""
        if revert:
            self.revert_child_refused(task_ex_id, message)
        elif self.task_running(task_ex_id):
            self.complete(self.view.task(task_ex_id), states.ERROR, state_info=message)
        return self.step()

    def on_timer(self, name, task_ex_id, args=None):
        """A timer this execution scheduled is due."""
        task_ex = self._task_or_none(task_ex_id)
        if task_ex is None or self.reverting:
            # While reverting nothing of the run goes on: its delays and timeouts lapse.
            return self.step()
        handler = getattr(self, "_timer_" + name, None)
        if handler is None:
            raise ValueError("unknown timer %r" % name)
        handler(task_ex, **(args or {}))
        return self.step()

    def _timer_task_start_delayed(self, task_ex):
        if task_ex.state != states.RUNNING_DELAYED:
            return
        if self.wf_ex.state == states.PAUSED:
            M.transition("task", task_ex, M.HOLD, self.delta)
            return
        M.transition("task", task_ex, M.START, self.delta)
        self.begin(task_ex)

    def _timer_task_retry(self, task_ex):
        if task_ex.state == states.RUNNING_DELAYED:
            self.restart(task_ex)

    def _timer_task_complete_delayed(self, task_ex):
        if task_ex.state != states.RUNNING_DELAYED:
            return
        outcome = task_ex.rt.outcome or {}
        M.transition("task", task_ex, M.START, self.delta)
        self.complete(task_ex, outcome.get("state", states.SUCCESS),
                      state_info=outcome.get("state_info"), has_result=False)

    def _timer_task_timeout(self, task_ex, timeout):
        if task_ex.state not in (states.RUNNING, states.RUNNING_DELAYED, states.WAITING):
            return
        message = policies.timeout_message(timeout)
        # Late results of the timed-out attempt are ignored: the task moves on.
        for action_ex in self.view.actions(task_ex.id):
            if action_ex.state == states.RUNNING:
                M.transition("action", action_ex, M.FAIL, self.delta, state_info=message,
                             accepted=True)
        M.transition("task", task_ex, M.START, self.delta)
        self.after_attempt(task_ex, states.ERROR, message, None, has_result=False)

    def _task_or_none(self, task_ex_id):
        if task_ex_id is None:
            return None
        try:
            return self.view.task(task_ex_id)
        except LookupFailed:
            return None

    def _apply_outputs(self, action_ex, result, runtime):
        """``result`` after the ad-hoc output transformations of ``action_ex`` (a failed
        transformation turns it into an error)."""
        adhoc = action_ex.rt.adhoc
        if not adhoc or result.is_error() or result.cancel:
            return result
        try:
            data = self.catalog.transform(adhoc.get("outputs") or [], result.data,
                                          self.evaluator(runtime))
        except ValueError as e:
            return records.ActionResult(error=str(e))
        return records.ActionResult(data=data)

    # --- the workflow's own state -------------------------------------------------------

    def set_workflow_state(self, event, state_info=None):
        M.transition("workflow", self.wf_ex, event, self.delta, state_info=state_info)
        parent_task_id = self.wf_ex.task_execution_id
        if not parent_task_id:
            return
        if states.is_completed(self.wf_ex.state):
            self.commands.append(commands.NotifyParent(self.wf_ex.id))
        elif event in (M.PAUSE, M.RERUN):
            # A sub-workflow that pauses pauses its parent; one rerun after it failed
            # takes its parent's task back to RUNNING, as Mistral does.
            parent_id = self.catalog.execution_of_task(parent_task_id)
            if parent_id:
                if event == M.PAUSE:
                    self.commands.append(commands.Cascade("pause_workflow", parent_id))
                else:
                    self.commands.append(commands.Cascade(
                        "reopen_task", parent_id, {"task_ex_id": parent_task_id}))

    def end_by_command(self, cmd):
        """Apply an engine command from a transition: fail, succeed or pause."""
        if cmd.kind == "fail":
            # Without msg Mistral leaves state_info (and output.result) null. A failed
            # task that routed to fail ended the run: it is reverted first.
            self.failing_task = cmd.task_name
            self.fail_workflow(cmd.msg)
        elif cmd.kind == "succeed":
            self.succeed_workflow(cmd.msg)
        elif cmd.kind == "pause":
            self.set_workflow_state(M.PAUSE, cmd.msg)

    def final_context(self, task_rows=None):
        """What the last tasks of every branch carried: their published data merged."""
        ctx = {}
        for task_ex in self.view.tasks() if task_rows is None else task_rows:
            if task_ex.state in states.COMPLETED and not task_ex.rt.next:
                ctx.update(task_ex.in_context or {})
                ctx.update(task_ex.published or {})
        return ctx

    def _output(self, spec, task_rows=None):
        """A workflow's output as Mistral computes it: ``spec`` evaluated against the
        data context and the final context, or, without ``spec`` (or when it yields
        nothing), the final context itself: what the run published, never the input
        or the vars."""
        final = self.final_context(task_rows)
        if not spec:
            return final
        ctx = self.data_context()
        ctx.update(final)
        return self.evaluate(spec, ctx, self.runtime()) or final

    def succeed_workflow(self, msg=None, task_rows=None):
        try:
            output = self._output(self.spec.output, task_rows)
        except TaskFailure as e:
            return self.fail_workflow("Failed to evaluate workflow output: %s" % e)
        self.delta.set(self.wf_ex, output=output)
        self.set_workflow_state(M.SUCCEED, msg)

    def fail_workflow(self, msg, revert=True):
        """End the execution in ERROR; its output is ``{"result": msg}`` merged with
        output-on-error, or with what the run published when there is none.

        A task that can be undone (``revert``) turns the end into a reverting phase
        first (see ``reverting``); ``revert`` false ends it at once."""
        if states.is_completed(self.wf_ex.state) or self.reverting:
            return
        if revert and self.begin_reverting(msg):
            return
        try:
            extra = self._output(self.spec.output_on_error)
        except TaskFailure:
            extra = {}
        output = {"result": msg}
        if isinstance(extra, dict):
            output.update(extra)
        self.delta.set(self.wf_ex, output=output)
        self.set_workflow_state(M.FAIL, msg)

    def cancel_workflow(self, msg):
        if states.is_completed(self.wf_ex.state):
            return
        self.delta.set(self.wf_ex, output={"result": msg})
        self.set_workflow_state(M.CANCEL, msg)

    # --- completion ---------------------------------------------------------------------

    def _finish_deferred(self):
        pending, self._deferred = self._deferred, None
        if pending:
            self.check_completion()

    def check_completion(self):
        """Complete the execution once no task is left running or waiting.

        While a batch of results applies, the check waits for the end of the batch:
        the answer cannot change in between, and checking after every result would
        count the tasks every time."""
        if self._deferred is not None:
            self._deferred = True
            return
        if self.wf_ex.state != states.RUNNING or self.reverting or \
                self._active_task_in_step():
            return
        counts = self.view.incomplete_counts()
        if counts:
            # Only joins left waiting can be stranded; anything else still active will
            # bring the execution further by itself.
            if set(counts) != {states.WAITING}:
                return
            self._fail_stranded_joins()
            if self.wf_ex.state != states.RUNNING or self.view.incomplete_counts():
                return
        task_rows = self.view.tasks()
        cancelled = [t for t in task_rows if t.state == states.CANCELLED]
        unhandled = 0 if cancelled else sum(
            1 for t in task_rows if t.state == states.ERROR and not t.error_handled)
        outcome = direct.workflow_outcome(unhandled, cancelled=bool(cancelled))
        if outcome == states.CANCELLED:
            self.cancel_workflow("Cancelled tasks: %s"
                                 % ", ".join(sorted(t.name for t in cancelled)))
        elif outcome == states.ERROR:
            self.fail_workflow(self._failure_message(task_rows))
        else:
            self.succeed_workflow(task_rows=task_rows)

    def _active_task_in_step(self):
        """True if this step created or changed a task that is still active: the
        execution cannot be complete then, and the common case (a task finished, the
        next one started) needs no count."""
        for record in self.delta.created:
            if record.kind == "task" and record.state not in _NOT_ACTIVE:
                return True
        for record, _fields in self.delta.changed:
            if record.kind == "task" and record.state not in _NOT_ACTIVE:
                return True
        return False

    def _fail_stranded_joins(self):
        """Joins still WAITING when nothing else is active can never fire: they fail
        (and their on-error/on-complete clauses run) instead of leaving the execution
        RUNNING."""
        for task_ex in self.view.tasks(states=(states.WAITING,)):
            arrived = task_ex.rt.arrived or []
            # Mistral names the inbound tasks that did not arrive.
            missing = [n for n in self.spec.inbound(task_ex.name) if n not in arrived]
            M.transition("task", task_ex, M.FAIL, self.delta, finished_at=self.clock(),
                         state_info="Failed by tasks: %s" % missing)
            self.process_transitions(task_ex)

    def _failure_message(self, task_rows):
        failed = sorted((t for t in task_rows
                         if t.state == states.ERROR and not t.error_handled),
                        key=lambda t: t.name)
        msg = "Failure caused by error in tasks: %s\n" % ", ".join(t.name for t in failed)
        for task_ex in failed:
            msg += "\n  %s [task_ex_id=%s] -> %s\n" % (task_ex.name, task_ex.id,
                                                       task_ex.state_info)
            for i, action_ex in enumerate(self.view.actions(task_ex.id)):
                if action_ex.state == states.ERROR:
                    msg += "    [action_ex_id=%s, idx=%s]: %s\n" % (
                        action_ex.id, i, (action_ex.output or {}).get("result", "Unknown"))
            if task_ex.type == lang_spec.TASK_TYPE_WORKFLOW:
                # The failed sub-workflows of a workflow task, one line each.
                children = [c for c in self.view.children(task_ex.id) if not c.revert]
                for i, child in enumerate(children):
                    if child.state == states.ERROR:
                        msg += "    [wf_ex_id=%s, idx=%s]: %s\n" % (
                            child.id, i, (child.output or {}).get("result", "Unknown"))
        return msg

