"""Meaning errors: references between tasks, reserved names, cycles, expression syntax."""

import pytest

from tests.unit.lang.base import dsl_error, line_of, parse_one, wf_body


def check_error(body, path, line_text, *message_parts):
    text = wf_body(body)
    err = dsl_error(text)
    assert ".".join(err.path) == path
    assert err.line == line_of(text, line_text)
    for part in message_parts:
        assert part in err.message
    return err


# ---------------------------------------------------------------- transition targets

@pytest.mark.parametrize("clause", ["on-success", "on-error", "on-complete", "on-skip"])
def test_unknown_transition_target(clause):
    check_error("""
        tasks:
          a:
            %s:
              - b
              - ghost: <%% $.x %%>
          b: {}
    """ % clause, "wf.tasks.a.%s.1" % clause, "- ghost",
                "task 'a' transitions to unknown task 'ghost'")


def test_unknown_target_as_a_string_clause():
    check_error("""
        tasks:
          a:
            description: x
            on-success: ghost
    """, "wf.tasks.a.on-success.0", "on-success: ghost", "unknown task 'ghost'")


def test_unknown_target_in_the_advanced_form():
    check_error("""
        tasks:
          a:
            on-error:
              publish:
                global: {x: 1}
              next:
                - b
                - ghost
          b: {}
    """, "wf.tasks.a.on-error.next.1", "- ghost", "unknown task 'ghost'")


def test_unknown_target_in_task_defaults_points_there():
    check_error("""
        task-defaults:
          on-complete:
            - ghost
        tasks:
          a: {}
    """, "wf.task-defaults.on-complete.0", "- ghost", "unknown task 'ghost'")


def test_unknown_target_with_params():
    check_error("""
        tasks:
          a:
            on-success:
              - ghost x=1
    """, "wf.tasks.a.on-success.0", "- ghost x=1", "unknown task 'ghost'")


def test_engine_commands_and_expressions_are_valid_targets():
    wf = parse_one(wf_body("""
        tasks:
          a:
            on-success: [noop, succeed]
            on-error:
              - fail msg="x"
              - pause
            on-complete:
              - <% $.next %>
              - "{{ _.other }}"
    """))
    assert len(wf["tasks"]["a"]["on-complete"]["next"]) == 2


def test_target_names_are_case_sensitive():
    check_error("""
        tasks:
          a:
            on-success: [B]
          b: {}
    """, "wf.tasks.a.on-success.0", "on-success: [B]", "unknown task 'B'")


# ---------------------------------------------------------------- task names and kinds

@pytest.mark.parametrize("name", ["noop", "fail", "succeed", "pause"])
def test_engine_command_names_are_not_reserved(name):
    wf = parse_one(wf_body("""
        tasks:
          first:
            on-success: [%s]
          %s:
            action: std.noop
    """ % (name, name)))
    assert wf["tasks"][name]["action"] == "std.noop"
    assert wf["tasks"]["first"]["on-success"]["next"][0]["name"] == name


def test_names_containing_a_reserved_word_are_fine():
    wf = parse_one(wf_body("tasks:\n  fail_over: {}\n  noop2: {}\n"))
    assert list(wf["tasks"]) == ["fail_over", "noop2"]


def test_action_and_workflow_both_set():
    check_error("""
        tasks:
          a:
            action: std.noop
            workflow: sub
    """, "wf.tasks.a", "  a:", "either 'action' or 'workflow', not both")


def test_requires_in_a_direct_workflow():
    check_error("""
        tasks:
          a:
            requires: [b]
          b: {}
    """, "wf.tasks.a.requires", "requires:", "'requires' is not allowed in a direct")


@pytest.mark.parametrize("clause", ["on-success", "on-error", "on-complete"])
def test_transitions_in_a_reverse_workflow(clause):
    check_error("""
        type: reverse
        tasks:
          a: {}
          b:
            %s: [a]
    """ % clause, "wf.tasks.b.%s" % clause, clause,
                "%r is not allowed in a reverse workflow" % clause)


def test_transitions_in_task_defaults_of_a_reverse_workflow():
    check_error("""
        type: reverse
        task-defaults:
          on-error: [a]
        tasks:
          a: {}
    """, "wf.task-defaults.on-error", "on-error", "not allowed in a reverse")


def test_requires_in_task_defaults_of_a_direct_workflow():
    check_error("""
        task-defaults:
          requires: [a]
        tasks:
          a: {}
    """, "wf.task-defaults.requires", "requires", "not allowed in a direct")


# ---------------------------------------------------------------- reverse requirements

def test_requires_unknown_task():
    check_error("""
        type: reverse
        tasks:
          a: {}
          b:
            requires: [a, ghost]
    """, "wf.tasks.b.requires", "requires:", "task 'b' requires unknown task 'ghost'")


def test_requires_unknown_task_from_task_defaults():
    text = wf_body("""
        type: reverse
        task-defaults:
          requires: ghost
        tasks:
          a: {}
    """)
    err = dsl_error(text)
    assert "requires unknown task 'ghost'" in err.message


@pytest.mark.parametrize("tasks,cycle", [
    ("a: {requires: a}", "a -> a"),
    ("a: {requires: b}\nb: {requires: a}", "a -> b -> a"),
    ("a: {requires: [c]}\nb: {requires: a}\nc: {requires: [b]}", "a -> c -> b -> a"),
    ("x: {}\na: {requires: [x, b]}\nb: {requires: [x, a]}", "a -> b -> a"),
])
def test_requires_cycle(tasks, cycle):
    body = "type: reverse\ntasks:\n" + "".join("  %s\n" % t for t in tasks.split("\n"))
    text = wf_body(body)
    err = dsl_error(text)
    assert err.message == "cycle in 'requires': %s" % cycle
    assert err.path[-1] == "requires"
    assert err.line == line_of(text, "  %s: {requires" % err.path[-2])


