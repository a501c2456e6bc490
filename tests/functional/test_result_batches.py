"""Many results applied in one engine transaction give what one at a time would."""

import json
import time

from mistral_svc.engine import results as engine_results

BRANCHES = 6

FANOUT = """\
version: '2.0'
{name}:
  output:
    got: <% $.got %>
  tasks:
    start:
      action: std.noop
      on-success: [{branches}]
{branch_tasks}
    join:
      join: all
      action: std.noop
      publish:
        got: <% [{published}] %>
"""

BRANCH = """\
    b{i}:
      action: std.async_noop
      publish:
        v{i}: <% task().result %>
      on-success: join
"""


def _fanout(name):
    return FANOUT.format(
        name=name,
        branches=", ".join("b%d" % i for i in range(BRANCHES)),
        branch_tasks="".join(BRANCH.format(i=i) for i in range(BRANCHES)).rstrip("\n"),
        published=", ".join("$.v%d" % i for i in range(BRANCHES)),
    )


def _running_branches(api, ex_id):
    """``{task name: its running action execution}`` once every branch has started."""
    api.wait(ex_id, states=("RUNNING",))
    for _ in range(300):
        tasks = api.tasks(ex_id)
        branches = {n: t for n, t in tasks.items() if n.startswith("b")}
        if len(branches) == BRANCHES:
            break
        time.sleep(0.02)
    out = {}
    for name, task in branches.items():
        actions = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"]
        out[name] = actions[0]
    return out


def test_every_branch_result_in_one_batch_fires_the_join_once(api, unique):
    ex_id = api.start_text(_fanout("batch_" + unique))
    running = _running_branches(api, ex_id)
    batch = [[a["id"], ex_id, {"data": name}] for name, a in sorted(running.items())]
    batch.append(batch[0])  # a duplicate in the same batch changes nothing
    engine_results.on_actions_complete(batch)
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"got": ["b%d" % i for i in range(BRANCHES)]}
    tasks = api.tasks(ex_id)
    assert sorted(tasks) == sorted(["start", "join"] + ["b%d" % i for i in range(BRANCHES)])
    joins = api.get("/v2/executions/%s/tasks" % ex_id)["tasks"]
    assert [t["name"] for t in joins].count("join") == 1


def test_a_failed_branch_in_a_batch_fails_the_workflow(api, unique):
    ex_id = api.start_text(_fanout("batchfail_" + unique))
    running = _running_branches(api, ex_id)
    batch = [[a["id"], ex_id, {"data": name}] for name, a in sorted(running.items())]
    batch[2][2] = {"error": "branch broke"}
    engine_results.on_actions_complete(batch)
    ex = api.wait(ex_id)
    assert ex["state"] == "ERROR"
    assert "b2" in ex["state_info"]
    tasks = api.tasks(ex_id)
    assert tasks["b2"]["state"] == "ERROR"
    assert tasks["join"]["state"] == "ERROR"
    assert all(tasks["b%d" % i]["state"] == "SUCCESS" for i in range(BRANCHES) if i != 2)


ITEMS = """\
version: '2.0'
{name}:
  tasks:
    each:
      with-items: i in <% range(6) %>
      concurrency: 2
      action: std.async_noop
"""


def _item_states(api, ex_id):
    task = api.tasks(ex_id)["each"]
    actions = api.get("/v2/tasks/%s/action_executions" % task["id"])["action_executions"]
    return task, actions


def test_a_batch_of_item_results_starts_as_many_waiting_items(api, unique):
    ex_id = api.start_text(ITEMS.format(name="items_" + unique))
    for _ in range(300):
        task, actions = _item_states(api, ex_id)
        if len(actions) == 6:
            break
        time.sleep(0.02)
    done = 0
    while done < 6:
        running = [a for a in actions if a["state"] == "RUNNING"]
        assert len(running) == 2
        assert sum(a["state"] == "IDLE" for a in actions) == 6 - done - 2
        engine_results.on_actions_complete([[a["id"], ex_id, {"data": a["id"]}]
                                            for a in running])
        done += 2
        if done < 6:
            for _ in range(300):
                task, actions = _item_states(api, ex_id)
                if sum(a["state"] == "SUCCESS" for a in actions) == done:
                    break
                time.sleep(0.02)
    ex = api.wait(ex_id)
    assert ex["state"] == "SUCCESS"
    task, actions = _item_states(api, ex_id)
    assert [a["state"] for a in actions] == ["SUCCESS"] * 6
