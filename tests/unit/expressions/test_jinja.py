"""Jinja2 evaluation: raw values, templates, statements, the context as ``_``."""

import pytest

from mistral_svc.expressions import ExpressionError, ExpressionSyntaxError, evaluate

CTX = {
    "server": {"id": "abc", "name": "cloud", "status": "ACTIVE"},
    "servers": [{"name": "centos"}, {"name": "ubuntu"}, {"name": "fedora"}],
    "count": 3,
    "nothing": None,
    "pair": (1, 2),
}


def test_whole_expression_returns_raw_value():
    assert evaluate("{{ _.server }}", CTX) == CTX["server"]
    assert evaluate("{{ _.count }}", CTX) == 3
    assert evaluate("{{ _.nothing }}", CTX) is None
    assert evaluate("{{ _.server.status == 'ACTIVE' }}", CTX) is True
    assert evaluate("{{ _.count * 2 }}", CTX) == 6


def test_whole_expression_result_is_plain_and_a_copy():
    assert evaluate("{{ _.pair }}", CTX) == [1, 2]
    result = evaluate("{{ _.server }}", CTX)
    result["id"] = "changed"
    assert CTX["server"]["id"] == "abc"


def test_lazy_filter_results_are_lists():
    assert evaluate('{{ _.servers|selectattr("name", "equalto", "ubuntu") }}', CTX) == [
        {"name": "ubuntu"}
    ]
    assert evaluate('{{ _.servers|map(attribute="name") }}', CTX) == [
        "centos", "ubuntu", "fedora"
    ]
    assert evaluate("{{ _.servers|length }}", CTX) == 3


def test_template_renders_a_string():
    assert evaluate("{{ _.server.id }}/{{ _.server.name }}", CTX) == "abc/cloud"
    assert evaluate("{{ _.count }}{{ _.count }}", CTX) == "33"
    assert evaluate(" {{ _.count }}", CTX) == " 3"
    assert evaluate("value={{ _.nothing }}", CTX) == "value=None"
    assert evaluate("list={{ _.pair }}", CTX) == "list=(1, 2)"


def test_statements_are_supported():
    template = (
        "Servers:\n"
        "{% for s in _.servers %}\n"
        "- {{ s.name }}\n"
        "{% endfor %}\n"
        "{% if _.nothing %}\n"
        "never\n"
        "{% endif %}\n"
        "done"
    )
    assert evaluate(template, CTX) == "Servers:\n- centos\n- ubuntu\n- fedora\ndone"
    assert evaluate("{% if _.count > 2 %}big{% else %}small{% endif %}", CTX) == "big"
    assert evaluate("{% set n = _.count + 1 %}{{ n }}", CTX) == "4"


def test_statement_only_string_is_rendered():
    assert evaluate("{% for i in range(3) %}{{ i }}{% endfor %}", CTX) == "012"


def test_undefined_values_are_errors():
    for expression in ("{{ _.wrong_key }}", "{{ invalid_name }}", "!! {{ _.nope }} !!",
                       "{{ [_.nope] }}", "{% if _.nope %}x{% endif %}"):
        with pytest.raises(ExpressionError) as info:
            evaluate(expression, CTX)
        assert "Jinja" in str(info.value)


def test_error_message_names_expression_and_reason():
    with pytest.raises(ExpressionError) as info:
        evaluate("{{ _.wrong_key }}", CTX)
    assert info.value.expression == "_.wrong_key"
    assert "wrong_key" in str(info.value)


def test_syntax_error_while_evaluating():
    with pytest.raises(ExpressionSyntaxError):
        evaluate("The value is {{ * }}.", CTX)
    with pytest.raises(ExpressionSyntaxError):
        evaluate("{{ * }}", CTX)


def test_sandbox_blocks_unsafe_attributes():
    with pytest.raises(ExpressionError):
        evaluate("{{ _.count.__class__.__mro__ }}", CTX)
    with pytest.raises(ExpressionError):
        evaluate("{{ ''.__class__.__subclasses__() }}", CTX)


def test_mixed_languages_in_one_string_are_treated_as_jinja():
    # Mistral checks for Jinja first; the YAQL part stays literal text.
    assert evaluate("{{ _.count }} <% $.count %>", CTX) == "3 <% $.count %>"


def test_context_is_not_modified():
    ctx = {"numbers": [1, 2]}
    assert evaluate("{{ _.numbers + [3] }}", ctx) == [1, 2, 3]
    assert ctx == {"numbers": [1, 2]}
