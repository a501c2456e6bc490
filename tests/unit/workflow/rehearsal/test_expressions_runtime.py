"""What expressions see of executions at run time: task(), tasks(), execution(),
executions(), env(), in YAQL and in Jinja."""

from mistral_svc.workflow import states
from mistral_svc.workflow.rehearsing import EPOCH
from tests.unit.workflow.rehearsal.harness import Fail, inputs, run, scripted

def outputs(r, task):
    return [i["output"] for i in inputs(r, task)]


TWO = """
version: '2.0'
wf:
  tasks:
    first:
      action: std.echo output="one"
      publish:
        p: <% task().result %>
      on-success: [second]
    second:
      action: std.echo
      input:
        output:
          yaql: <% task(first) %>
          jinja: "{{ task('first').result }}"
"""


def test_task_of_a_name_shows_the_task_as_mistral_does():
    r, ex = run(TWO)
    first = r.task(ex, "first")
    (seen,) = outputs(r, "second")
    assert seen["jinja"] == "one"
    assert seen["yaql"] == {
        "id": first.id, "name": "first", "spec": None, "state": states.SUCCESS,
        "state_info": None, "published": {"p": "one"}, "type": "ACTION",
        "workflow_execution_id": ex, "result": "one",
        "created_at": "2026-01-01 00:00:00", "updated_at": None,
    }


def test_task_without_a_name_is_the_current_task():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output="mine"
              publish:
                name: <% task().name %>
                result: "{{ task().result }}"
                state: <% task().state %>
        """)
    # While it publishes, the task already shows the state it completes in.
    assert r.task(ex, "t").published == {"name": "t", "result": "mine", "state": "SUCCESS"}


def test_task_of_an_error_shows_its_state_info_and_result():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            bad:
              action: std.fail error_data="broken"
              on-error: [look]
            look:
              action: std.echo
              input:
                output: <% [task(bad).state, task(bad).state_info, task(bad).result] %>
        """)
    assert inputs(r, "look") == [{"output": ["ERROR", "broken", "broken"]}]


def test_task_of_a_name_not_run_yet_is_null():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=<% task(later) %>
              on-success: [later]
            later: {}
        """)
    assert inputs(r, "t") == [{"output": None}]


def test_tasks_lists_the_tasks_of_the_execution_and_filters_by_state():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            a:
              on-success: [c]
            b:
              action: std.fail
              on-error: [c]
            c:
              join: all
              action: std.echo
              input:
                output:
                  all: <% tasks().select($.name) %>
                  mine: <% tasks(execution().id).select($.name) %>
                  errors: <% tasks(state => ERROR).select($.name) %>
                  jinja: "{{ tasks(None, false, 'SUCCESS') | map(attribute='name') | list }}"
        """)
    (seen,) = outputs(r, "c")
    assert sorted(seen["all"]) == ["a", "b", "c"]
    assert sorted(seen["mine"]) == ["a", "b", "c"]
    assert seen["errors"] == ["b"]
    assert seen["jinja"] == ["a"]


def test_tasks_recursive_includes_the_tasks_of_sub_workflows():
    r, ex = run("""
        version: '2.0'
        child:
          tasks:
            inner:
              action: std.noop
        wf:
          tasks:
            call:
              workflow: child
              on-success: [look]
            look:
              action: std.echo
              input:
                output:
                  mine: <% tasks(execution().id).select($.name) %>
                  deep: <% tasks(execution().id, true).select($.name) %>
                  actions: <% tasks(execution().id, true, null, true).select($.name) %>
        """)
    (seen,) = outputs(r, "look")
    assert sorted(seen["mine"]) == ["call", "look"]
    assert sorted(seen["deep"]) == ["call", "inner", "look"]
    # flat leaves out workflow tasks in the state of their sub-workflow.
    assert sorted(seen["actions"]) == ["inner", "look"]


def test_execution_shows_the_execution():
    r, ex = run("""
        version: '2.0'
        wf:
          input:
            - x: 1
          tasks:
            t:
              action: std.echo
              input:
                output:
                  id: <% execution().id %>
                  name: "{{ execution().name }}"
                  input: <% execution().input %>
                  state: <% execution().state %>
                  created_at: <% execution().created_at %>
                  root: <% execution().root_execution_id %>
                  params: <% execution().params %>
                  has_spec: <% execution().spec.tasks.containsKey(t) %>
        """, params={"env": {"k": "v"}})
    (seen,) = outputs(r, "t")
    assert seen == {"id": ex, "name": "wf", "input": {"x": 1}, "state": "RUNNING",
                    "created_at": EPOCH.strftime("%Y-%m-%d %H:%M:%S"), "root": None,
                    "params": {"env": {"k": "v"}}, "has_spec": True}


def test_executions_finds_executions_by_root():
    r, ex = run("""
        version: '2.0'
        child:
          tasks:
            inner: {}
        wf:
          tasks:
            call:
              workflow: child
              on-success: [look]
            look:
              action: std.echo
              input:
                output: <% executions(null, execution().id).select($.name) %>
        """)
    assert inputs(r, "look") == [{"output": ["child"]}]


def test_env_shows_the_environment_given_at_start():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo
              input:
                output: [<% env().region %>, "{{ env().zone }}", <% env().get(none) %>]
        """, params={"env": {"region": "north", "zone": "z1"}})
    assert inputs(r, "t") == [{"output": ["north", "z1", None]}]


def test_a_stored_environment_is_named_at_start():
    from mistral_svc.workflow.rehearsing import Rehearsal

    r = Rehearsal("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=<% env().region %>
        """)
    r.store.environments["prod"] = {"region": "east"}
    ex = r.start("wf", params={"env": "prod"})
    assert r.execution(ex).params["env"] == {"region": "east"}
    assert [c for c in r.sent] and r.execution(ex).state == states.SUCCESS


def test_yaql_and_jinja_in_the_same_workflow():
    r, ex = run("""
        version: '2.0'
        wf:
          input: [names]
          tasks:
            t:
              action: std.echo
              input:
                output:
                  yaql: <% $.names.select($.toUpper()) %>
                  jinja: "{{ _.names | join(',') }}"
                  mixed: "<% len($.names) %> names"
        """, wf_input={"names": ["a", "b"]})
    assert inputs(r, "t") == [{"output": {"yaql": ["A", "B"], "jinja": "a,b",
                                          "mixed": "2 names"}}]


def test_an_expression_error_names_the_expression():
    r, ex = run("""
        version: '2.0'
        wf:
          tasks:
            t:
              action: std.echo output=<% $.nope %>
        """, executor=scripted(t=Fail()))
    info = r.task(ex, "t").state_info
    assert "$.nope" in info and "YAQL" in info
