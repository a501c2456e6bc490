"""Ad-hoc actions: resolution through bases, input checks, base-input, output."""

import pytest

from mistral_svc import expressions
from mistral_svc.actions import adhoc, base, registry


def evaluate(data, ctx):
    return expressions.evaluate_recursively(data, ctx)


def spec(name, base_name, inputs=(), base_input=None, output=None):
    params = [{"name": next(iter(p)), "default": next(iter(p.values()))}
              if isinstance(p, dict) else {"name": p} for p in inputs]
    return {"name": name, "base": base_name, "input": params, "base-input": base_input,
            "output": output}


def catalogue(*specs):
    by_name = {s["name"]: s for s in specs}

    def lookup(name, namespace):
        return (by_name[name], namespace) if name in by_name else None

    return lookup


def test_system_names_are_not_adhoc():
    assert adhoc.build("std.echo", "", catalogue(), registry.get) is None


def test_nested_chain_resolves_to_the_system_class():
    lookup = catalogue(spec("outer", "inner", ["x"], {"value": "<% $.x %>"}),
                       spec("inner", "std.echo", ["value"], {"output": "<% $.value %>"}))
    action = adhoc.build("outer", "", lookup, registry.get)
    assert [s["name"] for s in action.chain] == ["outer", "inner"]
    assert action.base_cls is registry.get("std.echo") and action.base_name == "std.echo"
    assert action.is_sync is True


def test_missing_base_and_cycles_are_errors():
    with pytest.raises(base.ActionError, match="no.such"):
        adhoc.build("a", "", catalogue(spec("a", "no.such")), registry.get)
    with pytest.raises(base.ActionError, match="cycle: a -> b -> a"):
        adhoc.build("a", "", catalogue(spec("a", "b"), spec("b", "a")), registry.get)


def test_input_check_declared_names_and_defaults():
    action = adhoc.build("a", "", catalogue(spec("a", "std.noop", ["x", {"y": 1}])),
                         registry.get)
    action.check_input({"x": 1})
    with pytest.raises(base.ActionError) as e:
        action.check_input({"y": 2, "z": 3})
    assert "missing=['x']" in str(e.value) and "unexpected=['z']" in str(e.value)
    assert "name=a" in str(e.value)


def test_base_input_walks_the_chain_with_defaults():
    lookup = catalogue(
        spec("outer", "inner", ["x", {"suffix": "!"}], {"value": "<% $.x + $.suffix %>"}),
        spec("inner", "std.echo", ["value"], {"output": ["<% $.value %>", "fixed"]}))
    action = adhoc.build("outer", "", lookup, registry.get)
    assert action.base_input({"x": "hi"}, evaluate) == {"output": ["hi!", "fixed"]}


def test_base_input_can_be_one_expression_or_absent():
    whole = adhoc.build("a", "", catalogue(
        spec("a", "std.echo", ["o"], "<% {output => $.o} %>")), registry.get)
    assert whole.base_input({"o": 5}, evaluate) == {"output": 5}
    bare = adhoc.build("a", "", catalogue(spec("a", "std.noop")), registry.get)
    assert bare.base_input({}, evaluate) == {}


def test_base_input_errors_name_the_action():
    bad = adhoc.build("a", "", catalogue(spec("a", "std.echo", ["o"], "<% $.o %>")),
                      registry.get)
    with pytest.raises(base.ActionError, match="must evaluate to a dict"):
        bad.base_input({"o": 5}, evaluate)
    broken = adhoc.build("a", "", catalogue(
        spec("a", "std.echo", ["o"], {"output": "<% $.o.nope %>"})), registry.get)
    with pytest.raises(base.ActionError, match="base-input of ad-hoc action a"):
        broken.base_input({"o": 5}, evaluate)
    # The evaluated input is checked against the system action too.
    unfit = adhoc.build("a", "", catalogue(spec("a", "std.echo", [], {"colour": 1})),
                        registry.get)
    with pytest.raises(base.ActionError, match="unexpected=\\['colour'\\]"):
        unfit.base_input({}, evaluate)


def test_outputs_apply_innermost_first():
    lookup = catalogue(spec("outer", "inner", output={"wrapped": "<% $ %>"}),
                       spec("inner", "std.noop", output="<% $ * 2 %>"),)
    action = adhoc.build("outer", "", lookup, registry.get)
    assert adhoc.transform(action.outputs(), 21, evaluate) == {"wrapped": 42}
    assert adhoc.transform([None, None], "same", evaluate) == "same"
    with pytest.raises(base.ActionError, match="output of an ad-hoc action"):
        adhoc.transform(["<% $.missing.key %>"], {}, evaluate)
