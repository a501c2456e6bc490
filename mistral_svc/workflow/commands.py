"""What the core asks the engine to do. Plain data: every command serialises to a dict."""

import dataclasses


@dataclasses.dataclass
class RunTask:
    """Start (or, for a join, arrive at) task ``name``.

    ``ctx`` is the data its predecessor passes on (published values only, never the
    workflow input); ``triggered_by`` names the predecessor task and the clause fired.
    """

    name: str
    ctx: dict
    triggered_by: list
    params: dict = dataclasses.field(default_factory=dict)
    join: object = None

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "run_task"}


@dataclasses.dataclass
class EndWorkflow:
    """An engine command in a transition: ``fail``, ``succeed`` or ``pause``."""

    kind: str
    msg: str = None
    task_name: str = None

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Noop:
    """``noop``: the branch ends here on purpose."""

    kind: str = "noop"

    def to_dict(self):
        return dataclasses.asdict(self)


def from_dict(data):
    """Restore a command serialised with ``to_dict``."""
    data = dict(data)
    kind = data.pop("kind")
    if kind == "run_task":
        return RunTask(**data)
    if kind == "noop":
        return Noop()
    if kind in ("fail", "succeed", "pause"):
        return EndWorkflow(kind=kind, **data)
    raise ValueError("unknown command kind %r" % kind)


# --- What a conductor step asks the engine to do once its delta is stored ---------------


@dataclasses.dataclass
class RunAction:
    """Send action execution ``action_ex_id`` to an executor. ``claim``: a delivery
    after the first, which the executor may run only once an engine granted it (a
    copy of the first delivery may still be on its way to another executor)."""

    action_ex_id: str
    safe_rerun: bool = False
    target: str = None
    timeout: float = None
    claim: bool = False

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "run_action"}


@dataclasses.dataclass
class StartSubworkflow:
    """Start a child execution of task ``task_ex_id`` (``index``: with-items item;
    ``revert``: the task's compensating workflow, started after the task ended)."""

    task_ex_id: str
    workflow_name: str
    namespace: str
    input: dict
    params: dict
    index: int = 0
    revert: bool = False

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "start_subworkflow"}


@dataclasses.dataclass
class ScheduleTimer:
    """Call back the conductor with ``on_timer(name, task_ex_id, args)`` after
    ``delay`` seconds (a row of the scheduler's due jobs, so it survives restarts)."""

    name: str
    task_ex_id: str
    delay: float
    key: str
    args: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "schedule_timer"}


@dataclasses.dataclass
class CancelTimer:
    key: str

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "cancel_timer"}


@dataclasses.dataclass
class NotifyParent:
    """A child execution completed: its parent's task hears of it after commit."""

    wf_ex_id: str

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "notify_parent"}


@dataclasses.dataclass
class Cascade:
    """Apply an engine request (pause, resume, stop) to another execution, in a
    transaction of its own."""

    method: str
    wf_ex_id: str
    kwargs: dict = dataclasses.field(default_factory=dict)

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "cascade"}


@dataclasses.dataclass
class DropResults:
    """Forget the stored results of a task's actions (keep-result: false)."""

    task_ex_id: str

    def to_dict(self):
        return dataclasses.asdict(self) | {"kind": "drop_results"}


_EFFECTS = {"run_action": RunAction, "start_subworkflow": StartSubworkflow,
            "schedule_timer": ScheduleTimer, "cancel_timer": CancelTimer,
            "notify_parent": NotifyParent, "cascade": Cascade, "drop_results": DropResults}


def effect_from_dict(data):
    """Restore a command of a conductor step serialised with ``to_dict``."""
    data = dict(data)
    return _EFFECTS[data.pop("kind")](**data)
