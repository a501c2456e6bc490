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
