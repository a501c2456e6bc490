"""Benchmark scenarios: workflow definitions in Mistral DSL v2 and their sizes.

Every scenario owns exactly one workflow. Its definition is generated here as
YAML text, ready to be posted to ``POST /v2/workflows``. The number of actions
one execution runs is known from the shape of the workflow, so throughput can
be computed without asking the server to count action executions.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import secrets
import time
from dataclasses import dataclass, field

import yaml

SCENARIO_NAMES = (
    "single",
    "chain20",
    "fanout50",
    "join100",
    "join500",
    "with_items100",
    "with_items500",
    "with_items5000",
    "params4mb",
    "fairness100",
)

DEFAULT_SCENARIOS = ("single", "chain20", "fanout50", "with_items500")

DSL_VERSION = "2.0"


@dataclass(frozen=True)
class Options:
    """Knobs from the command line that change scenario sizes."""

    executions: int = 50
    concurrency: int = 10
    repeat: int = 1
    quick: bool = False


@dataclass
class Scenario:
    """One benchmark scenario, ready to run."""

    name: str
    shape: str
    workflow_name: str
    definition: str
    task_count: int
    actions_per_execution: int
    executions: int
    concurrency: int
    workflow_input: dict = field(default_factory=dict)
    report_actions: bool = True
    _input_json: str | None = field(default=None, repr=False)

    @property
    def total_actions(self) -> int:
        """Number of actions all executions of the scenario run together."""
        return self.actions_per_execution * self.executions

    def input_json(self) -> str:
        """Workflow input in Mistral's wire format (a JSON-encoded string).

        Encoded once and cached, because the large-parameter scenario would
        otherwise re-encode megabytes for every execution it starts.
        """
        if self._input_json is None:
            self._input_json = json.dumps(self.workflow_input)
        return self._input_json


def make_run_id() -> str:
    """Return a short id that keeps workflow names unique across runs."""
    return f"{int(time.time()) % 1000000:06d}{secrets.token_hex(3)}"


def task_names(prefix: str, count: int) -> list[str]:
    """Zero-padded task names so that they sort in creation order."""
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


class _PlainDumper(yaml.SafeDumper):
    """A YAML dumper that never emits anchors and aliases.

    Servers are not required to accept them: upstream Mistral rejects a
    definition whose tasks share an aliased ``input`` mapping.
    """

    def ignore_aliases(self, data) -> bool:
        return True


def to_yaml(workflow_name: str, body: dict) -> str:
    """Render one workflow as a DSL v2 document."""
    doc = {"version": DSL_VERSION, workflow_name: body}
    # A huge width keeps every expression on one line, which keeps the
    # definition readable when someone inspects it on the server.
    return yaml.dump(
        doc, Dumper=_PlainDumper, sort_keys=False, width=1 << 20, default_flow_style=False
    )


def single_workflow() -> dict:
    """One std.noop task."""
    return {"tasks": {"only": {"action": "std.noop"}}}


def chain_workflow(length: int, task: dict | None = None) -> dict:
    """``length`` tasks linked one after another with on-success.

    ``task`` is the body shared by every task; it defaults to std.noop.
    """
    base = task if task is not None else {"action": "std.noop"}
    names = task_names("t", length)
    tasks = {}
    for current, following in zip(names, names[1:] + [None]):
        body = copy.deepcopy(base)
        if following is not None:
            body["on-success"] = [following]
        tasks[current] = body
    return {"tasks": tasks}


def fanout_workflow(branches: int) -> dict:
    """A start task fanning out to ``branches`` tasks that meet in a full join."""
    names = task_names("b", branches)
    tasks = {"start": {"action": "std.noop", "on-success": list(names)}}
    for name in names:
        tasks[name] = {"action": "std.noop", "on-success": ["gather"]}
    tasks["gather"] = {"action": "std.noop", "join": "all"}
    return {"tasks": tasks}


def with_items_workflow(concurrency: int | None = None) -> dict:
    """One task iterating over the ``items`` input with std.echo."""
    task = {
        "with-items": "i in <% $.items %>",
        "action": "std.echo",
        "input": {"output": "<% $.i %>"},
    }
    if concurrency:
        task["concurrency"] = concurrency
    return {"input": ["items"], "tasks": {"each": task}}


def params_workflow(length: int) -> dict:
    """A chain where every task receives the ``blob`` input as an action parameter.

    std.echo is used because, unlike std.noop, it accepts a parameter, so the
    whole blob really travels to the executor for every task. keep-result is
    off so the stored task results stay small and the scenario measures
    parameter passing rather than result storage.
    """
    task = {
        "action": "std.echo",
        "input": {"output": "<% $.blob %>"},
        "keep-result": False,
    }
    body = chain_workflow(length, task)
    return {"input": ["blob"], **body}


def make_blob(size: int, seed: int = 7) -> str:
    """An ASCII string of exactly ``size`` characters that does not compress well.

    A run of one repeated character would let any server that compresses
    stored data look unrealistically fast.
    """
    raw = random.Random(seed).randbytes(size * 3 // 4 + 3)
    return base64.b64encode(raw).decode("ascii")[:size]


def count_tasks(definition: str, workflow_name: str) -> int:
    """Number of tasks of ``workflow_name`` in a YAML definition."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return len(yaml.load(definition, Loader=loader)[workflow_name]["tasks"])


