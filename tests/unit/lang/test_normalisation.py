"""Every shorthand of the language is expanded into one normalised form."""

import json
import textwrap

import pytest

from mistral_svc import lang
from mistral_svc.lang import inline
from tests.unit.lang.base import HEAD, dsl_error, line_of, parse_one, wf_body


def task_of(body, name="a"):
    return parse_one(wf_body(body))["tasks"][name]


# ---------------------------------------------------------------- inline parameters

def test_inline_params_of_every_kind():
    t = task_of("""
        tasks:
          a:
            action: std.echo output="x y" n=1 flag=true list=[1,2] s='q r' none=null f=1.5
    """)
    assert t["action"] == "std.echo"
    assert t["input"] == {"output": "x y", "n": 1, "flag": True, "list": [1, 2],
                          "s": "q r", "none": None, "f": 1.5}


def test_inline_expressions_are_kept_whole():
    t = task_of("""
        tasks:
          a:
            action: std.echo a=<% $.x + 1 %> b={{ _.y | length }} c="<% $.z %> and more"
    """)
    assert t["input"] == {"a": "<% $.x + 1 %>", "b": "{{ _.y | length }}",
                          "c": "<% $.z %> and more"}


@pytest.mark.parametrize("text,params", [
    ('a x=1', {"x": 1}),
    ('a  x=1    y=2 ', {"x": 1, "y": 2}),
    ('a x=-3 y=2.5 z=1e3', {"x": -3, "y": 2.5, "z": 1000.0}),
    ('a x=007', {"x": "007"}),
    # What Mistral reads of a date: the number in front.
    ('a x=2020-01-01', {"x": 2020}),
    ('a l=[1, "two"] m=[[1], [2]]', {"l": [1, "two"], "m": [[1], [2]]}),
    ('a d={"k": [1, 2]}', {"d": {"k": [1, 2]}}),
    # Brackets that are not JSON stay text, as Mistral keeps them.
    ("a to=['admin@mysite.org']", {"to": "['admin@mysite.org']"}),
    ('a d={k: v}', {"d": "{k: v}"}),
    # Quoted text is taken as written: no escapes.
    ('a p="C:\\new" q=\'it "is"\'', {"p": "C:\\new", "q": 'it "is"'}),
    ("a url='http://x/?a=1&b=2'", {"url": "http://x/?a=1&b=2"}),
    ('a my-param=1 my_other=2', {"my-param": 1, "my_other": 2}),
    ('a b=true c=false n=null', {"b": True, "c": False, "n": None}),
    ('a', {}),
])
def test_inline_split(text, params):
    assert inline.split(text) == ("a", params)


@pytest.mark.parametrize("text,params", [
    ("a x", {}),
    ("a x=", {}),
    ("a =1", {}),
    ("a x=1 y", {"x": 1}),
    ("a x=yes y=1", {"y": 1}),
    ("a x=True", {}),
    ('a x="unclosed y=1', {"y": 1}),
    ("a x=[1, 2 y=3", {"y": 3}),
    # The scan goes on inside what it could not read, as Mistral's does.
    ("a x=a=b", {}),
    ("a x=a=1", {"a": 1}),
])
def test_inline_split_drops_what_is_not_a_value(text, params):
    assert inline.split(text) == ("a", params)


def test_inline_dynamic_name_may_contain_spaces():
    assert inline.split("<% $.names[0] %> x=1") == ("<% $.names[0] %>", {"x": 1})
    assert inline.split("{{ _.wf_name }}") == ("{{ _.wf_name }}", {})


def test_a_bare_word_is_no_inline_value():
    t = task_of("""
        tasks:
          a:
            action: std.echo output=x
    """)
    # Mistral drops it: the action then misses its input when the task runs.
    assert t["action"] == "std.echo" and t["input"] == {}


