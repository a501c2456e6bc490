"""Mistral's functions in both languages, served by a fake runtime."""

import json
import uuid

import pytest
import yaml

from mistral_svc.expressions import FUNCTIONS, ExpressionError, evaluate

CTX = {"data": {"a": "b", "n": [1, 2]}, "text": "Mistral\nis\nawesome", "name": "fetch"}


def both(yaql_expression, jinja_expression, runtime, ctx=CTX):
    """Evaluate the two spellings of one call and check they agree."""
    via_yaql = evaluate(yaql_expression, ctx, runtime)
    via_jinja = evaluate(jinja_expression, ctx, runtime)
    assert via_yaql == via_jinja
    return via_yaql


def test_every_function_is_registered():
    assert set(FUNCTIONS) == {
        "env", "execution", "executions", "global", "json_dump", "json_dumps",
        "json_parse", "json_pp", "task", "tasks", "uuid", "yaml_dump", "yaml_parse",
    }


def test_task_without_name_is_the_current_task(runtime):
    result = both("<% task() %>", "{{ task() }}", runtime)
    assert result["name"] == "current"
    assert runtime.calls == [("task", None), ("task", None)]


def test_task_by_name(runtime):
    assert both("<% task(fetch).result %>", "{{ task('fetch').result }}", runtime) == [
        {"id": 7}, {"id": 8}
    ]
    assert evaluate("<% task($.name).published.ids %>", CTX, runtime) == [7, 8]
    assert runtime.calls[0] == ("task", "fetch")


def test_task_not_found_is_none(runtime):
    assert both("<% task(unknown) %>", "{{ task('unknown') }}", runtime) is None


def test_task_result_is_a_copy(runtime):
    result = evaluate("<% task(fetch).result %>", CTX, runtime)
    result.append("x")
    assert runtime.other_tasks["fetch"]["result"] == [{"id": 7}, {"id": 8}]


def test_tasks_arguments_positional_and_keyword(runtime):
    both("<% tasks() %>", "{{ tasks() }}", runtime)
    both("<% tasks(null, false, ERROR) %>", "{{ tasks(None, false, 'ERROR') }}", runtime)
    both("<% tasks(state => SUCCESS) %>", "{{ tasks(state='SUCCESS') }}", runtime)
    both("<% tasks(wf, true, null, true) %>", "{{ tasks('wf', true, None, true) }}", runtime)
    both("<% tasks(workflowExecutionId => wf, flat => true) %>",
         "{{ tasks(workflow_execution_id='wf', flat=true) }}", runtime)
    assert runtime.calls == [
        ("tasks", None, False, None, False),
        ("tasks", None, False, None, False),
        ("tasks", None, False, "ERROR", False),
        ("tasks", None, False, "ERROR", False),
        ("tasks", None, False, "SUCCESS", False),
        ("tasks", None, False, "SUCCESS", False),
        ("tasks", "wf", True, None, True),
        ("tasks", "wf", True, None, True),
        ("tasks", "wf", False, None, True),
        ("tasks", "wf", False, None, True),
    ]


def test_tasks_result_can_be_queried(runtime):
    assert evaluate("<% tasks(state => SUCCESS).name %>", CTX, runtime) == ["fetch"]
    assert evaluate("<% tasks(execution().id).len() %>", CTX, runtime) == 2


def test_execution(runtime):
    assert both("<% execution().id %>", "{{ execution().id }}", runtime) == "wf-1"
    assert evaluate("<% execution().input.x %>", CTX, runtime) == 1


def test_executions_arguments(runtime):
    both("<% executions() %>", "{{ executions() }}", runtime)
    both("<% executions(null, null, ERROR) %>", "{{ executions(None, None, 'ERROR') }}",
         runtime)
    # YAQL spells multi-word keyword arguments in camelCase, as in Mistral.
    both("<% executions(rootExecutionId => r, fromTime => '2016-12-01 15:01:00') %>",
         "{{ executions(root_execution_id='r', from_time='2016-12-01 15:01:00') }}",
         runtime)
    both("<% executions(id => x, toTime => t) %>", "{{ executions(id='x', to_time='t') }}",
         runtime)
    assert runtime.calls[::2] == [
        ("executions", None, None, None, None, None),
        ("executions", None, None, "ERROR", None, None),
        ("executions", None, "r", None, "2016-12-01 15:01:00", None),
        ("executions", "x", None, None, None, "t"),
    ]


def test_env(runtime):
    assert both("<% env().region %>", "{{ env().region }}", runtime) == "north"


def test_global(runtime):
    assert both("<% global(my_var) %>", "{{ global('my_var') }}", runtime) == "global value"
    assert both("<% global(unset) %>", "{{ global('unset') }}", runtime) is None
    assert runtime.calls[0] == ("global_var", "my_var")


@pytest.mark.parametrize("expression", [
    "<% task() %>", "<% tasks() %>", "<% execution() %>", "<% executions() %>",
    "<% env() %>", "<% global(x) %>", "{{ task() }}", "{{ tasks() }}",
    "{{ execution() }}", "{{ executions() }}", "{{ env() }}", "{{ global('x') }}",
])
def test_state_functions_need_a_runtime(expression):
    with pytest.raises(ExpressionError, match=r"is not available here"):
        evaluate(expression, CTX)


