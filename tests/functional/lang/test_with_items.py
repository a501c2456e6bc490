"""with-items: one action per item, lists in step, concurrency, failures."""

import json



def test_results_keep_item_order(api, unique):
    ex = api.run("""\
version: '2.0'
wi_%s:
  input: [names]
  output:
    greetings: <%% $.greetings %%>
  tasks:
    greet:
      with-items: name in <%% $.names %%>
      action: std.echo output="Hi <%% $.name %%>"
      publish:
        greetings: <%% task().result %%>
""" % unique, {"names": ["a", "b", "c", "d"]})
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"])["greetings"] == ["Hi a", "Hi b", "Hi c", "Hi d"]
    task = api.tasks(ex["id"])["greet"]
    actions = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"]
    assert len(actions) == 4


def test_two_lists_in_step_with_concurrency(api, unique):
    ex = api.run("""\
version: '2.0'
wi2_%s:
  output:
    r: <%% $.r %%>
  tasks:
    t:
      with-items:
        - x in [1, 2, 3]
        - y in ['a', 'b', 'c']
      concurrency: 2
      action: std.echo output="<%% $.x %%><%% $.y %%>"
      publish:
        r: <%% task().result %%>
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"])["r"] == ["1a", "2b", "3c"]


def test_a_failed_item_fails_the_task(api, unique):
    ex = api.run("""\
version: '2.0'
wifail_%s:
  tasks:
    t:
      with-items: x in [1, 2, 3]
      action: std.fail
""" % unique)
    assert ex["state"] == "ERROR"
    assert api.tasks(ex["id"])["t"]["state"] == "ERROR"


def test_empty_list_succeeds_with_empty_result(api, unique):
    ex = api.run("""\
version: '2.0'
wiempty_%s:
  output:
    r: <%% $.r %%>
  tasks:
    t:
      with-items: x in <%% [] %%>
      action: std.noop
      publish:
        r: <%% task().result %%>
""" % unique)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"r": []}


def test_lists_of_different_length_fail_clearly(api, unique):
    ex = api.run("""\
version: '2.0'
wibad_%s:
  tasks:
    t:
      with-items:
        - x in [1, 2]
        - y in [1]
      action: std.noop
""" % unique)
    assert ex["state"] == "ERROR"
    assert "same length" in api.tasks(ex["id"])["t"]["state_info"]