def test_input_block_is_merged_with_inline_params_which_win():
    # Mistral merges the inline parameters into the input block, overwriting it.
    t = task_of("""
        tasks:
          a:
            action: std.http url="http://a" method="GET"
            input:
              method: POST
              body: {k: v}
    """)
    assert t["input"] == {"url": "http://a", "method": "GET", "body": {"k": "v"}}


def test_input_keys_that_are_not_strings_do_not_break_merging():
    t = task_of("""
        tasks:
          a:
            action: std.echo output="x"
            input:
              1: one
    """)
    assert t["input"] == {"output": "x", 1: "one"}


def test_input_may_be_one_expression():
    t = task_of("""
        tasks:
          a:
            workflow: sub
            input: <% $.params %>
    """)
    assert t["input"] == "<% $.params %>"
    assert t["workflow"] == "sub" and "action" not in t


def test_workflow_task_with_inline_params():
    t = task_of("""
        tasks:
          a:
            workflow: backup_vm vm_id=<% $.vm_id %>
    """)
    assert (t["workflow"], t["input"]) == ("backup_vm", {"vm_id": "<% $.vm_id %>"})
    assert lang.TaskSpec(t).type == "WORKFLOW"


def test_task_without_action_runs_std_noop():
    t = task_of("""
        tasks:
          a:
            description: nothing to do
    """)
    assert t["action"] == "std.noop" and t["input"] == {}
    assert lang.TaskSpec(t).type == "ACTION"


def test_dynamic_action_name_is_kept():
    t = task_of("""
        tasks:
          a:
            action: <% $.action_name %> x=1
    """)
    assert t["action"] == "<% $.action_name %>" and t["input"] == {"x": 1}


def test_definition_dates_stay_strings():
    t = task_of("""
        tasks:
          a:
            action: std.echo output="2020-01-01"
            input:
              when: 2021-02-03 04:05:06
    """)
    assert t["input"] == {"output": "2020-01-01", "when": "2021-02-03 04:05:06"}
    json.dumps(t)


# ---------------------------------------------------------------- transitions

def clauses(body):
    """Task ``a`` whose own keys are ``body``, next to tasks ``b`` and ``c``."""
    own = textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "      ")
    text = HEAD + "  tasks:\n    a:\n" + own + "    b: {}\n    c: {}\n"
    (wf,) = lang.parse_workflows(text)
    return wf["tasks"]["a"]


def test_transition_as_a_string():
    t = clauses("on-success: b")
    assert t["on-success"] == {"next": [{"name": "b", "condition": None, "params": {}}]}


def test_transitions_as_a_list():
    t = clauses("on-error: [b, c]")
    assert [tr["name"] for tr in t["on-error"]["next"]] == ["b", "c"]
    assert all(tr["condition"] is None and tr["params"] == {} for tr in t["on-error"]["next"])


def test_transitions_with_conditions_and_params():
    t = clauses("""
on-complete:
  - b: <% $.ok %>
  - c x=1 y="z": "{{ _.ok }}"
  - fail msg="stop": true
  - succeed: false
""")
    assert t["on-complete"]["next"] == [
        {"name": "b", "condition": "<% $.ok %>", "params": {}},
        {"name": "c", "condition": "{{ _.ok }}", "params": {"x": 1, "y": "z"}},
        {"name": "fail", "condition": None, "params": {"msg": "stop"}},
        {"name": "succeed", "condition": False, "params": {}},
    ]


def test_advanced_publish_form():
    t = clauses("""
on-success:
  publish:
    branch: {x: 1}
    global: {g: <% $.x %>}
    atomic: {counter: 1}
  next:
    - b
    - c: <% $.more %>
""")
    c = t["on-success"]
    assert c["publish"] == {"x": 1}
    assert c["publish-global"] == {"g": "<% $.x %>"}
    assert c["publish-atomic"] == {"counter": 1}
    assert [tr["name"] for tr in c["next"]] == ["b", "c"]
    assert c["next"][1]["condition"] == "<% $.more %>"


