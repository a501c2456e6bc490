"""Direct workflows: which tasks start, what a finished task leads to, when a join fires.

Pure functions over a ``WorkflowSpec`` and plain task facts; expressions are evaluated
through the ``evaluate(value, ctx)`` callable the caller hands in, so this module never
touches a database, a clock or the network.
"""

import dataclasses

from mistral_svc.lang import spec as lang_spec
from mistral_svc.workflow import commands, states


@dataclasses.dataclass
class TaskOutcome:
    """What the core needs to know about a task that just finished."""

    id: str
    name: str
    state: str
    # Published values carried along this branch (predecessors' plus this task's own).
    out_ctx: dict
    # What the task itself published (publish, publish-on-error or publish-on-skip).
    published: dict = None


@dataclasses.dataclass
class Decision:
    """The core's answer for a finished task."""

    commands: list
    error_handled: bool
    # Data a clause-level ``publish`` (advanced syntax) adds to this branch and globally.
    branch_publish: dict = dataclasses.field(default_factory=dict)
    global_publish: dict = dataclasses.field(default_factory=dict)
    # ``branch_publish`` by origin: the clause of the task's state (on-success, on-error
    # or on-skip) and on-complete. On a clash the task's own publish wins over the
    # first and on-complete over both, as Mistral merges them.
    clause_publish: dict = dataclasses.field(default_factory=dict)
    complete_publish: dict = dataclasses.field(default_factory=dict)


def start_commands(wf_spec):
    """Commands that start a direct workflow: every task nothing transitions to."""
    return [
        commands.RunTask(name=n, ctx={}, triggered_by=[], join=wf_spec.task(n).join)
        for n in wf_spec.start_task_names()
    ]


def _truthy(value):
    return bool(value)


def _clauses_for(state):
    if state == states.SUCCESS:
        return ("on-success", "on-complete")
    if state == states.ERROR:
        return ("on-error", "on-complete")
    if state == states.SKIPPED:
        # on-success is the fallback of a skip that on-skip leads nowhere (see below).
        return ("on-skip", "on-success")
    return ()


_STATE_CLAUSE = {states.SUCCESS: "on-success", states.ERROR: "on-error",
                 states.SKIPPED: "on-skip"}


def _publishes(task_spec, state, evaluate, base_ctx):
    """``(clause branch, on-complete branch, global)`` a completed task publishes
    through its clauses. They publish as the task completes, whatever transitions
    fire: a skipped task publishes its on-complete's too (without following it)."""
    branch = {}
    global_ = {}
    for name in (_STATE_CLAUSE.get(state), "on-complete"):
        clause = task_spec.clause(name) if name else None
        if not clause:
            branch[name] = {}
            continue
        branch[name] = evaluate(clause["publish"], base_ctx) if clause.get("publish") else {}
        if clause.get("publish-global"):
            global_ = {**global_, **evaluate(clause["publish-global"], base_ctx)}
    return branch[_STATE_CLAUSE.get(state)], branch["on-complete"], global_


def next_commands(wf_spec, outcome, evaluate, base_ctx):
    """Decide what follows ``outcome``.

    ``base_ctx`` is the data context of expressions (workflow input and vars merged with
    ``outcome.out_ctx``); conditions and transition params are evaluated against it.
    """
    task_spec = wf_spec.task(outcome.name)
    cmds = []
    error_handled = False
    if outcome.state in _STATE_CLAUSE:
        clause_publish, complete_publish, global_publish = _publishes(
            task_spec, outcome.state, evaluate, base_ctx)
    else:
        clause_publish, complete_publish, global_publish = {}, {}, {}
    ended = False
    for clause_name in _clauses_for(outcome.state):
        clause = task_spec.clause(clause_name)
        if not clause:
            continue
        if clause_name == "on-success" and outcome.state == states.SKIPPED and cmds:
            # As Mistral: a skipped task follows on-success only when no transition
            # of its on-skip fired.
            break
        for tr in clause["next"]:
            if tr["condition"] is not None and not _truthy(evaluate(tr["condition"],
                                                                    base_ctx)):
                continue
            # Only on-error handles an error; on-complete is a "finally".
            if clause_name == "on-error":
                error_handled = True
            cmd = _command_for(wf_spec, outcome, clause_name, tr, evaluate, base_ctx)
            cmds.append(cmd)
            if isinstance(cmd, commands.EndWorkflow) and cmd.kind in ("fail", "succeed"):
                # Nothing after a terminal command is processed, on-complete included.
                ended = True
                break
        if ended:
            break
    branch_publish = {**clause_publish, **complete_publish}
    if branch_publish:
        ctx = {**outcome.out_ctx, **clause_publish, **(outcome.published or {}),
               **complete_publish}
        for c in cmds:
            if isinstance(c, commands.RunTask):
                c.ctx = ctx
    return Decision(cmds, error_handled, branch_publish, global_publish, clause_publish,
                    complete_publish)


def _command_for(wf_spec, outcome, clause_name, tr, evaluate, base_ctx):
    name = tr["name"]
    params = evaluate(tr["params"], base_ctx) if tr["params"] else {}
    if name.startswith(("<%", "{{")):
        name = evaluate(name, base_ctx)
    if name == "noop":
        return commands.Noop()
    if is_engine_command(name):
        return commands.EndWorkflow(kind=name, msg=params.get("msg"), task_name=outcome.name)
    if name not in wf_spec.tasks:
        raise KeyError("task %r transitions to unknown task %r" % (outcome.name, name))
    event = clause_name.replace("on-", "on_")
    return commands.RunTask(
        name=name,
        ctx=outcome.out_ctx,
        triggered_by=[{"task_id": outcome.id, "event": event}],
        params=params,
        join=wf_spec.task(name).join,
    )


def join_required(wf_spec, task_name):
    """How many inbound arrivals a join task waits for."""
    join = wf_spec.task(task_name).join
    if join == "all":
        return len(wf_spec.inbound(task_name))
    return int(join)


def join_satisfied(wf_spec, task_name, arrived):
    """True once ``arrived`` distinct inbound branches reached the join."""
    return arrived >= join_required(wf_spec, task_name)


def workflow_outcome(unhandled_errors, paused_or_waiting=False, cancelled=False):
    """The state of a workflow whose tasks have all completed: CANCELLED if a task was
    cancelled, ERROR if an error was not handled, SUCCESS otherwise (None while it is
    paused or waiting)."""
    if paused_or_waiting:
        return None
    if cancelled:
        return states.CANCELLED
    return states.ERROR if unhandled_errors else states.SUCCESS


def is_engine_command(name):
    return name in lang_spec.ENGINE_COMMANDS
