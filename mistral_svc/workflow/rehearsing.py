"""Drive the conductor synchronously, in memory: no database, no broker, no threads.

``Rehearsal`` keeps executions in a ``MemoryStore`` (plain records that round-trip
through dicts), feeds events to ``Conductor`` steps the way the engine does — each step
sees copies of the stored records, its delta is committed, then its commands are carried
out — and plays the executor and the scheduler: actions are answered by a function of
the test's choosing, timers fire when the test moves the injected clock on. Every
behaviour of the language can be stated here as events in, states and steps out.
"""

import collections
import dataclasses
import datetime
import itertools
import textwrap

from mistral_svc import lang
from mistral_svc.lang import inputs as lang_inputs
from mistral_svc.workflow import commands, records, states
from mistral_svc.workflow.conducting import Conductor
from mistral_svc.workflow.errors import Refused
from mistral_svc.workflow.runtime import result_of
from mistral_svc.workflow.view import LookupFailed

EPOCH = datetime.datetime(2026, 1, 1)


def _copy(record):
    return type(record).from_dict(record.to_dict())


@dataclasses.dataclass
class Definition:
    """A stored workflow definition, as ``Catalog.workflow`` returns it."""

    id: str
    name: str
    namespace: str
    checksum: str
    project_id: str
    data: dict

    def spec(self):
        return lang.WorkflowSpec(self.data)


class MemoryAction:
    """An action of the rehearsal catalogue: input checked against ``params`` (names,
    required ones without a default); None accepts anything."""

    def __init__(self, name, params=None, is_sync=True):
        self.name = name
        self.params = params
        self.is_sync = is_sync

    def check_input(self, given):
        if self.params is None:
            return
        lang_inputs.check(self.name, "MemoryAction", set(self.params),
                          [n for n, d in self.params.items() if d is REQUIRED], given)

    def prepare(self, params, evaluate):
        return None


REQUIRED = object()

STD_ACTIONS = {
    "std.noop": MemoryAction("std.noop", {}),
    "std.echo": MemoryAction("std.echo", {"output": REQUIRED}),
    "std.fail": MemoryAction("std.fail", {"error_data": None}),
    "std.async_noop": MemoryAction("std.async_noop", {}, is_sync=False),
}


class MemoryAdhocAction:
    """An ad-hoc action of the rehearsal catalogue (a spec of ``lang.parse_actions``)
    over ``base``, another entry of the catalogue: its input is checked against its
    own declared input, and ``prepare`` gives the chain's runtime as the engine's
    catalogue does (the base action that runs, its evaluated input, the output
    transformations innermost first)."""

    def __init__(self, spec, base):
        self.name = spec["name"]
        self.spec = spec
        self.base = base
        self.is_sync = base.is_sync

    def check_input(self, given):
        lang_inputs.check_declared(self.name, "AdHocAction", self.spec["input"], given)

    def prepare(self, params, evaluate):
        ctx = lang_inputs.with_defaults(self.spec["input"], params)
        try:
            base_params = evaluate(self.spec["base-input"] or {}, ctx)
        except Exception as e:  # noqa: BLE001 - any evaluation error names the action
            raise lang_inputs.InputMismatch(
                "Failed to evaluate base-input of ad-hoc action %s: %s" % (self.name, e))
        if not isinstance(base_params, dict):
            raise lang_inputs.InputMismatch(
                "base-input of ad-hoc action %s must evaluate to a dict" % self.name)
        self.base.check_input(base_params)
        inner = self.base.prepare(base_params, evaluate)
        if inner is None:
            return {"base": self.base.name, "base_input": base_params,
                    "outputs": [self.spec.get("output")]}
        return dict(inner, outputs=inner["outputs"] + [self.spec.get("output")])


def std_executor(action_ex):
    """Answers ``std.noop``, ``std.echo`` and ``std.fail`` as the real ones do (for an
    ad-hoc action, its base action with the base input)."""
    name, params = action_ex.name, action_ex.input
    if action_ex.rt.adhoc:
        name, params = action_ex.rt.adhoc["base"], action_ex.rt.adhoc["base_input"]
    if name == "std.echo":
        return records.ActionResult(data=params.get("output"))
    if name == "std.fail":
        return records.ActionResult(error=params.get("error_data") or "Fail action")
    return records.ActionResult(data=None)


