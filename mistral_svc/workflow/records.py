"""The conductor's typed view of executions: workflow, task and action executions.

Plain dataclasses, one field per stored column, that serialise to dicts and restore
from them (``to_dict``/``from_dict``); the engine loads them from rows and writes them
back, the rehearsal suite keeps them in memory. What upstream keeps as untyped keys of
``runtime_context`` is typed here (``TaskRuntime``, ``ActionRuntime``) and stored under
the same keys, so the API shows the same ``runtime_context``.
"""

import dataclasses
import datetime


def _plain(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def _restore(cls, data):
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    for f in dataclasses.fields(cls):
        if f.name in kwargs and f.type == "datetime" and isinstance(kwargs[f.name], str):
            kwargs[f.name] = datetime.datetime.fromisoformat(kwargs[f.name])
    return kwargs


@dataclasses.dataclass
class TaskRuntime:
    """Per-task bookkeeping of the conductor."""

    # What started the task: [{"task_id", "event", "task_name"}] (Mistral's shape).
    triggered_by: list = dataclasses.field(default_factory=list)
    # Join: names of the inbound tasks that arrived so far.
    arrived: list = None
    # with-items: number of items, finished ones, failed ones, concurrency (0: all).
    with_items: bool = False
    count: int = 0
    done: int = 0
    errors: int = 0
    concurrency: int = 0
    # Transitions the task fired (0 marks the end of a branch for the final context).
    next: int = None
    retry_no: int = 0
    paused_before: bool = False
    waited_before: bool = False
    waited_after: bool = False
    timeout_set: bool = False
    # wait-after holds the outcome of the attempt until the delay is over.
    outcome: dict = None
    # with-items over a workflow with a concurrency limit: the children not started
    # yet, as [index, input] pairs, and the workflow they run ([name, namespace]).
    waiting_children: list = None
    child_workflow: list = None
    # Transition commands that followed a ``pause`` command, applied on resume.
    held: list = None

    def to_dict(self):
        """Only the keys that differ from the defaults, as upstream stores them."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "triggered_by" or value != _TASK_RT_DEFAULTS[f.name]:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data):
        return cls(**_restore(cls, data or {}))

    def replace(self, **changes):
        return dataclasses.replace(self, **changes)


_TASK_RT_DEFAULTS = {f.name: (f.default if f.default is not dataclasses.MISSING else [])
                     for f in dataclasses.fields(TaskRuntime)}


@dataclasses.dataclass
class ActionRuntime:
    """Per-action bookkeeping: the item index, the ad-hoc chain, safe re-runs."""

    index: int = 0
    # An ad-hoc action: {"base", "base_input", "outputs"} (see actions.adhoc).
    adhoc: dict = None
    reruns: int = 0
    # Deliveries sent again because no executor acknowledged the previous one.
    resends: int = 0
    # The executor named by a target expression, as evaluated when it was created.
    target: str = None
    # The action undoes its task (the task's ``revert``): never the task's result.
    revert: bool = False

    def to_dict(self):
        out = {"index": self.index}
        if self.adhoc is not None:
            out["adhoc"] = self.adhoc
        if self.reruns:
            out["reruns"] = self.reruns
        if self.resends:
            out["resends"] = self.resends
        if self.target is not None:
            out["target"] = self.target
        if self.revert:
            out["revert"] = True
        return out

    @classmethod
    def from_dict(cls, data):
        return cls(**_restore(cls, data or {}))


class _Record:
    """Shared serialisation of the three kinds of execution."""

    kind = None
    # Fields that are typed objects stored as JSON dicts: {field: (column, class)}.
    _TYPED = {}

    def to_dict(self):
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in self._TYPED:
                value = value.to_dict()
            out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, data):
        kwargs = _restore(cls, data)
        for name, (_column, typed) in cls._TYPED.items():
            if isinstance(kwargs.get(name), dict):
                kwargs[name] = typed.from_dict(kwargs[name])
        return cls(**kwargs)

    def to_row(self, fields=None):
        """``{column: value}`` for storage (all fields, or those named)."""
        out = {}
        for name in fields or [f.name for f in dataclasses.fields(self)]:
            value = getattr(self, name)
            if name in self._TYPED:
                column, _typed = self._TYPED[name]
                out[column] = value.to_dict()
            else:
                out[name] = value
        return out

    @classmethod
    def from_row(cls, row):
        """Build from a mapping of stored columns (missing columns keep defaults)."""
        kwargs = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for name in names:
            if name in cls._TYPED:
                column, typed = cls._TYPED[name]
                if column in row:
                    kwargs[name] = typed.from_dict(row[column])
            elif name in row:
                kwargs[name] = row[name]
        return cls(**kwargs)

    @classmethod
    def column_of(cls, field):
        return cls._TYPED[field][0] if field in cls._TYPED else field


@dataclasses.dataclass(eq=False)
class WorkflowEx(_Record):
    """A workflow execution. ``context`` is its initial data context (input and vars)
    with the global publishes under ``__global``."""

    id: str
    name: str = None
    description: str = ""
    workflow_name: str = None
    workflow_namespace: str = ""
    workflow_id: str = None
    spec_checksum: str = None
    state: str = None
    state_info: str = None
    tags: list = None
    input: dict = None
    output: dict = None
    params: dict = None
    context: dict = None
    task_execution_id: str = None
    root_execution_id: str = None
    source_execution_id: str = None
    cron_trigger_id: str = None
    project_id: str = None
    created_at: "datetime" = None
    updated_at: "datetime" = None
    # The normalised definition, set on a new execution (loaded ones leave it None:
    # the conductor works from its WorkflowSpec).
    spec: dict = None

    kind = "workflow"

    @property
    def globals(self):
        return (self.context or {}).get("__global") or {}


@dataclasses.dataclass(eq=False)
class TaskEx(_Record):
    """A task execution. ``in_context`` holds only what its predecessors published,
    ``published`` its own delta."""

    id: str
    name: str = None
    workflow_execution_id: str = None
    workflow_name: str = None
    workflow_namespace: str = ""
    workflow_id: str = None
    type: str = None
    state: str = None
    state_info: str = None
    in_context: dict = None
    published: dict = None
    rt: TaskRuntime = dataclasses.field(default_factory=TaskRuntime)
    processed: bool = False
    error_handled: bool = False
    unique_key: str = None
    tags: list = None
    project_id: str = None
    created_at: "datetime" = None
    updated_at: "datetime" = None
    started_at: "datetime" = None
    finished_at: "datetime" = None

    kind = "task"
    _TYPED = {"rt": ("runtime_context", TaskRuntime)}


@dataclasses.dataclass(eq=False)
class ActionEx(_Record):
    """An action execution (of a task, or standalone when ``task_execution_id`` is
    None)."""

    id: str
    name: str = None
    description: str = ""
    workflow_name: str = None
    workflow_namespace: str = ""
    task_name: str = None
    task_execution_id: str = None
    workflow_execution_id: str = None
    state: str = None
    state_info: str = None
    accepted: bool = False
    is_sync: bool = True
    input: dict = None
    output: dict = None
    params: dict = None
    rt: ActionRuntime = dataclasses.field(default_factory=ActionRuntime)
    tags: list = None
    last_heartbeat: "datetime" = None
    # The executor that acknowledged it (None: nobody did, it is sent again).
    acked_by: str = None
    project_id: str = None
    created_at: "datetime" = None
    updated_at: "datetime" = None

    kind = "action"
    _TYPED = {"rt": ("runtime_context", ActionRuntime)}


@dataclasses.dataclass
class ChildEx:
    """What a parent task knows of one of its sub-workflow executions."""

    id: str
    state: str
    state_info: str = None
    output: dict = None
    index: int = 0
    # Started by its task's ``revert`` (a compensating workflow), not by the task itself.
    revert: bool = False

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


@dataclasses.dataclass
class ActionResult:
    """An action's outcome as it reaches the conductor: ``data`` on success, ``error``
    on failure, ``cancel`` when it was cancelled."""

    data: object = None
    error: object = None
    cancel: bool = False

    def is_error(self):
        return self.error is not None

    def to_dict(self):
        return {"data": self.data, "error": self.error, "cancel": self.cancel}

    @classmethod
    def from_dict(cls, d):
        return cls(d.get("data"), d.get("error"), d.get("cancel", False))
