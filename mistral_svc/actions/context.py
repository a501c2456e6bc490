"""The context an action's ``run`` receives: mistral-lib's ``ActionContext``.

The engine sends a plain dict with the action execution's message (ids, names, the
callback URL, the caller's security context); here it becomes the objects mistral-lib
actions expect: ``context.execution.workflow_execution_id``,
``context.security.auth_token`` and so on. Keys mistral-lib does not name (the task's
name, the caller's user id) are kept as extra attributes.
"""

import inspect

from mistral_lib.actions import context as ml_context


def _fields(cls):
    return [n for n in inspect.signature(cls.__init__).parameters
            if n not in ("self", "task_id")]


_SECURITY_FIELDS = _fields(ml_context.SecurityContext)
_EXECUTION_FIELDS = _fields(ml_context.ExecutionContext)

#: Keys of the engine's dict that are not part of the execution context.
_NOT_EXECUTION = frozenset(("security", "dynamic"))


def _build(cls, fields, values):
    obj = cls(**{k: values[k] for k in fields if values.get(k) is not None})
    for key, value in values.items():
        if key not in fields and not hasattr(obj, key):
            setattr(obj, key, value)
    return obj


def action_context(exec_ctx):
    """A mistral-lib ``ActionContext`` for the engine's ``exec_ctx`` dict."""
    exec_ctx = exec_ctx or {}
    security = dict(exec_ctx.get("security") or {})
    execution = {k: v for k, v in exec_ctx.items() if k not in _NOT_EXECUTION}
    return ml_context.ActionContext(
        security_ctx=_build(ml_context.SecurityContext, _SECURITY_FIELDS, security),
        execution_ctx=_build(ml_context.ExecutionContext, _EXECUTION_FIELDS, execution),
    )
