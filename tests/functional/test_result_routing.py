"""Results reach their workflow however the sender addressed them."""

from mistral_svc.db import session as db_session
from mistral_svc.engine import results as engine_results

ASYNC = """\
version: '2.0'
{name}:
  tasks:
    wait:
      action: std.async_noop
      publish:
        got: <% task().result %>
"""


def _running_action(api, ex_id):
    task = api.tasks(ex_id)["wait"]
    return api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"][0]


def test_result_without_its_workflow_id_still_completes_the_workflow(api, unique):
    ex_id = api.start_text(ASYNC.format(name="route_" + unique))
    action = _running_action(api, ex_id)
    # An executor that did not know the workflow execution sends None.
    engine_results.on_actions_complete([[action["id"], None, {"data": "late"}]])
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS"
    assert api.tasks(ex_id)["wait"]["published"] == '{"got": "late"}'


def test_result_addressed_to_another_workflow_is_not_applied_there(api, unique):
    ex_id = api.start_text(ASYNC.format(name="route_" + unique))
    other_id = api.start_text(ASYNC.format(name="other_" + unique))
    action = _running_action(api, ex_id)
    engine_results.on_actions_complete([[action["id"], other_id, {"data": "x"}]])
    assert api.get("/v2/action_executions/%s" % action["id"])["state"] == "RUNNING"
    for eid in (ex_id, other_id):
        assert api.get("/v2/executions/%s" % eid)["state"] == "RUNNING"
        api.put("/v2/executions/%s" % eid, {"state": "CANCELLED"})


def test_batched_after_commit_work_runs_once_per_key_and_not_on_rollback():
    calls = []
    with db_session.transaction():
        for i in range(3):
            db_session.after_commit_batch("k", i, calls.append)
        db_session.after_commit_batch("other", "x", calls.append)
    assert calls == [[0, 1, 2], ["x"]]
    calls.clear()
    try:
        with db_session.transaction():
            db_session.after_commit_batch("k", 1, calls.append)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert calls == []
    db_session.after_commit_batch("k", 5, calls.append)  # no transaction: at once
    assert calls == [[5]]