class MemoryStore:
    """Executions, definitions and the catalogue, in memory."""

    def __init__(self):
        self.executions = {}
        self.tasks = {}
        self.actions = {}
        self.specs = {}
        self.definitions = {}
        self.action_catalog = dict(STD_ACTIONS)
        self.environments = {}

    def to_dict(self):
        """The executions as plain data (definitions and catalogue are fixtures)."""
        return {
            "executions": [r.to_dict() for r in self.executions.values()],
            "tasks": [r.to_dict() for r in self.tasks.values()],
            "actions": [r.to_dict() for r in self.actions.values()],
        }

    def restore(self, data):
        self.executions = {d["id"]: records.WorkflowEx.from_dict(d) for d in data["executions"]}
        self.tasks = {d["id"]: records.TaskEx.from_dict(d) for d in data["tasks"]}
        self.actions = {d["id"]: records.ActionEx.from_dict(d) for d in data["actions"]}

    def commit(self, delta):
        for record in delta.created:
            self._table(record)[record.id] = _copy(record)
        for record, _fields in delta.changed:
            self._table(record)[record.id] = _copy(record)

    def _table(self, record):
        return {"workflow": self.executions, "task": self.tasks, "action": self.actions}[
            record.kind]

    def children_of(self, task_ex_id):
        kids = [w for w in self.executions.values() if w.task_execution_id == task_ex_id]
        return [records.ChildEx(w.id, w.state, w.state_info, w.output,
                                (w.params or {}).get("index", 0),
                                bool((w.params or {}).get("revert"))) for w in kids]


class MemoryView:
    """``ExecutionView`` and ``Catalog`` over a ``MemoryStore`` for one step: reads
    return copies, kept per id, so the step sees its own changes and the store changes
    only when the step is committed."""

    def __init__(self, store, wf_ex_id):
        self.store = store
        self.wf_ex_id = wf_ex_id
        self._seen = {}
        self._new = []

    def _get(self, record):
        mine = self._seen.get(record.id)
        if mine is None:
            mine = self._seen[record.id] = _copy(record)
        return mine

    def register(self, record):
        self._seen[record.id] = record
        self._new.append(record)

    def _all_tasks(self):
        stored = [self._get(t) for t in self.store.tasks.values()
                  if t.workflow_execution_id == self.wf_ex_id]
        new = [r for r in self._new
               if r.kind == "task" and r.id not in self.store.tasks]
        return stored + new

    def _all_actions(self):
        stored = [self._get(a) for a in self.store.actions.values()
                  if a.workflow_execution_id == self.wf_ex_id]
        new = [r for r in self._new
               if r.kind == "action" and r.id not in self.store.actions]
        return stored + new

    # ExecutionView
    def task(self, task_ex_id):
        for t in self._all_tasks():
            if t.id == task_ex_id:
                return t
        raise LookupFailed("Task execution not found [id=%s]" % task_ex_id)

    def tasks(self, name=None, states=None):
        return [t for t in self._all_tasks()
                if (name is None or t.name == name) and (states is None or t.state in states)]

    def join(self, unique_key):
        for t in self._all_tasks():
            if t.unique_key == unique_key:
                return t
        return None

    def action(self, action_ex_id):
        for a in self._all_actions():
            if a.id == action_ex_id:
                return a
        return None

    def actions(self, task_ex_id):
        return [a for a in self._all_actions() if a.task_execution_id == task_ex_id]

    def waiting_items(self, task_ex_id, limit):
        rows = [a for a in self.actions(task_ex_id) if a.state == states.IDLE]
        return sorted(rows, key=lambda a: a.created_at)[:limit]

    def children(self, task_ex_id):
        return self.store.children_of(task_ex_id)

    def incomplete_counts(self):
        return dict(collections.Counter(
            t.state for t in self._all_tasks() if t.state not in states.COMPLETED))

    # Catalog
    def workflow(self, name, namespace, exact=False):
        for ns in (namespace or "",) if exact else (namespace or "", ""):
            found = self.store.definitions.get((name, ns))
            if found is not None:
                return found
        raise LookupFailed("Workflow not found [name=%s]" % name)

    def action_ref(self, name):
        found = self.store.action_catalog.get(name)
        if found is None:
            raise LookupFailed("Failed to find action [action_name=%s]" % name)
        return found

    def transform(self, outputs, data, evaluate):
        for output in outputs:
            if output is not None:
                try:
                    data = evaluate(output, data)
                except Exception as e:  # noqa: BLE001 - a bad output fails the action
                    raise ValueError("Failed to evaluate the output of an ad-hoc action: %s"
                                     % e)
        return data

    def environment(self, name):
        if name not in self.store.environments:
            raise LookupFailed("Environment is not found: %s" % name)
        return self.store.environments[name]

    def execution_of_task(self, task_ex_id):
        task_ex = self.store.tasks.get(task_ex_id)
        return task_ex.workflow_execution_id if task_ex else None

    def execution(self, wf_ex_id):
        if wf_ex_id not in self.store.executions:
            raise LookupFailed("Execution not found [id=%s]" % wf_ex_id)
        return self.store.executions[wf_ex_id]

    def executions(self, filters, limit):
        rows = []
        for w in self.store.executions.values():
            ok = True
            for key, value in filters.items():
                if isinstance(value, tuple):
                    continue
                ok = ok and getattr(w, key) == value
            if ok:
                rows.append(w)
        return rows[:limit]

    def tasks_of(self, wf_ex_id, state):
        return [t for t in self.store.tasks.values()
                if (wf_ex_id is None or t.workflow_execution_id == wf_ex_id)
                and (state is None or t.state == state)]

    def task_result(self, task_ex):
        return result_of(task_ex,
                         [a for a in self.store.actions.values()
                          if a.task_execution_id == task_ex.id],
                         self.store.children_of(task_ex.id))


