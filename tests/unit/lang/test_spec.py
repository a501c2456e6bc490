"""WorkflowSpec/TaskSpec views over normalised dicts, and the spec cache."""

import collections

import pytest

from mistral_svc import lang
from mistral_svc.lang import spec as spec_mod
from tests.unit.lang.base import parse_one, wf_body

DIRECT = wf_body("""
    description: a direct one
    input:
      - x
      - y: 2
    output: {r: <% $.x %>}
    output-on-error: {e: 1}
    vars: {v: 1}
    tasks:
      a:
        action: std.echo output=1
        publish: {p: 1}
        publish-on-error: {pe: 1}
        on-success: [b, c]
        on-error: [c]
      b:
        workflow: sub
        on-complete: [d]
      c:
        with-items: i in [1, 2]
        on-success: [d, noop]
      d:
        join: all
      lone: {}
""")

REVERSE = wf_body("""
    type: reverse
    tasks:
      a: {}
      b: {requires: a}
      c: {requires: [a, b]}
""")


@pytest.fixture(scope="module")
def wf():
    return lang.WorkflowSpec(parse_one(DIRECT))


@pytest.fixture(scope="module")
def rwf():
    return lang.WorkflowSpec(parse_one(REVERSE))


def test_workflow_attributes(wf):
    assert wf.name == "wf" and wf.type == "direct"
    assert wf.input == [{"name": "x"}, {"name": "y", "default": 2}]
    assert wf.output == {"r": "<% $.x %>"}
    assert wf.output_on_error == {"e": 1}
    assert wf.vars == {"v": 1}
    assert wf.get("description") == "a direct one"
    assert wf.get("nope", "dflt") == "dflt"
    assert wf.to_dict()["name"] == "wf"


def test_workflow_defaults_from_a_minimal_dict():
    wf = lang.WorkflowSpec({"name": "m", "tasks": {"t": {"name": "t"}}})
    assert wf.type == "direct"
    assert wf.input == [] and wf.vars == {} and wf.output is None
    assert wf.start_task_names() == ["t"]


def test_start_tasks_of_a_direct_workflow(wf):
    assert wf.start_task_names() == ["a", "lone"]


def test_inbound_edges(wf):
    assert wf.inbound("a") == []
    assert wf.inbound("b") == ["a"]
    assert wf.inbound("c") == ["a"]
    assert wf.inbound("d") == ["b", "c"]
    assert wf.inbound("not-a-task") == []


def test_reverse_inbound_is_requires(rwf):
    assert rwf.type == "reverse"
    assert rwf.inbound("a") == []
    assert rwf.inbound("b") == ["a"]
    assert rwf.inbound("c") == ["a", "b"]


def test_reverse_inbound_does_not_alias_requires():
    rwf = lang.WorkflowSpec(parse_one(REVERSE))
    rwf.inbound("c").append("x")
    assert rwf.task("c").requires == ["a", "b"]


def test_task_lookup(wf):
    assert isinstance(wf.task("a"), lang.TaskSpec)
    assert wf.task("a") is wf.tasks["a"]
    with pytest.raises(KeyError):
        wf.task("ghost")


def test_task_attributes(wf):
    a, b, c, d = (wf.task(n) for n in "abcd")
    assert (a.name, a.type, a.action, a.workflow) == ("a", "ACTION", "std.echo", None)
    assert a.input == {"output": 1}
    assert a.publish == {"p": 1} and a.publish_on_error == {"pe": 1}
    assert (b.type, b.workflow, b.action) == ("WORKFLOW", "sub", None)
    assert c.with_items == [{"var": "i", "expr": [1, 2]}]
    assert a.with_items is None
    assert d.join == "all" and a.join is None
    assert a.requires == []
    assert a.get("publish") == {"p": 1} and a.get("missing", 5) == 5
    assert a.to_dict()["name"] == "a"


def test_task_clauses(wf):
    a = wf.task("a")
    assert [t["name"] for t in a.transitions("on-success")] == ["b", "c"]
    assert [t["name"] for t in a.transitions("on-error")] == ["c"]
    assert a.transitions("on-complete") == []
    assert a.clause("on-complete") is None
    assert a.clause("on-success")["next"][0]["name"] == "b"


def test_reverse_task_with_requires_is_a_join(rwf):
    assert rwf.task("c").join == "all"
    assert rwf.task("c").requires == ["a", "b"]
    assert rwf.task("a").join is None


def test_task_input_defaults_to_empty():
    assert lang.TaskSpec({"name": "t"}).input == {}


# ---------------------------------------------------------------- the cache

@pytest.fixture
def fresh_cache(monkeypatch):
    monkeypatch.setattr(spec_mod, "_cache", collections.OrderedDict())
    return spec_mod


class Loader:
    def __init__(self, text=DIRECT):
        self.calls = 0
        self.data = parse_one(text)

    def __call__(self):
        self.calls += 1
        return self.data


def test_cache_returns_the_same_object_and_loads_once(fresh_cache):
    load = Loader()
    first = lang.workflow_spec(("sum1", "wf"), load)
    second = lang.workflow_spec(("sum1", "wf"), load)
    assert first is second
    assert load.calls == 1
    assert isinstance(first, lang.WorkflowSpec) and first.name == "wf"


def test_cache_keys_are_distinct(fresh_cache):
    load_a, load_b = Loader(DIRECT), Loader(REVERSE)
    a = lang.workflow_spec(("sum-a", "wf"), load_a)
    b = lang.workflow_spec(("sum-b", "wf"), load_b)
    assert a is not b
    assert (a.type, b.type) == ("direct", "reverse")
    assert (load_a.calls, load_b.calls) == (1, 1)


def test_no_key_means_no_caching(fresh_cache):
    load = Loader()
    first = lang.workflow_spec(None, load)
    second = lang.workflow_spec(None, load)
    assert first is not second
    assert load.calls == 2
    assert len(fresh_cache._cache) == 0


def test_a_failing_load_caches_nothing(fresh_cache):
    def boom():
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError):
        lang.workflow_spec("k", boom)
    load = Loader()
    lang.workflow_spec("k", load)
    assert load.calls == 1


def test_cache_evicts_the_least_recently_used(fresh_cache, monkeypatch):
    monkeypatch.setattr(fresh_cache, "_CACHE_SIZE", 2)
    loads = {k: Loader() for k in "abc"}
    a = lang.workflow_spec("a", loads["a"])
    lang.workflow_spec("b", loads["b"])
    assert lang.workflow_spec("a", loads["a"]) is a  # "a" is now the most recent
    lang.workflow_spec("c", loads["c"])  # evicts "b"
    assert list(fresh_cache._cache) == ["a", "c"]
    lang.workflow_spec("b", loads["b"])
    assert loads["b"].calls == 2
    assert loads["a"].calls == 1