def test_runtime_failures_propagate_unchanged(runtime):
    failure = ConnectionError("database went away")

    def broken(name=None):
        raise failure

    runtime.task = broken
    for expression in ("<% task() %>", "{{ task() }}", "x <% task().id %>"):
        with pytest.raises(ConnectionError) as info:
            evaluate(expression, CTX, runtime)
        assert info.value is failure


def test_runtime_expression_errors_are_reported_with_the_expression(runtime):
    def unknown(id=None, **kwargs):
        raise ExpressionError("execution not found")

    runtime.executions = unknown
    with pytest.raises(ExpressionError) as info:
        evaluate("<% executions(bad) %>", CTX, runtime)
    assert "executions(bad)" in str(info.value)
    assert "execution not found" in str(info.value)


def test_json_dump():
    for name in ("json_dump", "json_dumps"):
        result = both(f"<% {name}($.data) %>", f"{{{{ {name}(_.data) }}}}", None)
        assert result == json.dumps(CTX["data"], indent=4)
    assert evaluate("<% json_dump($.text) %>", CTX) == json.dumps(CTX["text"])
    assert evaluate("<% json_dump(3) %>", CTX) == "3"


def test_json_dump_of_query_results():
    ctx = {"items": [{"a": 1}, {"a": 2}]}
    assert evaluate("<% json_dump($.items.select($.a)) %>", ctx) == "[\n    1,\n    2\n]"


def test_json_pp():
    with pytest.warns(DeprecationWarning):
        assert evaluate("<% json_pp($.data) %>", CTX) == json.dumps(CTX["data"], indent=4)
    with pytest.warns(DeprecationWarning):
        assert evaluate("{{ json_pp(_.text) }}", CTX) == '"Mistral\nis\nawesome"'
    with pytest.warns(DeprecationWarning):
        # Without an argument the whole data context is printed.
        assert '"name": "fetch"' in evaluate("{{ json_pp() }}", CTX)


def test_json_parse():
    ctx = {"doc": '{"a": [1, {"b": null}]}'}
    assert both("<% json_parse($.doc) %>", "{{ json_parse(_.doc) }}", None, ctx) == {
        "a": [1, {"b": None}]
    }
    assert evaluate("<% json_parse($.doc).a[0] %>", ctx) == 1
    with pytest.raises(ExpressionError, match="json_parse"):
        evaluate("<% json_parse('{broken') %>", ctx)


def test_yaml_dump_and_parse():
    dumped = both("<% yaml_dump($.data) %>", "{{ yaml_dump(_.data) }}", None)
    assert dumped == "a: b\nn:\n- 1\n- 2\n"
    ctx = {"doc": dumped}
    assert both("<% yaml_parse($.doc) %>", "{{ yaml_parse(_.doc) }}", None, ctx) == CTX["data"]


def test_yaml_parse_does_not_expand_aliases():
    ctx = {"doc": "a: &x foo\nb: *x\n"}
    assert evaluate("<% yaml_parse($.doc) %>", ctx) == {"a": "foo", "b": "*x"}
    bomb = {
        "doc": "a: &a [x,x,x,x]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n"
    }
    assert evaluate("<% yaml_parse($.doc).c %>", bomb) == ["*b"] * 4


def test_yaml_parse_refuses_python_tags():
    ctx = {"doc": "!!python/object/apply:os.system ['true']"}
    with pytest.raises(ExpressionError):
        evaluate("<% yaml_parse($.doc) %>", ctx)


def test_yaml_parse_errors_do_not_quote_the_document():
    ctx = {"doc": "key: [unclosed\n  hunter2"}
    with pytest.raises(ExpressionError) as info:
        evaluate("<% yaml_parse($.doc) %>", ctx)
    assert "hunter2" not in str(info.value)


def test_uuid():
    first = uuid.UUID(evaluate("<% uuid() %>", CTX))
    second = uuid.UUID(evaluate("{{ uuid() }}", CTX))
    assert first.version == second.version == 4
    assert first != second


def test_functions_as_jinja_filters(runtime):
    assert evaluate("{{ _.data|json_dump }}", CTX) == json.dumps(CTX["data"], indent=4)
    assert evaluate("{{ _|json_dump(_.data) }}", CTX) == json.dumps(CTX["data"], indent=4)
    assert evaluate("{{ _.data|yaml_dump }}", CTX) == yaml.safe_dump(CTX["data"])
    assert evaluate('{{ \'{"a": 1}\'|json_parse }}', CTX) == {"a": 1}
    with pytest.warns(DeprecationWarning):
        assert evaluate("{{ 3|json_pp }}", CTX) == "3"
    assert evaluate("{{ _|task('fetch') }}", CTX, runtime)["name"] == "fetch"
    assert evaluate("{{ _|execution }}", CTX, runtime)["id"] == "wf-1"
    assert evaluate("{{ _|env }}", CTX, runtime) == {"region": "north"}
    assert uuid.UUID(evaluate("{{ '3'|uuid }}", CTX)).version == 4