def test_advanced_form_with_a_single_next_and_only_one_scope():
    t = clauses("""
on-error:
  publish:
    global: {failed: true}
  next: b
""")
    c = t["on-error"]
    assert c["publish"] is None and c["publish-global"] == {"failed": True}
    assert c["next"] == [{"name": "b", "condition": None, "params": {}}]


def test_advanced_form_without_next():
    t = clauses("""
on-success:
  publish:
    branch: {x: 1}
""")
    assert t["on-success"]["next"] == []
    assert t["on-success"]["publish"] == {"x": 1}


def test_on_skip_and_publish_on_skip():
    t = clauses("""
action: std.fail
publish-on-skip:
  s: <% $.x %>
on-skip: [b]
""")
    assert [tr["name"] for tr in t["on-skip"]["next"]] == ["b"]
    assert t["publish-on-skip"] == {"s": "<% $.x %>"}


def test_missing_clauses_are_none():
    t = clauses("action: std.noop")
    assert t["on-success"] is None and t["on-error"] is None and t["on-complete"] is None


# ---------------------------------------------------------------- with-items

@pytest.mark.parametrize("value,expected", [
    ("x in <% $.xs %>", [{"var": "x", "expr": "<% $.xs %>"}]),
    ("x in {{ _.xs }}", [{"var": "x", "expr": "{{ _.xs }}"}]),
    ("x in [1, 2, 3]", [{"var": "x", "expr": [1, 2, 3]}]),
    ("x in [a, 'b c']", [{"var": "x", "expr": ["a", "b c"]}]),
    ("  vm_name   in   <% $.names %>  ", [{"var": "vm_name", "expr": "<% $.names %>"}]),
])
def test_with_items_string(value, expected):
    t = task_of("""
        tasks:
          a:
            with-items: "%s"
    """ % value)
    assert t["with-items"] == expected


def test_with_items_list():
    t = task_of("""
        tasks:
          a:
            with-items:
              - x in <% $.xs %>
              - y in [1, 2]
    """)
    assert t["with-items"] == [{"var": "x", "expr": "<% $.xs %>"},
                               {"var": "y", "expr": [1, 2]}]
    assert lang.TaskSpec(t).with_items == t["with-items"]


def test_no_with_items_is_none():
    assert task_of("tasks:\n  a: {}\n")["with-items"] is None


@pytest.mark.parametrize("value", ["just words", "1x in [1]", "x of [1]"])
def test_bad_with_items(value):
    text = wf_body("""
        tasks:
          a:
            with-items:
              - ok in [1]
              - %s
    """ % value)
    err = dsl_error(text)
    assert "with-items must read '<var> in <list or expression>'" in err.message
    assert err.path == ("wf", "tasks", "a", "with-items", "1")
    assert err.line == line_of(text, "- %s" % value)


def test_bad_literal_list_in_with_items():
    text = wf_body("""
        tasks:
          a:
            with-items: "x in [1, 2"
    """)
    err = dsl_error(text)
    assert "cannot read the list" in err.message
    assert err.path == ("wf", "tasks", "a", "with-items")


# ---------------------------------------------------------------- join

@pytest.mark.parametrize("value,expected", [("one", 1), ("all", "all"), ("3", 3), ("1", 1)])
def test_join(value, expected):
    t = task_of("""
        tasks:
          a:
            join: %s
    """ % value)
    assert t["join"] == expected
    assert lang.TaskSpec(t).join == expected


def test_no_join_key_without_join():
    t = task_of("tasks:\n  a: {}\n")
    assert "join" not in t and lang.TaskSpec(t).join is None


# ---------------------------------------------------------------- task-defaults

DEFAULTS = """
task-defaults:
  retry: {count: 3, delay: 1}
  timeout: 60
  wait-before: 1
  pause-before: false
  concurrency: 2
  safe-rerun: true
  fail-on: <% $.bad %>
  on-error: [handle]
  on-complete:
    publish:
      global: {seen: true}
    next: [log]
tasks:
  plain: {}
  own:
    retry: {count: 9}
    timeout: 5
    on-error: [log]
  handle: {}
  log: {}
"""


