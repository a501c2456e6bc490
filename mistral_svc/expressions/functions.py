"""Functions Mistral adds to both expression languages.

Each function is plain Python so the same object can be registered in the YAQL root
context and as a Jinja global. Functions that need execution state ask the
:class:`~mistral_svc.expressions.base.Runtime` of the evaluation in progress.
"""

from __future__ import annotations

import datetime
import json
import uuid as _uuid
import warnings
from typing import Any

import yaml

from mistral_svc.expressions import base


def _runtime_call(function: str, method: str, *args: Any, **kwargs: Any) -> Any:
    runtime = base.current_runtime()
    if runtime is None:
        raise base.ExpressionError(
            f"{function}() is not available here: no workflow execution is in scope"
        )
    try:
        return getattr(runtime, method)(*args, **kwargs)
    except base.ExpressionError:
        raise
    except Exception as e:
        # Wrapped so the evaluators can re-raise it untouched instead of reporting it
        # as a faulty expression (the engine may want to retry e.g. a DB deadlock).
        raise base.RuntimeFailure(e) from e


def task(name: str | None = None) -> dict | None:
    """Return a task execution by name; without a name, the current task."""
    return _runtime_call("task", "task", name)


def tasks(workflow_execution_id: str | None = None, recursive: bool = False,
          state: str | None = None, flat: bool = False) -> list:
    """Return task executions filtered by workflow execution, state and kind."""
    return _runtime_call(
        "tasks", "tasks", wf_ex_id=workflow_execution_id, recursive=recursive,
        state=state, flat=flat,
    )


def execution() -> dict:
    """Return the current workflow execution."""
    return _runtime_call("execution", "execution")


def executions(id: str | None = None, root_execution_id: str | None = None,
               state: str | None = None, from_time: str | None = None,
               to_time: str | None = None) -> list:
    """Return workflow executions filtered by id, root execution, state, creation time."""
    return _runtime_call(
        "executions", "executions", id=id, root_execution_id=root_execution_id,
        state=state, from_time=from_time, to_time=to_time,
    )


def env() -> Any:
    """Return the environment the execution was started with."""
    return _runtime_call("env", "env")


def global_(name: str) -> Any:
    """Return a variable of the workflow's global context (None when unset).

    Unlike ``$.name`` this is not shadowed by variables published in a branch.
    """
    return _runtime_call("global", "global_var", name)


_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def _json_default(obj: Any) -> Any:
    if isinstance(obj, datetime.datetime):
        return obj.strftime(_DATETIME_FORMAT)
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, _uuid.UUID):
        return str(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def json_dump(data: Any) -> str:
    """Serialise ``data`` to JSON indented by four spaces."""
    return json.dumps(base.to_plain(data), indent=4, default=_json_default)


def json_pp(data: Any = None) -> str:
    """Deprecated pretty printer: like json_dump but with real line breaks in strings.

    Without an argument it prints the whole data context.
    """
    warnings.warn(
        "json_pp is deprecated; use json_dump to output JSON", DeprecationWarning,
        stacklevel=2,
    )
    if data is None:
        data = base.current_data()
    text = json.dumps(base.to_plain(data), indent=4, default=_json_default)
    return text.replace("\\n", "\n").replace(" \n", "\n")


def json_parse(data: str) -> Any:
    """Parse a JSON document."""
    return json.loads(data)


def yaml_dump(data: Any) -> str:
    """Serialise ``data`` to block-style YAML."""
    return yaml.safe_dump(base.to_plain(data), default_flow_style=False)


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that keeps aliases as literal text.

    Expanding aliases lets a few hundred bytes of user-controlled YAML ("billion
    laughs") grow into gigabytes, so ``*name`` is read as the string ``"*name"`` and
    anchors are ignored.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(
                "tag:yaml.org,2002:str", "*" + event.anchor, event.start_mark,
                event.end_mark,
            )
        node = super().compose_node(parent, index)
        # Anchors are never resolved, so remembering them would only make a reused
        # anchor name fail as a "duplicate anchor".
        self.anchors = {}
        return node


def yaml_parse(data: str) -> Any:
    """Parse a YAML document (safe subset, aliases are not expanded)."""
    # A SafeLoader subclass: no Python object construction.
    return yaml.load(data, Loader=_NoAliasLoader)


def uuid_() -> str:
    """Return a new random UUID (version 4) as a string."""
    return str(_uuid.uuid4())


# Name in the expression languages -> implementation.
FUNCTIONS = {
    "env": env,
    "execution": execution,
    "executions": executions,
    "global": global_,
    "json_dump": json_dump,
    "json_dumps": json_dump,
    "json_parse": json_parse,
    "json_pp": json_pp,
    "task": task,
    "tasks": tasks,
    "uuid": uuid_,
    "yaml_dump": yaml_dump,
    "yaml_parse": yaml_parse,
}

# Functions whose first argument is the data they work on; used as a Jinja filter
# (``value | json_dump``) the filtered value becomes that argument.
DATA_FUNCTIONS = frozenset(
    ("json_dump", "json_dumps", "json_parse", "json_pp", "yaml_dump", "yaml_parse")
)