class _Catalog:
    """The view's catalogue face (``action`` there means an action of the step)."""

    def __init__(self, view):
        self._view = view

    def __getattr__(self, name):
        return getattr(self._view, name)

    def action(self, name, namespace):
        return self._view.action_ref(name)


class Rehearsal:
    """Runs workflows of a YAML text through the conductor, synchronously.

    ``executor(action_ex) -> ActionResult`` answers every action sent (None leaves
    them pending for the test to answer with ``complete``); ``round_trip`` serialises
    and restores the whole store after every step, proving the state is plain data."""

    def __init__(self, text=None, executor=std_executor, round_trip=True):
        self.store = MemoryStore()
        self.executor = executor
        self.round_trip = round_trip
        self.now = EPOCH
        self._ids = itertools.count(1)
        self.timers = {}
        self.sent = []
        self.steps = []
        self._queue = collections.deque()
        if text:
            self.define(text)

    # fixtures
    def define(self, text, namespace=""):
        for wf in lang.parse_workflows(textwrap.dedent(text)):
            key = "%s:%s" % (namespace, wf["name"])
            self.store.definitions[(wf["name"], namespace)] = Definition(
                "def-" + key, wf["name"], namespace, "sum-" + key, "<default-project>", wf)

    def define_actions(self, text):
        """Ad-hoc actions of a YAML text, over actions already in the catalogue."""
        for spec in lang.parse_actions(textwrap.dedent(text)):
            base = self.store.action_catalog[spec["base"]]
            self.store.action_catalog[spec["name"]] = MemoryAdhocAction(spec, base)

    def clock(self):
        return self.now

    def new_id(self):
        return "id-%04d" % next(self._ids)

    # driving
    def _conductor(self, wf_ex_id):
        wf_ex = _copy(self.store.executions[wf_ex_id])
        view = MemoryView(self.store, wf_ex_id)
        spec = self._spec(wf_ex)
        return Conductor(spec, wf_ex, view, _Catalog(view), self.clock, self.new_id)

    def _spec(self, wf_ex):
        if wf_ex.id not in self.store.specs:
            definition = next(d for d in self.store.definitions.values()
                              if d.id == wf_ex.workflow_id)
            self.store.specs[wf_ex.id] = definition.spec()
        return self.store.specs[wf_ex.id]

    def _commit(self, step):
        self.store.commit(step.delta)
        self.steps.append(step)
        if self.round_trip:
            data = self.store.to_dict()
            self.store.restore(data)
            assert self.store.to_dict() == data
        self._queue.extend(step.commands)

    def start(self, name, wf_input=None, params=None, namespace="", task_ex_id=None,
              root_execution_id=None):
        """Start an execution of workflow ``name``; runs until nothing is left to do."""
        view = MemoryView(self.store, None)
        definition = view.workflow(name, namespace)
        conductor = Conductor.new_execution(
            definition, wf_input, params, view, _Catalog(view), self.clock, self.new_id,
            task_ex_id=task_ex_id, root_execution_id=root_execution_id)
        view.wf_ex_id = conductor.wf_ex.id
        self.store.specs[conductor.wf_ex.id] = conductor.spec
        self._commit(conductor.start())
        self.drain()
        return conductor.wf_ex.id

    def drain(self):
        """Carry out queued commands (and answer sent actions) until none are left."""
        while self._queue:
            self._carry_out(self._queue.popleft())

    def _carry_out(self, cmd):
        if isinstance(cmd, commands.RunAction):
            action_ex = self.store.actions[cmd.action_ex_id]
            self.sent.append(cmd)
            result = self.executor(action_ex) if self.executor and action_ex.is_sync else None
            if result is not None:
                self.deliver(action_ex.id, result, drain=False)
        elif isinstance(cmd, commands.StartSubworkflow):
            self._start_child(cmd)
        elif isinstance(cmd, commands.ScheduleTimer):
            if cmd.key not in self.timers:
                due = self.now + datetime.timedelta(seconds=cmd.delay)
                self.timers[cmd.key] = (due, cmd)
        elif isinstance(cmd, commands.CancelTimer):
            self.timers.pop(cmd.key, None)
        elif isinstance(cmd, commands.NotifyParent):
            child = self.store.executions[cmd.wf_ex_id]
            parent_id = self.store.tasks[child.task_execution_id].workflow_execution_id
            kids = {k.id: k for k in self.store.children_of(child.task_execution_id)}
            c = self._conductor(parent_id)
            self._commit(c.on_child_complete(child.task_execution_id, kids[child.id]))
        elif isinstance(cmd, commands.Cascade):
            method = {"pause_workflow": "pause", "resume_workflow": "resume",
                      "stop_workflow": "stop", "reopen_task": "reopen_task",
                      "revert_workflow": "revert"}[cmd.method]
            getattr(self, method)(cmd.wf_ex_id, drain=False, **cmd.kwargs)
        elif isinstance(cmd, commands.DropResults):
            for a in self.store.actions.values():
                if a.task_execution_id == cmd.task_ex_id:
                    a.output = None
        else:
            raise AssertionError("unknown command %r" % (cmd,))

    def _start_child(self, cmd):
        """Start a sub-workflow as the engine does: not once its task has ended (a
        sibling could not start), and a child that cannot start fails the task."""
        parent_task = self.store.tasks[cmd.task_ex_id]
        if parent_task.state != states.RUNNING and not cmd.revert:
            return
        parent = self.store.executions[parent_task.workflow_execution_id]
        view = MemoryView(self.store, None)
        try:
            definition = view.workflow(cmd.workflow_name, cmd.namespace, exact=True)
            child = Conductor.new_execution(
                definition, cmd.input, cmd.params, view, _Catalog(view), self.clock,
                self.new_id, project_id=parent.project_id, task_ex_id=cmd.task_ex_id,
                root_execution_id=parent.root_execution_id or parent.id)
            view.wf_ex_id = child.wf_ex.id
            step = child.start()
        except (Refused, LookupFailed) as e:
            c = self._conductor(parent.id)
            self._commit(c.on_child_refused(cmd.task_ex_id, str(e), revert=cmd.revert))
            return
        self.store.specs[child.wf_ex.id] = child.spec
        self._commit(step)

    def deliver(self, action_ex_id, result, drain=True):
        """An executor's result for one action execution."""
        action_ex = self.store.actions[action_ex_id]
        c = self._conductor(action_ex.workflow_execution_id)
        self._commit(c.on_action_results([(action_ex_id, result)]))
        if drain:
            self.drain()

    def complete(self, task_name, data=None, error=None, wf_ex_id=None, index=None):
        """Answer the running action of task ``task_name`` (one item with ``index``)."""
        rows = [a for a in self.store.actions.values()
                if a.task_name == task_name and a.state == states.RUNNING
                and (wf_ex_id is None or a.workflow_execution_id == wf_ex_id)
                and (index is None or a.rt.index == index)]
        assert rows, "no running action of task %r" % task_name
        self.deliver(rows[0].id, records.ActionResult(data=data, error=error))

    def advance(self, seconds):
        """Move the clock on and fire the timers that fall due, in order."""
        self.now += datetime.timedelta(seconds=seconds)
        while True:
            due = sorted((t for t in self.timers.items() if t[1][0] <= self.now),
                         key=lambda t: t[1][0])
            if not due:
                return
            key, (_when, cmd) = due[0]
            del self.timers[key]
            task_ex = self.store.tasks[cmd.task_ex_id]
            c = self._conductor(task_ex.workflow_execution_id)
            self._commit(c.on_timer(cmd.name, cmd.task_ex_id, cmd.args))
            self.drain()

    def _request(self, wf_ex_id, method, drain, *args, **kwargs):
        c = self._conductor(wf_ex_id)
        step = getattr(c, method)(*args, **kwargs)
        self._commit(step)
        if drain:
            self.drain()
        return step

    def event(self, wf_ex_id, method, *args, **kwargs):
        """Feed one event to execution ``wf_ex_id`` by its ``Conductor`` method name
        (``on_timer``, ``on_action_results``, ``rerun``...), as the engine would,
        even one it would not send then; returns the step, stored and carried out."""
        return self._request(wf_ex_id, method, True, *args, **kwargs)

    def restore(self, data):
        """Go on from stored data alone (``MemoryStore.to_dict``); new ids follow the
        stored ones."""
        self.store.restore(data)
        stored = [int(i.rsplit("-", 1)[1]) for table in data.values() for i in
                  (r["id"] for r in table)]
        self._ids = itertools.count(max(stored, default=0) + 1)

    def pause(self, wf_ex_id, drain=True):
        self._request(wf_ex_id, "pause", drain)

    def resume(self, wf_ex_id, env=None, drain=True):
        self._request(wf_ex_id, "resume", drain, env)

    def stop(self, wf_ex_id, state, message=None, drain=True):
        self._request(wf_ex_id, "stop", drain, state, message)

    def skip(self, task_ex_id):
        wf_ex_id = self.store.tasks[task_ex_id].workflow_execution_id
        self._request(wf_ex_id, "skip", True, task_ex_id)

    def revert(self, wf_ex_id, drain=True):
        """Revert a succeeded execution on its parent's behalf (``revert_workflow``)."""
        self._request(wf_ex_id, "revert", drain)

    def reopen_task(self, wf_ex_id, task_ex_id, drain=True):
        self._request(wf_ex_id, "reopen_task", drain, task_ex_id)

    def rerun(self, task_ex_id, reset=True, env=None):
        wf_ex_id = self.store.tasks[task_ex_id].workflow_execution_id
        self._request(wf_ex_id, "rerun", True, task_ex_id, reset, env)

    def lose(self, action_ex_id):
        """The executor of ``action_ex_id`` went silent (recovery's judgement)."""
        wf_ex_id = self.store.actions[action_ex_id].workflow_execution_id
        self._request(wf_ex_id, "on_action_lost", True, action_ex_id)

    def resend(self, action_ex_id):
        """No executor acknowledged ``action_ex_id`` (recovery's judgement)."""
        wf_ex_id = self.store.actions[action_ex_id].workflow_execution_id
        self._request(wf_ex_id, "on_action_unacknowledged", True, action_ex_id)

    # reading
    def execution(self, wf_ex_id):
        return self.store.executions[wf_ex_id]

    def task_states(self, wf_ex_id):
        """``{task name: state}`` (the last task of each name)."""
        return {t.name: t.state for t in self.tasks(wf_ex_id)}

    def tasks(self, wf_ex_id, name=None):
        return [t for t in self.store.tasks.values()
                if t.workflow_execution_id == wf_ex_id and (name is None or t.name == name)]

    def task(self, wf_ex_id, name):
        (found,) = self.tasks(wf_ex_id, name)
        return found

    def actions_of(self, task_ex):
        return sorted((a for a in self.store.actions.values()
                       if a.task_execution_id == task_ex.id), key=lambda a: a.created_at)

    def children(self, task_ex):
        return [self.store.executions[c.id] for c in self.store.children_of(task_ex.id)]

    def result(self, task_ex):
        return MemoryView(self.store, task_ex.workflow_execution_id).task_result(task_ex)
