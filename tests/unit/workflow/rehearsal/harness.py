"""Helpers of the rehearsal suite: scripted executors and what a user would see.

Scenarios are written as whole YAML texts and run through ``Rehearsal``: the
conductor is fed events synchronously, in memory, with an injected clock. These
helpers only answer actions and read the store; they decide nothing.
"""

from mistral_svc.workflow import commands, records
from mistral_svc.workflow.rehearsing import Rehearsal, std_executor

# An answer that leaves the action running, for the test to complete later.
PENDING = object()


class Fail:
    """An answer that fails the action with ``error``."""

    def __init__(self, error="failed"):
        self.error = error


def _as_result(answer, action_ex):
    if answer is PENDING:
        return None
    if isinstance(answer, Fail):
        return records.ActionResult(error=answer.error)
    if isinstance(answer, records.ActionResult):
        return answer
    if callable(answer):
        return _as_result(answer(action_ex), action_ex)
    return records.ActionResult(data=answer)


def scripted(**by_task):
    """An executor answering the actions of each named task: a plain value succeeds
    with that value, ``Fail(e)`` fails, ``PENDING`` leaves it running, a callable of the
    action execution returns one of these, and a list gives one answer per attempt
    (its last answer repeats). Tasks not named run as the standard actions do."""
    attempts = {}

    def executor(action_ex):
        if action_ex.task_name not in by_task:
            return std_executor(action_ex)
        answer = by_task[action_ex.task_name]
        if isinstance(answer, list):
            n = attempts.get(action_ex.task_name, 0)
            attempts[action_ex.task_name] = n + 1
            answer = answer[min(n, len(answer) - 1)]
        return _as_result(answer, action_ex)

    return executor


def run(text, name="wf", wf_input=None, params=None, executor=std_executor, **kwargs):
    """``(rehearsal, execution id)`` of workflow ``name`` of ``text``, started and run
    until nothing is left to do."""
    r = Rehearsal(text, executor=executor, **kwargs)
    return r, r.start(name, wf_input, params)


def sent(r, task=None, wf_ex_id=None):
    """``[(action name, input)]`` of the actions sent to executors, in order (only those
    of task ``task`` and of execution ``wf_ex_id`` when given)."""
    out = []
    for cmd in r.sent:
        action_ex = r.store.actions[cmd.action_ex_id]
        if task is not None and action_ex.task_name != task:
            continue
        if wf_ex_id is not None and action_ex.workflow_execution_id != wf_ex_id:
            continue
        out.append((action_ex.name, action_ex.input))
    return out


def inputs(r, task, wf_ex_id=None):
    """The inputs of the actions sent for task ``task``, in order."""
    return [i for _name, i in sent(r, task, wf_ex_id)]


def task_names(r, wf_ex_id):
    """Names of the execution's task executions, in the order they were created."""
    return [t.name for t in r.tasks(wf_ex_id)]


def commands_of(r, kind):
    """Every command of that type the steps asked for, in order."""
    return [c for step in r.steps for c in step.commands if isinstance(c, kind)]


def scheduled(r):
    """``[(timer name, delay)]`` of every timer the steps scheduled, in order."""
    return [(c.name, c.delay) for c in commands_of(r, commands.ScheduleTimer)]
