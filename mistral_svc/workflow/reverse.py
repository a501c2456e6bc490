"""Reverse workflows: run only what the target task needs, each task after all it requires.

A task with requirements arrives like a join over them; the conductor creates it only
once every requirement succeeded.
"""

from mistral_svc.workflow import commands, direct, states


def needed(wf_spec, target):
    """The target task and everything it transitively requires."""
    if target not in wf_spec.tasks:
        raise ValueError("Task %r is not found in workflow %r" % (target, wf_spec.name))
    seen, stack = set(), [target]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(wf_spec.task(name).requires)
    return seen


def start_commands(wf_spec, target):
    """Tasks with no requirements among those the target needs."""
    names = needed(wf_spec, target)
    return [
        commands.RunTask(name=n, ctx={}, triggered_by=[])
        for n in wf_spec.tasks if n in names and not wf_spec.task(n).requires
    ]


def next_commands(wf_spec, outcome, target):
    """After a task succeeds, arrive at every needed task that requires it."""
    if outcome.state != states.SUCCESS:
        return direct.Decision([], False)
    names = needed(wf_spec, target)
    cmds = [
        commands.RunTask(
            name=n,
            ctx=outcome.out_ctx,
            triggered_by=[{"task_id": outcome.id, "event": "on_success"}],
            join="all",
        )
        for n in wf_spec.tasks
        if n in names and outcome.name in wf_spec.task(n).requires
    ]
    return direct.Decision(cmds, False)
