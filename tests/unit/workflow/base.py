"""Helpers shared by the workflow core tests: specs from YAML text, and evaluators."""

import textwrap

from mistral_svc import expressions, lang
from mistral_svc.workflow import direct


def spec_of(text, name=None):
    """The ``WorkflowSpec`` of workflow ``name`` (the first one by default) in ``text``."""
    workflows = lang.parse_workflows(textwrap.dedent(text))
    if name is None:
        return lang.WorkflowSpec(workflows[0])
    (found,) = [w for w in workflows if w["name"] == name]
    return lang.WorkflowSpec(found)


def direct_wf(tasks_yaml, **extra):
    """A direct workflow ``wf`` with the given (already indented) ``tasks:`` body."""
    head = "".join("  %s: %s\n" % (k.replace("_", "-"), v) for k, v in extra.items())
    return spec_of("version: '2.0'\nwf:\n%s  tasks:\n%s"
                   % (head, textwrap.indent(textwrap.dedent(tasks_yaml), "    ")))


def evaluate(value, ctx):
    """The real evaluator, without any execution runtime."""
    return expressions.evaluate_recursively(value, ctx)


class RecordingEvaluator:
    """An evaluator that records what it is asked and delegates to the real one."""

    def __init__(self):
        self.calls = []

    def __call__(self, value, ctx):
        self.calls.append((value, ctx))
        return evaluate(value, ctx)


def never_evaluate(value, ctx):
    raise AssertionError("nothing should be evaluated, got %r" % (value,))


def outcome(name, state, out_ctx=None, task_id=None):
    return direct.TaskOutcome(id=task_id or "id-" + name, name=name, state=state,
                              out_ctx=dict(out_ctx or {}))


def names(cmds):
    """Task names of RunTask commands and kinds of the others, in order."""
    return [getattr(c, "name", None) or c.kind for c in cmds]
