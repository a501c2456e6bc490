"""The conductor's view of one execution, read from the database with SQLAlchemy Core.

Rows become ``workflow.records`` once per step and are kept by id, so every read of
the step returns the same record, with whatever the step changed in it; records the
step created (``register``) join every later read. Queries leave out the rows the step
already holds and add those from memory, so counts and lists are right before anything
is written.
"""

import sqlalchemy as sa

from mistral_svc.db import models
from mistral_svc.workflow import records, states
from mistral_svc.workflow.view import LookupFailed

WF = models.WorkflowExecution.__table__
TASKS = models.TaskExecution.__table__
ACTIONS = models.ActionExecution.__table__

# Columns of a workflow execution the conductor uses: all but the stored spec, which
# the spec cache replaces.
_WF_COLUMNS = [c for c in WF.c if c.name != "spec"]
# An action's output is read only where a result is shown (task results, failure
# messages): the hot path, a result arriving for it, does not need the old one.
_ACTION_LIGHT = [c for c in ACTIONS.c if c.name != "output"]


def _order(rows):
    return sorted(rows, key=lambda r: (r.created_at is None, r.created_at))


def lock_execution(session, wf_ex_id, lock=True):
    """The workflow execution record, its row locked for the rest of the transaction
    (serialises work on one execution; different executions proceed in parallel).
    LookupFailed if there is none."""
    q = sa.select(*_WF_COLUMNS).where(WF.c.id == wf_ex_id)
    if lock:
        q = q.with_for_update()
    row = session.execute(q).mappings().first()
    if row is None:
        raise LookupFailed("Execution not found [id=%s]" % wf_ex_id)
    return records.WorkflowEx.from_row(row)


def load_spec(session, wf_ex_id):
    return session.execute(sa.select(WF.c.spec).where(WF.c.id == wf_ex_id)).scalar()


