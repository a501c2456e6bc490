"""Reverse workflows run only what the target task requires."""


def test_only_required_tasks_run(api, unique):
    name = "rev_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
      requires: [a]
    c:
      action: std.noop
      requires: [a, b]
    unrelated:
      action: std.noop
""" % name)
    ex = api.wait(api.start(name, params={"task_name": "c"})["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert set(api.tasks(ex["id"])) == {"a", "b", "c"}


def test_target_task_is_required(api, unique):
    name = "revnt_" + unique
    api.create_workflow("""\
version: '2.0'
%s:
  type: reverse
  tasks:
    a:
      action: std.noop
""" % name)
    body = api.start(name, status=400)
    assert "task_name" in body["faultstring"]
    body = api.start(name, params={"task_name": "zzz"}, status=400)
    assert "zzz" in body["faultstring"]


def test_requires_cycle_is_refused_with_line(api, unique):
    text = """\
version: '2.0'
revcyc_%s:
  type: reverse
  tasks:
    a:
      action: std.noop
      requires: [b]
    b:
      action: std.noop
      requires: [a]
""" % unique
    body = api.app.post("/v2/workflows", text, headers={"Content-Type": "text/plain"},
                        status=400).json
    assert "cycle" in body["faultstring"] and "line" in body["faultstring"]