def _sizes(quick: bool) -> dict:
    """Scenario dimensions; the quick set keeps every shape but shrinks it."""
    if quick:
        return {
            "chain20": 5,
            "fanout50": 5,
            "join100": 10,
            "join500": 20,
            "with_items100": (10, 3),
            "with_items500": 20,
            "with_items5000": 50,
            "params4mb": (3, 64 * 1024),
            "fairness100": (10, 3),
        }
    return {
        "chain20": 20,
        "fanout50": 50,
        "join100": 100,
        "join500": 500,
        "with_items100": (100, 10),
        "with_items500": 500,
        "with_items5000": 5000,
        "params4mb": (30, 4 * 1024 * 1024),
        "fairness100": (100, 10),
    }


def build_scenario(name: str, run_id: str, opts: Options) -> Scenario:
    """Build the named scenario with a workflow name unique to ``run_id``."""
    if name not in SCENARIO_NAMES:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIO_NAMES)}")
    sizes = _sizes(opts.quick)
    wf_name = f"bench_{name}_{run_id}"
    wf_input: dict = {}
    report_actions = True
    executions = max(1, opts.repeat)
    concurrency = max(1, opts.concurrency)

    if name == "single":
        body = single_workflow()
        actions = 1
        executions = max(1, min(opts.executions, 10) if opts.quick else opts.executions)
        shape = "1 task"
        # With one action per execution, actions/s would just repeat executions/s.
        report_actions = False
    elif name == "chain20":
        n = sizes[name]
        body = chain_workflow(n)
        actions = n
        shape = f"chain of {n}"
    elif name in ("fanout50", "join100", "join500"):
        n = sizes[name]
        body = fanout_workflow(n)
        actions = n + 2
        shape = f"1+{n}+join"
    elif name.startswith("with_items"):
        spec = sizes[name]
        n, limit = spec if isinstance(spec, tuple) else (spec, None)
        body = with_items_workflow(limit)
        wf_input = {"items": list(range(n))}
        actions = n
        shape = f"{n} items" + (f", conc {limit}" if limit else "")
    elif name == "params4mb":
        n, size = sizes[name]
        body = params_workflow(n)
        wf_input = {"blob": make_blob(size)}
        actions = n
        shape = f"chain of {n} x {_human_bytes(size)}"
    else:  # fairness100
        count, n = sizes[name]
        body = chain_workflow(n)
        actions = n
        executions = count
        # Everything is started at once: the point is how evenly the
        # server shares itself between many simultaneous executions.
        concurrency = count
        shape = f"{count} x chain of {n}"

    definition = to_yaml(wf_name, body)
    return Scenario(
        name=name,
        shape=shape,
        workflow_name=wf_name,
        definition=definition,
        task_count=len(body["tasks"]),
        actions_per_execution=actions,
        executions=executions,
        concurrency=min(concurrency, executions),
        workflow_input=wf_input,
        report_actions=report_actions,
    )


def warmup_scenario(run_id: str, executions: int) -> Scenario:
    """A few small untimed executions run before the first scenario, so that no
    scenario pays for the server's first requests (connection pools, caches)."""
    wf_name = f"bench_warmup_{run_id}"
    body = fanout_workflow(3)
    return Scenario(
        name="warmup",
        shape="1+3+join",
        workflow_name=wf_name,
        definition=to_yaml(wf_name, body),
        task_count=len(body["tasks"]),
        actions_per_execution=5,
        executions=executions,
        concurrency=min(3, executions),
    )


def parse_scenario_list(text: str) -> list[str]:
    """Parse ``--scenarios``: a comma list, ``all`` or ``default``."""
    names: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part == "all":
            names.extend(SCENARIO_NAMES)
        elif part == "default":
            names.extend(DEFAULT_SCENARIOS)
        elif part in SCENARIO_NAMES:
            names.append(part)
        else:
            raise ValueError(f"unknown scenario {part!r}; known: {', '.join(SCENARIO_NAMES)}")
    # Keep the first occurrence only, so "default,single" does not run twice.
    return list(dict.fromkeys(names))


def _human_bytes(size: int) -> str:
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} B"