@pytest.fixture(scope="module")
def defaulted():
    return parse_one(wf_body(DEFAULTS))["tasks"]


def test_policies_come_from_task_defaults(defaulted):
    plain = defaulted["plain"]
    assert plain["retry"] == {"count": 3, "delay": 1}
    assert plain["timeout"] == 60
    assert plain["wait-before"] == 1
    assert plain["pause-before"] is False
    assert plain["concurrency"] == 2
    assert plain["safe-rerun"] is True
    assert plain["fail-on"] == "<% $.bad %>"


def test_a_task_policy_replaces_the_default_whole(defaulted):
    own = defaulted["own"]
    assert own["retry"] == {"count": 9}
    assert own["timeout"] == 5
    assert own["wait-before"] == 1


def test_clauses_come_from_task_defaults(defaulted):
    plain = defaulted["plain"]
    assert [tr["name"] for tr in plain["on-error"]["next"]] == ["handle"]
    assert [tr["name"] for tr in plain["on-complete"]["next"]] == ["log"]
    assert plain["on-complete"]["publish-global"] == {"seen": True}
    assert plain["on-success"] is None


def test_a_task_clause_replaces_the_default_clause(defaulted):
    assert [tr["name"] for tr in defaulted["own"]["on-error"]["next"]] == ["log"]
    # ...but only that clause: on-complete still comes from the defaults.
    assert [tr["name"] for tr in defaulted["own"]["on-complete"]["next"]] == ["log"]


def test_a_default_transition_never_leads_a_task_to_itself(defaulted):
    assert defaulted["handle"]["on-error"] is None
    log_complete = defaulted["log"]["on-complete"]
    assert log_complete["next"] == []
    assert log_complete["publish-global"] == {"seen": True}
    assert [tr["name"] for tr in defaulted["log"]["on-error"]["next"]] == ["handle"]


def test_policies_are_absent_without_defaults():
    t = task_of("tasks:\n  a: {}\n")
    for key in ("retry", "timeout", "wait-before", "wait-after", "pause-before",
                "concurrency", "safe-rerun", "fail-on"):
        assert key not in t


def test_reverse_requires_from_task_defaults():
    wf = parse_one(wf_body("""
        type: reverse
        task-defaults:
          requires: [init]
        tasks:
          init: {}
          a: {}
          b:
            requires: a
    """))
    tasks = wf["tasks"]
    assert tasks["init"]["requires"] == []
    assert tasks["a"]["requires"] == ["init"]
    assert tasks["b"]["requires"] == ["a"]
    assert "on-success" not in tasks["a"]


def test_retry_one_line_form():
    t = task_of("""
        tasks:
          a:
            retry: count=10 delay=5 break-on=<% $.foo = 'bar' %>
    """)
    assert t["retry"] == {"count": 10, "delay": 5, "break-on": "<% $.foo = 'bar' %>"}


def test_retry_one_line_form_in_task_defaults():
    t = task_of("""
        task-defaults:
          retry: count=2 continue-on=<% $.again %>
        tasks:
          a: {}
    """)
    assert t["retry"] == {"count": 2, "continue-on": "<% $.again %>"}


def test_retry_as_one_expression_is_kept():
    t = task_of("""
        tasks:
          a:
            retry: <% $.retry_policy %>
    """)
    assert t["retry"] == "<% $.retry_policy %>"


def test_bad_retry_one_line_form_in_task_defaults_points_there():
    text = wf_body("""
        task-defaults:
          retry: delay=5
        tasks:
          a: {}
    """)
    err = dsl_error(text)
    assert err.path == ("wf", "task-defaults", "retry")
    assert err.line == line_of(text, "retry: delay=5")
    assert "'count' is required" in err.message


def test_words_after_a_default_transition_are_dropped():
    wf = parse_one(wf_body("""
        task-defaults:
          on-error:
            - handle oops
        tasks:
          a: {}
          handle: {}
    """))
    assert wf["tasks"]["a"]["on-error"]["next"] == [
        {"name": "handle", "condition": None, "params": {}}]


