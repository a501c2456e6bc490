"""The conductor's first role: create tasks, arrive at joins, apply the policies that
act before a task starts, and start it (its action, its items, its sub-workflows)."""

import datetime
import hashlib

from mistral_svc.lang import inputs as lang_inputs, spec as lang_spec
from mistral_svc.workflow import (
    commands,
    direct,
    machines as M,
    policies,
    records,
    states,
    with_items,
)
from mistral_svc.workflow.errors import TaskFailure
from mistral_svc.workflow.view import LookupFailed

# Waiting items fetched at a time when a with-items task with a concurrency limit frees
# slots: as many as one batch of results can free.
ITEMS_PAGE = 64


def join_key(wf_ex_id, task_name):
    """The unique key of a join task: every branch arriving converges on one row."""
    digest = hashlib.sha1(task_name.encode("utf-8")).hexdigest()
    return "%s:%s" % (wf_ex_id, digest)


def is_expression(value):
    return isinstance(value, str) and value.lstrip().startswith(("<%", "{{"))


class TaskStarting:
    """Mixed into ``Conductor``; see ``conducting``."""

    # --- creating tasks ---------------------------------------------------------------

    def new_task(self, task_spec, in_ctx, triggered_by, event, unique_key=None):
        wf_ex = self.wf_ex
        now = self.clock()
        task_ex = records.TaskEx(
            id=self.new_id(),
            name=task_spec.name,
            workflow_execution_id=wf_ex.id,
            workflow_name=wf_ex.workflow_name,
            workflow_namespace=wf_ex.workflow_namespace,
            workflow_id=wf_ex.workflow_id,
            type=task_spec.type,
            tags=list(task_spec.get("tags") or []),
            in_context=in_ctx or {},
            published={},
            rt=records.TaskRuntime(triggered_by=list(triggered_by)),
            unique_key=unique_key,
            project_id=wf_ex.project_id,
            created_at=now,
        )
        M.transition("task", task_ex, event)
        if task_ex.state == states.RUNNING:
            task_ex.started_at = now
        self.delta.add(task_ex)
        self.view.register(task_ex)
        return task_ex

    def run_command(self, cmd):
        """Apply a RunTask decision: create the task (or arrive at its join), begin it."""
        if self.reverting:
            return None  # a failure ended the run: nothing new starts while reverting
        if cmd.join:
            return self._arrive_at_join(cmd)
        task_ex = self.new_task(self.spec.task(cmd.name), cmd.ctx, cmd.triggered_by, M.CREATE)
        self.begin(task_ex)
        return task_ex

    def _arrive_at_join(self, cmd):
        if self.spec.type == lang_spec.REVERSE:
            return self._arrive_reverse(cmd)
        key = join_key(self.wf_ex.id, cmd.name)
        task_ex = self.view.join(key)
        if task_ex is None:
            task_ex = self.new_task(self.spec.task(cmd.name), {}, [], M.WAIT, unique_key=key)
        if task_ex.state != states.WAITING:
            return task_ex  # already fired: a late branch of a partial join changes nothing
        arrived = list(task_ex.rt.arrived or [])
        source = cmd.triggered_by[0]["task_name"] if cmd.triggered_by else None
        if source in arrived:
            return task_ex
        arrived.append(source)
        fields = {"rt": task_ex.rt.replace(
            arrived=arrived, triggered_by=list(task_ex.rt.triggered_by) + cmd.triggered_by)}
        if cmd.ctx:
            fields["in_context"] = dict(task_ex.in_context or {}, **cmd.ctx)
        self.delta.set(task_ex, **fields)
        if direct.join_satisfied(self.spec, cmd.name, len(arrived)):
            M.transition("task", task_ex, M.START, self.delta, started_at=self.clock())
            self.begin(task_ex)
        return task_ex

    def _arrive_reverse(self, cmd):
        """A reverse workflow's task starts once every task it requires succeeded; it
        exists only then (a failed requirement leaves it uncreated, as in Mistral)."""
        task_spec = self.spec.task(cmd.name)
        if self.view.join(join_key(self.wf_ex.id, cmd.name)) is not None:
            return None
        ctx, triggered_by = {}, []
        for name in task_spec.requires:
            done = self.view.tasks(name=name, states=(states.SUCCESS,))
            if not done:
                return None
            ctx.update(done[-1].in_context or {})
            ctx.update(done[-1].published or {})
            triggered_by.append({"task_id": done[-1].id, "event": "on_success",
                                 "task_name": name})
        task_ex = self.new_task(task_spec, ctx, triggered_by, M.CREATE,
                                unique_key=join_key(self.wf_ex.id, cmd.name))
        self.begin(task_ex)
        return task_ex

    # --- before a task starts ---------------------------------------------------------

    def begin(self, task_ex):
        """Start a task unless a before-policy (pause-before, wait-before) holds it."""
        try:
            if self._hold_before_start(task_ex):
                return
        except TaskFailure as e:
            return self.complete(task_ex, states.ERROR, state_info=str(e))
        self.start_task(task_ex)

    def policy_value(self, task_ex, key, runtime=None):
        value = self.spec.task(task_ex.name).get(key)
        if is_expression(value):
            value = self.evaluate(value, self.data_context(task_ex),
                                  runtime or self.runtime(task_ex))
        return value

    def policy_seconds(self, task_ex, key):
        try:
            return policies.delay_seconds(key, self.policy_value(task_ex, key))
        except policies.PolicyError as e:
            raise TaskFailure(str(e))

    def _hold_before_start(self, task_ex):
        """Apply the policies that act before a task starts; True if it must wait."""
        task_spec = self.spec.task(task_ex.name)
        rt = task_ex.rt
        if self.wf_ex.state == states.PAUSED:
            # Created while the workflow is paused: starts on resume.
            M.transition("task", task_ex, M.HOLD, self.delta)
            return True
        if task_spec.get("pause-before") and not rt.paused_before:
            if self.policy_value(task_ex, "pause-before"):
                self.delta.set(task_ex, rt=rt.replace(paused_before=True))
                M.transition("task", task_ex, M.HOLD, self.delta)
                self.set_workflow_state(M.PAUSE, "Paused by pause-before of task '%s'"
                                        % task_ex.name)
                return True
        if task_spec.get("wait-before") is not None and not rt.waited_before:
            delay = self.policy_seconds(task_ex, "wait-before")
            if delay > 0:
                self.delta.set(task_ex, rt=task_ex.rt.replace(waited_before=True))
                M.transition("task", task_ex, M.DELAY, self.delta)
                self.commands.append(commands.ScheduleTimer(
                    "task_start_delayed", task_ex.id, delay, "wait-before:%s" % task_ex.id))
                return True
        if task_spec.get("timeout") is not None and not rt.timeout_set:
            timeout = self.policy_seconds(task_ex, "timeout")
            if timeout > 0:
                self.delta.set(task_ex, rt=task_ex.rt.replace(timeout_set=True))
                self.commands.append(commands.ScheduleTimer(
                    "task_timeout", task_ex.id, timeout, "timeout:%s" % task_ex.id,
                    {"timeout": timeout}))
        return False

    # --- starting -----------------------------------------------------------------------

    def start_task(self, task_ex):
        """Start a RUNNING task: evaluate its input and send its action(s), or start
        its sub-workflow(s)."""
        task_spec = self.spec.task(task_ex.name)
        ctx = self.data_context(task_ex)
        runtime = self.runtime(task_ex)
        try:
            items = self._items(task_spec, task_ex, ctx, runtime)
            if task_spec.type == lang_spec.TASK_TYPE_WORKFLOW:
                return self._start_children(task_ex, task_spec, ctx, runtime, items)
            action_name = task_spec.action
            if is_expression(action_name):
                action_name = self.evaluate(action_name, ctx, runtime)
            action = self.catalog.action(action_name, self.wf_ex.workflow_namespace)
            if items is not None:
                return self._start_with_items(task_ex, task_spec, action_name, action, ctx,
                                              runtime, items)
            params = self.action_input(task_spec, self.evaluate(task_spec.input, ctx, runtime))
            action_ex = self._new_action(task_ex, action, action_name, params, runtime)
        except (TaskFailure, LookupFailed, lang_inputs.InputMismatch) as e:
            return self.fail_start(task_ex, e)
        self._register_actions([action_ex])
        self.send(action_ex, task_spec)

    def action_input(self, task_spec, params):
        """A task's evaluated action input completed with the defaults the execution's
        env gives its action under ``__actions``; what the task gives wins, nested
        mappings are merged (as Mistral merges them)."""
        if not isinstance(params, dict):
            return params
        env = (self.wf_ex.params or {}).get("env") or {}
        defaults = (env.get("__actions") or {}) if isinstance(env, dict) else {}
        defaults = defaults.get(task_spec.action) if isinstance(defaults, dict) else None
        if not isinstance(defaults, dict) or not defaults:
            return params
        return _merge_missing(params, defaults)

    def fail_start(self, task_ex, error):
        """A task that cannot start fails with its workflow at once (on-error is not
        followed), as Mistral does."""
        self.force_fail(task_ex, "Failed to run task [error=%s, wf=%s, task=%s]"
                        % (error, self.wf_ex.name, task_ex.name))

    def send(self, action_ex, task_spec=None, claim=False):
        task_spec = task_spec or self.spec.task(action_ex.task_name)
        target = task_spec.get("target")
        if is_expression(target):
            # What it evaluated to; null (or empty) means any executor.
            target = action_ex.rt.target or None
        self.commands.append(commands.RunAction(
            action_ex.id, safe_rerun=bool(task_spec.get("safe-rerun")), target=target,
            claim=claim))

    def _new_action(self, task_ex, action, action_name, params, runtime, index=0,
                    event=M.CREATE):
        """An action execution of ``task_ex`` (not registered yet); raises
        InputMismatch for input the action does not take."""
        params = params if isinstance(params, dict) else {}
        action.check_input(params)
        rt = records.ActionRuntime(index=index)
        rt.adhoc = action.prepare(params, self.evaluator(runtime))
        target = self.spec.task(task_ex.name).get("target")
        if is_expression(target):
            # Evaluated once, against the task's context and the action's input, so a
            # re-sent action goes to the same executor.
            rt.target = self.evaluate(target, dict(self.data_context(task_ex), **params),
                                      runtime)
        wf_ex = self.wf_ex
        action_ex = records.ActionEx(
            id=self.new_id(),
            name=action_name,
            workflow_name=wf_ex.workflow_name,
            workflow_namespace=wf_ex.workflow_namespace,
            task_name=task_ex.name,
            task_execution_id=task_ex.id,
            workflow_execution_id=wf_ex.id,
            accepted=False,
            is_sync=bool(action.is_sync),
            input=params,
            rt=rt,
            project_id=wf_ex.project_id,
            created_at=self.clock(),
        )
        M.transition("action", action_ex, event)
        return action_ex

    def _register_actions(self, rows):
        for row in rows:
            self.delta.add(row)
            self.view.register(row)

    def _items(self, task_spec, task_ex, ctx, runtime):
        """The with-items item variables of a task, or None without with-items."""
        if not task_spec.with_items:
            return None
        clauses = [(c["var"], self.evaluate(c["expr"], ctx, runtime))
                   for c in task_spec.with_items]
        try:
            items = with_items.expand(clauses)
        except ValueError as e:
            raise TaskFailure(str(e))
        concurrency = task_spec.get("concurrency")
        if isinstance(concurrency, str):
            concurrency = self.evaluate(concurrency, ctx, runtime)
        try:
            concurrency = int(concurrency or 0)
        except (TypeError, ValueError):
            raise TaskFailure("concurrency must be a number, got %r" % (concurrency,))
        self.delta.set(task_ex, rt=task_ex.rt.replace(
            with_items=True, count=len(items), done=0, errors=0, concurrency=concurrency))
        return items

    def _start_with_items(self, task_ex, task_spec, action_name, action, ctx, runtime,
                          items):
        if not items:
            return self.complete(task_ex, states.SUCCESS, result=[])
        first = with_items.first_batch(len(items), task_ex.rt.concurrency)
        base = self.clock()
        rows = []
        for i, item_vars in enumerate(items):
            params = self.action_input(
                task_spec, self.evaluate(task_spec.input, dict(ctx, **item_vars), runtime))
            row = self._new_action(task_ex, action, action_name, params, runtime, index=i,
                                   event=M.CREATE if i < first else M.HOLD)
            # Distinct timestamps keep the items' order when waiting ones are picked up.
            row.created_at = base + datetime.timedelta(microseconds=i)
            rows.append(row)
        self._register_actions(rows)
        for row in rows[:first]:
            self.send(row, task_spec)

    def _start_children(self, task_ex, task_spec, ctx, runtime, items):
        """Ask for the sub-workflow of ``task_ex`` (one per item for with-items)."""
        wf_name = task_spec.workflow
        if is_expression(wf_name):
            wf_name = self.evaluate(wf_name, ctx, runtime)
        if items is not None and not items:
            return self.complete(task_ex, states.SUCCESS, result=[])
        definition = self.catalog.workflow(wf_name, self._lookup_namespace())
        child_spec = definition.spec()
        params = self._child_params()
        starts = []
        for index, item_vars in enumerate(items if items is not None else [{}]):
            wf_input = self.evaluate(task_spec.input, dict(ctx, **item_vars), runtime)
            if not isinstance(wf_input, dict):
                raise TaskFailure("the input of a workflow task must be a mapping")
            lang_inputs.check_declared(child_spec.name, "WorkflowSpec", child_spec.input,
                                       wf_input)
            starts.append(commands.StartSubworkflow(
                task_ex.id, definition.name, definition.namespace, wf_input,
                dict(params, index=index), index))
        first = with_items.first_batch(len(starts), task_ex.rt.concurrency)
        self.commands.extend(starts[:first])
        if starts[first:]:
            # Paced by concurrency: the rest start as children finish.
            self.delta.set(task_ex, rt=task_ex.rt.replace(
                waiting_children=[[s.index, s.input] for s in starts[first:]],
                child_workflow=[definition.name, definition.namespace]))

    def _lookup_namespace(self):
        """Where sub-workflows are looked up first (then in the default namespace): as
        in Mistral, the namespace the execution was started in, which its children
        inherit even when their own definition lives in the default namespace."""
        params = self.wf_ex.params or {}
        return params.get("namespace", self.wf_ex.workflow_namespace) or ""

    def _child_params(self):
        """What a child execution inherits: the parent's environment and namespace."""
        env = (self.wf_ex.params or {}).get("env")
        return {"env": env or {}, "namespace": self._lookup_namespace()}

    def start_waiting_child(self, task_ex):
        """Start the next child a with-items workflow task holds back, if any."""
        waiting = list(task_ex.rt.waiting_children or [])
        if not waiting:
            return
        index, wf_input = waiting.pop(0)
        name, namespace = task_ex.rt.child_workflow
        params = self._child_params()
        self.delta.set(task_ex, rt=task_ex.rt.replace(waiting_children=waiting or None))
        self.commands.append(commands.StartSubworkflow(
            task_ex.id, name, namespace, wf_input, dict(params, index=index), index))

    def next_waiting_item(self, task_ex):
        """The oldest waiting (IDLE) item of a with-items task, or None; taken from a
        page kept for the step, so a batch of results costs one read, not one each."""
        page = self._waiting_pages.get(task_ex.id)
        while True:
            if not page:
                page = self._waiting_pages[task_ex.id] = list(
                    reversed(self.view.waiting_items(task_ex.id, ITEMS_PAGE)))
                if not page:
                    return None
            row = page.pop()
            if row.state == states.IDLE:
                return row


def _merge_missing(given, defaults):
    """``given`` with the keys of ``defaults`` it lacks, recursively into mappings."""
    out = dict(given)
    for key, value in defaults.items():
        if key not in out:
            out[key] = value
        elif isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = _merge_missing(out[key], value)
    return out