def test_diamond_is_not_a_cycle():
    wf = parse_one(wf_body("""
        type: reverse
        tasks:
          base: {}
          l: {requires: base}
          r: {requires: base}
          top: {requires: [l, r]}
    """))
    assert wf["tasks"]["top"]["requires"] == ["l", "r"]


# ---------------------------------------------------------------- expression syntax

BAD_YAQL = "<% $.x + %>"

EXPRESSION_CASES = [
    ("""
     output:
       r: %s
     tasks:
       a: {}
     """, "wf.output.r", "r: "),
    ("""
     output-on-error:
       r: %s
     tasks:
       a: {}
     """, "wf.output-on-error.r", "r: "),
    ("""
     vars:
       v: [1, "%s"]
     tasks:
       a: {}
     """, "wf.vars.v.1", "v: "),
    ("""
     tasks:
       a:
         input:
           x:
             deep: %s
     """, "wf.tasks.a.input.x.deep", "deep:"),
    ("""
     tasks:
       a:
         input: %s
     """, "wf.tasks.a.input", "input:"),
    ("""
     tasks:
       a:
         publish:
           x: %s
     """, "wf.tasks.a.publish.x", "x: "),
    ("""
     tasks:
       a:
         publish-on-error:
           x: %s
     """, "wf.tasks.a.publish-on-error.x", "x: "),
    ("""
     tasks:
       a:
         on-success:
           - b
           - b: %s
       b: {}
     """, "wf.tasks.a.on-success.1", "- b: "),
    ("""
     tasks:
       a:
         on-error:
           - fail msg=%s
     """, "wf.tasks.a.on-error.0.msg", "- fail msg="),
    ("""
     tasks:
       a:
         on-complete:
           publish:
             branch:
               ok: 1
             global:
               g: %s
     """, "wf.tasks.a.on-complete.publish.global.g", "g: "),
    ("""
     tasks:
       a:
         with-items: x in %s
     """, "wf.tasks.a.with-items.0.expr", "with-items:"),
    ("""
     tasks:
       a:
         action: %s
     """, "wf.tasks.a.action", "action:"),
    ("""
     tasks:
       a:
         workflow: %s
     """, "wf.tasks.a.workflow", "workflow:"),
    ("""
     tasks:
       a:
         retry:
           count: %s
     """, "wf.tasks.a.retry.count", "count:"),
    ("""
     tasks:
       a:
         retry: count=1 break-on=%s
     """, "wf.tasks.a.retry.break-on", "retry:"),
    ("""
     tasks:
       a:
         timeout: %s
     """, "wf.tasks.a.timeout", "timeout:"),
    ("""
     tasks:
       a:
         fail-on: %s
     """, "wf.tasks.a.fail-on", "fail-on:"),
    ("""
     task-defaults:
       wait-after: %s
     tasks:
       a: {}
     """, "wf.task-defaults.wait-after", "wait-after:"),
    ("""
     task-defaults:
       on-error:
         - h: %s
     tasks:
       a: {}
       h: {}
     """, "wf.task-defaults.on-error.0", "- h:"),
]


@pytest.mark.parametrize("body,path,line_text", EXPRESSION_CASES,
                         ids=[c[1] for c in EXPRESSION_CASES])
def test_invalid_yaql_is_caught_at_parse_time(body, path, line_text):
    check_error(body % BAD_YAQL, path, line_text, "Invalid YAQL expression",
                "unexpected end of statement")


@pytest.mark.parametrize("expr,words", [
    ("'{{ _.x + }}'", "Invalid Jinja expression"),
    ("'{% if %}'", "Invalid Jinja expression"),
    ("'both <% $.a %> {{ _.b }}'", "cannot be mixed"),
    ("'<% $.a ) %>'", "Invalid YAQL expression"),
])
def test_other_invalid_expressions(expr, words):
    check_error("""
        tasks:
          a:
            input:
              x: %s
    """ % expr, "wf.tasks.a.input.x", "x: ", words)


def test_invalid_expression_in_a_publish_key():
    check_error("""
        tasks:
          a:
            publish:
              "<% $.k + %>": 1
    """, "wf.tasks.a.publish", "publish:", "Invalid YAQL expression")


def test_valid_expressions_everywhere_pass():
    wf = parse_one(wf_body("""
        input: [x]
        vars:
          v: "{{ _.x | default(1) }}"
        output:
          r: <% $.x + 1 %>
        tasks:
          a:
            action: std.echo output="<% $.x %> and more"
            with-items: i in <% range(3) %>
            retry: count=<% $.x %> delay=1
            publish:
              p: "{% if _.x %}yes{% endif %}"
            on-success:
              - b: <% $.p = 'yes' %>
          b: {}
    """))
    assert wf["tasks"]["a"]["retry"] == {"count": "<% $.x %>", "delay": 1}


def test_descriptions_are_not_expressions():
    wf = parse_one(wf_body("""
        tasks:
          a:
            description: "shows <% broken %"
    """))
    assert wf["tasks"]["a"]["description"] == "shows <% broken %"


def test_validation_errors_are_dsl_errors():
    err = dsl_error(wf_body("tasks:\n  a:\n    on-success: [ghost]\n"))
    assert str(err).startswith("Invalid DSL: task 'a' transitions to unknown task")