# ---------------------------------------------------------------- workflow level

def test_workflow_fields():
    wf = parse_one(wf_body("""
        description: does things
        tags: [a, b]
        input:
          - x
          - y: "two words"
          - z: 1
          - n: null
          - d: {k: [1]}
        output:
          result: <% $.x %>
        output-on-error:
          why: <% $.err %>
        vars:
          v: 1
        tasks:
          a:
            description: a task
            tags: [t]
            target: worker-1
            keep-result: false
            publish: {p: 1}
            publish-on-error: {e: 1}
    """))
    assert wf["name"] == "wf" and wf["version"] == "2.0" and wf["type"] == "direct"
    assert wf["description"] == "does things" and wf["tags"] == ["a", "b"]
    assert wf["input"] == [{"name": "x"}, {"name": "y", "default": "two words"},
                           {"name": "z", "default": 1}, {"name": "n", "default": None},
                           {"name": "d", "default": {"k": [1]}}]
    assert lang.input_string(wf["input"]) == 'x, y="two words", z=1, n=null, d={"k": [1]}'
    assert wf["output"] == {"result": "<% $.x %>"}
    assert wf["output-on-error"] == {"why": "<% $.err %>"}
    assert wf["vars"] == {"v": 1}
    a = wf["tasks"]["a"]
    assert a["description"] == "a task" and a["tags"] == ["t"] and a["target"] == "worker-1"
    assert a["keep-result"] is False
    assert a["publish"] == {"p": 1} and a["publish-on-error"] == {"e": 1}


def test_defaults_of_an_empty_workflow():
    wf = parse_one(wf_body("tasks:\n  a: {}\n"))
    assert wf["input"] == [] and wf["vars"] == {} and wf["tags"] == []
    assert wf["output"] is None and wf["description"] is None
    assert lang.input_string(wf["input"]) == ""


def test_input_string_without_defaults():
    assert lang.input_string([{"name": "a"}, {"name": "b"}]) == "a, b"


def test_duplicate_input_with_default_is_an_error():
    text = wf_body("""
        input:
          - a
          - a: 1
        tasks:
          t: {}
    """)
    err = dsl_error(text)
    assert "duplicate input 'a'" in err.message
    assert err.path == ("wf", "input", "1")
    assert err.line == line_of(text, "- a: 1")


def test_several_workflows_keep_their_order():
    wfs = lang.parse_workflows(
        "version: '2.0'\nz_wf:\n  tasks:\n    a: {}\na_wf:\n  type: reverse\n"
        "  tasks:\n    b: {}\n")
    assert [(w["name"], w["type"]) for w in wfs] == [("z_wf", "direct"), ("a_wf", "reverse")]


def test_task_and_workflow_names_are_strings():
    wfs = lang.parse_workflows("version: '2.0'\n123:\n  tasks:\n    7: {}\n")
    assert wfs[0]["name"] == "123"
    assert list(wfs[0]["tasks"]) == ["7"]
    assert wfs[0]["tasks"]["7"]["name"] == "7"


def test_normalised_spec_is_json():
    wf = parse_one(wf_body(DEFAULTS))
    assert json.loads(json.dumps(wf)) == wf


def test_checksum_is_md5_of_the_text():
    assert lang.checksum("abc") == "900150983cd24fb0d6963f7d28e17f72"
    assert lang.checksum("abc") != lang.checksum("abd")


def test_ad_hoc_action_base_params_merge_with_base_input():
    (action,) = lang.parse_actions("""\
version: '2.0'
greet:
  base: std.echo output="hi" extra=1
  base-input:
    output: <% $.who %>
  input: [who]
""")
    assert action["base"] == "std.echo"
    assert action["base-input"] == {"output": "<% $.who %>", "extra": 1}
    assert action["input"] == [{"name": "who"}]