class DbView:
    """``ExecutionView`` of one workflow execution inside the current transaction."""

    def __init__(self, session, wf_ex_id):
        self.session = session
        self.wf_ex_id = wf_ex_id
        self._tasks = {}
        self._actions = {}
        self._joins = {}
        self._action_outputs = set()

    # records of this step
    def register(self, record):
        if record.kind == "task":
            self._tasks[record.id] = record
            if record.unique_key:
                self._joins[record.unique_key] = record
        elif record.kind == "action":
            self._actions[record.id] = record
            self._action_outputs.add(record.id)

    def held_actions(self):
        return self._actions

    def _task(self, row):
        task_ex = self._tasks.get(row["id"])
        if task_ex is None:
            task_ex = self._tasks[row["id"]] = records.TaskEx.from_row(row)
        return task_ex

    def _action(self, row, with_output):
        action_ex = self._actions.get(row["id"])
        if action_ex is None:
            action_ex = self._actions[row["id"]] = records.ActionEx.from_row(row)
            if with_output:
                self._action_outputs.add(action_ex.id)
        elif with_output and action_ex.id not in self._action_outputs:
            # Loaded without its output earlier; a result this step stored stays.
            if action_ex.output is None:
                action_ex.output = row["output"]
            self._action_outputs.add(action_ex.id)
        return action_ex

    def _mine(self, kind):
        held = self._tasks if kind == "task" else self._actions
        return [r for r in held.values() if r.workflow_execution_id == self.wf_ex_id]

    # ExecutionView
    def task(self, task_ex_id):
        task_ex = self._tasks.get(task_ex_id)
        if task_ex is not None:
            return task_ex
        row = self.session.execute(
            sa.select(TASKS).where(TASKS.c.id == task_ex_id)).mappings().first()
        if row is None or row["workflow_execution_id"] != self.wf_ex_id:
            raise LookupFailed("Task execution not found [id=%s]" % task_ex_id)
        return self._task(row)

    def tasks(self, name=None, states=None):
        q = sa.select(TASKS).where(TASKS.c.workflow_execution_id == self.wf_ex_id)
        if name is not None:
            q = q.where(TASKS.c.name == name)
        if states:
            q = q.where(TASKS.c.state.in_(states))
        held = set(self._tasks)
        if held:
            q = q.where(TASKS.c.id.notin_(held))
        mine = [t for t in self._mine("task")
                if (name is None or t.name == name) and (not states or t.state in states)]
        loaded = [self._task(r) for r in self.session.execute(q).mappings()]
        return _order(loaded + mine)

    def join(self, unique_key):
        task_ex = self._joins.get(unique_key)
        if task_ex is None:
            row = self.session.execute(
                sa.select(TASKS).where(TASKS.c.unique_key == unique_key)).mappings().first()
            if row is not None:
                task_ex = self._joins[unique_key] = self._task(row)
        return task_ex

    def action(self, action_ex_id):
        action_ex = self._actions.get(action_ex_id)
        if action_ex is not None:
            return action_ex
        row = self.session.execute(
            sa.select(*_ACTION_LIGHT).where(ACTIONS.c.id == action_ex_id)).mappings().first()
        if row is None or row["workflow_execution_id"] != self.wf_ex_id:
            return None
        return self._action(row, with_output=False)

    def preload(self, action_ex_ids):
        """Load a batch of action executions and their tasks: one joined query for a
        lone result (a chain's hop), two for more (the items of a with-items task share
        their task, whose context a join would return and decode once per item)."""
        missing = [i for i in action_ex_ids if i not in self._actions]
        if len(missing) == 1 and len(action_ex_ids) == 1:
            return self._preload_one(missing[0])
        if missing:
            q = sa.select(*_ACTION_LIGHT).where(ACTIONS.c.id.in_(missing))
            for row in self.session.execute(q).mappings():
                if row["workflow_execution_id"] == self.wf_ex_id:
                    self._action(row, with_output=False)
        task_ids = {self._actions[i].task_execution_id for i in action_ex_ids
                    if i in self._actions} - set(self._tasks) - {None}
        if task_ids:
            q = sa.select(TASKS).where(TASKS.c.id.in_(task_ids))
            for row in self.session.execute(q).mappings():
                self._task(row)

    def _preload_one(self, action_ex_id):
        task_cols = [c.label("t_" + c.name) for c in TASKS.c]
        q = (sa.select(*_ACTION_LIGHT, *task_cols)
             .select_from(ACTIONS.outerjoin(TASKS, TASKS.c.id == ACTIONS.c.task_execution_id))
             .where(ACTIONS.c.id == action_ex_id))
        row = self.session.execute(q).mappings().first()
        if row is None or row["workflow_execution_id"] != self.wf_ex_id:
            return
        self._action(row, with_output=False)
        if row["t_id"] is not None and row["t_id"] not in self._tasks:
            self._task({c.name: row["t_" + c.name] for c in TASKS.c})

    def actions(self, task_ex_id):
        q = sa.select(ACTIONS).where(ACTIONS.c.task_execution_id == task_ex_id)
        loaded = [self._action(r, with_output=True) for r in self.session.execute(q).mappings()]
        seen = {a.id for a in loaded}
        mine = [a for a in self._actions.values()
                if a.task_execution_id == task_ex_id and a.id not in seen]
        return _order(loaded + mine)

    def waiting_items(self, task_ex_id, limit):
        held = [a.id for a in self._actions.values() if a.task_execution_id == task_ex_id]
        q = (sa.select(*_ACTION_LIGHT)
             .where(ACTIONS.c.task_execution_id == task_ex_id)
             .where(ACTIONS.c.state == states.IDLE))
        if held:
            q = q.where(ACTIONS.c.id.notin_(held))
        q = q.order_by(ACTIONS.c.created_at).limit(limit)
        mine = [a for a in self._actions.values()
                if a.task_execution_id == task_ex_id and a.state == states.IDLE]
        loaded = [self._action(r, with_output=False) for r in self.session.execute(q).mappings()]
        return _order(loaded + mine)[:limit]

    def children(self, task_ex_id):
        return children_of(self.session, task_ex_id)

    def incomplete_counts(self):
        q = (sa.select(TASKS.c.state, sa.func.count())
             .where(TASKS.c.workflow_execution_id == self.wf_ex_id)
             .where(TASKS.c.state.notin_(states.COMPLETED))
             .group_by(TASKS.c.state))
        held = [t.id for t in self._mine("task")]
        if held:
            q = q.where(TASKS.c.id.notin_(held))
        counts = {state: n for state, n in self.session.execute(q)}
        for task_ex in self._mine("task"):
            if task_ex.state not in states.COMPLETED:
                counts[task_ex.state] = counts.get(task_ex.state, 0) + 1
        return counts


def children_of(session, task_ex_id):
    q = (sa.select(WF.c.id, WF.c.state, WF.c.state_info, WF.c.output, WF.c.params)
         .where(WF.c.task_execution_id == task_ex_id).order_by(WF.c.created_at))
    return [records.ChildEx(r.id, r.state, r.state_info, r.output,
                            (r.params or {}).get("index", 0),
                            bool((r.params or {}).get("revert")))
            for r in session.execute(q)]
