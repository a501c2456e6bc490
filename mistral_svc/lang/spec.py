"""Normalised, serialisable specs of workflows and tasks.

A definition is parsed once into plain dicts (stored with the definition and with each
execution) with every shorthand expanded: inline parameters, transition lists, with-items
clauses, task-defaults. ``WorkflowSpec`` wraps such a dict and precomputes what the engine
asks repeatedly (start tasks, inbound edges for joins); instances are cached by checksum.
"""

import collections
import hashlib
import json
import threading

# A task may carry one of these names (Mistral does not reserve them), but in a
# transition list the name always means the command.
ENGINE_COMMANDS = ("fail", "succeed", "pause", "noop")

DIRECT = "direct"
REVERSE = "reverse"

TASK_TYPE_ACTION = "ACTION"
TASK_TYPE_WORKFLOW = "WORKFLOW"

CLAUSES = ("on-success", "on-error", "on-complete", "on-skip")


def checksum(text):
    """Checksum of a definition text, as exposed by the API."""
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def input_string(params):
    """The API's ``input`` string for a list of normalised params: ``a, b="x", c=1``."""
    out = []
    for p in params:
        if "default" in p:
            out.append("%s=%s" % (p["name"], json.dumps(p["default"])))
        else:
            out.append(p["name"])
    return ", ".join(out)


def workflow_input_string(params):
    """A workflow's ``input`` summary as Mistral shows it: every default in double
    quotes, written as Python prints it (``a, b="5", c="1", d="None"``)."""
    out = []
    for p in params:
        if "default" in p:
            out.append('%s="%s"' % (p["name"], p["default"]))
        else:
            out.append(p["name"])
    return ", ".join(out)


class TaskSpec:
    """Read-only view over a normalised task dict."""

    __slots__ = ("_d", "name")

    def __init__(self, data):
        self._d = data
        self.name = data["name"]

    def get(self, key, default=None):
        return self._d.get(key, default)

    def to_dict(self):
        return self._d

    @property
    def type(self):
        return TASK_TYPE_WORKFLOW if self._d.get("workflow") else TASK_TYPE_ACTION

    @property
    def action(self):
        return self._d.get("action")

    @property
    def workflow(self):
        return self._d.get("workflow")

    @property
    def input(self):
        return self._d.get("input") or {}

    @property
    def publish(self):
        return self._d.get("publish")

    @property
    def publish_on_error(self):
        return self._d.get("publish-on-error")

    @property
    def publish_on_skip(self):
        """What the task publishes when it is skipped (``publish-on-skip``)."""
        return self._d.get("publish-on-skip")

    @property
    def join(self):
        if self._d.get("requires"):
            return "all"
        return self._d.get("join")

    @property
    def with_items(self):
        return self._d.get("with-items")

    @property
    def requires(self):
        return self._d.get("requires") or []

    @property
    def revert(self):
        """What undoes the task: ``{"action"|"workflow": name, "input": ...}`` or None."""
        return self._d.get("revert")

    def clause(self, name):
        """A normalised transition clause: {"next": [...], "publish": ..., ...} or None."""
        return self._d.get(name)

    def transitions(self, clause_name):
        c = self._d.get(clause_name)
        return c["next"] if c else []


class WorkflowSpec:
    """Read-only view over a normalised workflow dict, with derived lookups."""

    def __init__(self, data):
        self._d = data
        self.name = data["name"]
        self.type = data.get("type", DIRECT)
        self.tasks = {name: TaskSpec(t) for name, t in data["tasks"].items()}
        self._inbound = {name: [] for name in self.tasks}
        if self.type == REVERSE:
            # A reverse task waits for everything it requires, like a join.
            for t in self.tasks.values():
                self._inbound[t.name] = list(t.requires)
            return
        for t in self.tasks.values():
            for clause in CLAUSES:
                for tr in t.transitions(clause):
                    if tr["name"] in self._inbound and t.name not in self._inbound[tr["name"]]:
                        self._inbound[tr["name"]].append(t.name)

    def to_dict(self):
        return self._d

    def get(self, key, default=None):
        return self._d.get(key, default)

    @property
    def input(self):
        return self._d.get("input") or []

    @property
    def output(self):
        return self._d.get("output")

    @property
    def output_on_error(self):
        return self._d.get("output-on-error")

    @property
    def vars(self):
        return self._d.get("vars") or {}

    def task(self, name):
        return self.tasks[name]

    @property
    def has_revert(self):
        """True if a task of this workflow declares ``revert``."""
        return any(t.revert for t in self.tasks.values())

    def inbound(self, task_name):
        """Names of tasks with a transition to ``task_name`` (what a join waits for)."""
        return self._inbound.get(task_name, [])

    def start_task_names(self):
        """Direct workflows start with every task nothing transitions to."""
        return [name for name in self.tasks if not self._inbound[name]]


_CACHE_SIZE = 512
_cache = collections.OrderedDict()
_cache_lock = threading.Lock()


def workflow_spec(key, load):
    """The ``WorkflowSpec`` cached under ``key`` (a checksum plus workflow name); on a
    miss ``load()`` supplies the normalised dict, so callers skip reading the stored spec
    whenever the definition was seen before."""
    if key is None:
        return WorkflowSpec(load())
    with _cache_lock:
        spec = _cache.get(key)
        if spec is not None:
            _cache.move_to_end(key)
            return spec
    spec = WorkflowSpec(load())
    with _cache_lock:
        _cache[key] = spec
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return spec
