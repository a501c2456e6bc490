"""Crash safety under load: services killed with SIGKILL while executions run.

Two engines, two executors, two schedulers and one API run over RabbitMQ and one
database (PostgreSQL, then MariaDB). ``N`` executions of ``chaos`` (a chain, a fork into
three branches joined by ``join: all``, a with-items task at concurrency 2, a task
delayed by ``wait-before`` so that the scheduler is involved) are started at a steady
pace over ``START_SECONDS``; meanwhile each kind of service (engine, executor,
scheduler, API) is killed with SIGKILL three times, in a random order and at random
moments (seeded; the seed is printed), a random one of its processes each time, and
restarted 1-2 s later.

Why N = 60 over 30 s: on a two-core machine running the seven services, RabbitMQ and
the database, two executions a second keep every service busy through each of the
twelve kills, with executions at every stage of the workflow each time, and one
database's run stays around a minute. More would only lengthen the run.

Every task but one has ``safe-rerun: true``; ``once`` has not, and its action is a GET
of a counter served by this test, so every real run of it is counted, whatever the
database says. Asserted, once every execution ended:

- all N executions exist and none is left behind: no workflow, task or action
  execution in a non-final state, no scheduled job left. (A start the API answered
  with 503 is sent again only after a lookup by description found nothing for 10 s;
  should it still have been carried out late, both copies are checked like the rest
  and ``started_twice_by_client`` counts them.)
- each execution succeeded, with the output, the task states and the number of action
  executions (all, and accepted ones) per task of a crash-free run of the same
  workflow made first, before any kill; the crash-free outputs match the same formula;
- ``once`` ran exactly once per execution: one action execution, one GET seen. An
  engine that died between committing its action execution and sending it, or a
  message lost with a killed process, leaves it unacknowledged, and it is sent again
  (never failed); so is one still waiting for a worker of a killed executor, since
  an executor acknowledges an action only as it starts it. Only an executor killed
  while running it fails it ("stopped responding": nobody can tell whether it ran);
  such an execution is reported as ``failed_while_running``, must show at most one
  run and must follow an executor's kill.

Figures (printed, and written to ``chaos-<database>.json`` in the deployment's
directory): finished, stuck, action re-runs and re-sends, results re-sent by
executors, actions failed by recovery, the slowest execution against the crash-free
one, and the time from the last restart until every execution had finished.
"""

import random
import time

import pytest

from tests.integration import chaos
from tests.integration.conftest import deployed

N = 60
START_SECONDS = 30
BASELINE = 3
KILL_ORDER = ("engine", "executor", "scheduler", "api")
KILLS_PER_KIND = 3
TOPOLOGY = {"engine": 2, "executor": 2, "scheduler": 2, "api": 1}
STOPPED_RESPONDING = "stopped responding"

# 16 RPC handler threads per service instead of oslo.messaging's 64: each handler may
# hold a database connection, and the seven services then fit well inside PostgreSQL's
# default 100 connections even when other tests share the server.
CONFIG = """\
[DEFAULT]
executor_thread_pool_size = 16
[api]
rpc_timeout = 10
[engine]
action_ack_timeout = 4
action_heartbeat_timeout = 6
recovery_interval = 2
[executor]
heartbeat_interval = 1
workers = 32
[scheduler]
pickup_job_after = 5
[action_std_http]
# The counting server listens on loopback, which std.http refuses by default.
denied_cidrs =
"""

WORKFLOW = """\
version: '2.0'
chaos:
  input:
    - n
    - counter
  output:
    first: <% $.first %>
    once: <% $.once %>
    left: <% $.left %>
    right: <% $.right %>
    items: <% $.items %>
    last: <% $.last %>
  tasks:
    first:
      action: std.echo output=<% $.n %>
      safe-rerun: true
      publish:
        first: <% task().result %>
      on-success:
        - nap
    nap:
      action: std.sleep seconds=0.5
      safe-rerun: true
      on-success:
        - once
    once:
      action: std.http url=<% $.counter + '/' + execution().id %>
      publish:
        once: <% task().result.content.run %>
      on-success:
        - left
        - right
        - items
    left:
      wait-before: 1
      action: std.echo output=<% $.first * 2 %>
      safe-rerun: true
      publish:
        left: <% task().result %>
      on-success:
        - last
    right:
      action: std.echo output=<% $.first + 1 %> delay=0.5
      safe-rerun: true
      publish:
        right: <% task().result %>
      on-success:
        - last
    items:
      with-items: i in <% [1, 2, 3, 4] %>
      concurrency: 2
      action: std.echo output=<% $.first * 10 + $.i %>
      safe-rerun: true
      publish:
        items: <% task().result %>
      on-success:
        - last
    last:
      join: all
      action: std.echo output=<% $.left + $.right + $.first %>
      safe-rerun: true
      publish:
        last: <% task().result %>
"""

BEFORE_ONCE = ("first", "nap")


def expected_output(n):
    return {"first": n, "once": 1, "left": 2 * n, "right": n + 1,
            "items": [10 * n + i for i in (1, 2, 3, 4)], "last": 4 * n + 1}


@pytest.fixture(params=["postgresql", "mariadb"])
def chaos_deployment(request):
    with deployed(request.param, extra=CONFIG) as dep:
        dep.kind = request.param
        yield dep


class Shape:
    """What the database holds about a set of executions, per execution."""

    def __init__(self, db, prefix):
        self.executions = db.executions(prefix)
        ids = {e["id"] for e in self.executions}
        self.tasks = {}
        for t in db.tasks():
            if t["workflow_execution_id"] in ids:
                self.tasks.setdefault(t["workflow_execution_id"], {})[t["name"]] = t
        self.actions = {}
        for a in db.actions():
            if a["workflow_execution_id"] in ids:
                self.actions.setdefault(a["task_execution_id"], []).append(a)

    def signature(self, wf_ex_id):
        """{task name: (state, action executions, accepted ones)}."""
        out = {}
        for name, t in self.tasks.get(wf_ex_id, {}).items():
            rows = self.actions.get(t["id"], [])
            out[name] = (t["state"], len(rows), sum(1 for a in rows if a["accepted"]))
        return out


def _kill_and_restart(cluster, rng, dep):
    """Kill each kind ``KILLS_PER_KIND`` times, in a random order, and restart each
    victim 1-2 s later."""
    kinds = [k for k in KILL_ORDER for _ in range(KILLS_PER_KIND)]
    rng.shuffle(kinds)
    for kind in kinds:
        time.sleep(rng.uniform(0.5, 1.5))
        event = cluster.kill(kind, rng)
        time.sleep(rng.uniform(1.0, 2.0))
        cluster.start(kind)
        event["restarted_at"] = time.monotonic()
        # Not waiting for a restarted API: the client retries meanwhile, and the kills
        # go on at the pace of the starts.


def _is_explained_failure(shape, ex, counter):
    """``once`` failed because the executor running it was killed (see above)."""
    tasks = shape.tasks.get(ex["id"], {})
    once = tasks.get("once")
    if ex["state"] != "ERROR" or once is None or once["state"] != "ERROR":
        return False
    rows = shape.actions.get(once["id"], [])
    return (STOPPED_RESPONDING in (once["state_info"] or "")
            and len(rows) == 1 and rows[0]["state"] == "ERROR"
            and counter.hits(ex["id"]) <= 1
            and set(tasks) == set(BEFORE_ONCE) | {"once"}
            and all(tasks[name]["state"] == "SUCCESS" for name in BEFORE_ONCE))


def _explain(shape, ex, counter, events):
    """Which kill ``once``'s failed action followed, and whether it had run."""
    once = shape.tasks[ex["id"]]["once"]
    [action] = shape.actions[once["id"]]
    later = [e for e in events if e["killed_utc"] >= action["created_at"]]
    return {"id": ex["id"], "ran": counter.hits(ex["id"]),
            "next_kill": later[0]["kind"] if later else None,
            "created_before_kill_s": round(
                (later[0]["killed_utc"] - action["created_at"]).total_seconds(), 2)
            if later else None}


def test_sigkill_of_every_service_kind_loses_and_repeats_nothing(chaos_deployment):
    dep = chaos_deployment
    seed = random.randrange(1 << 30)
    print("\nchaos seed (%s): %d" % (dep.kind, seed))
    rng = random.Random(seed)
    counter = chaos.Counter()
    db = chaos.Database(dep.db_url)
    cluster = chaos.Cluster(dep)
    try:
        for kind, count in TOPOLOGY.items():
            cluster.start(kind, count)
        dep.wait_api()
        cluster.wait_members(TOPOLOGY)
        chaos.post_workflow(dep.url, WORKFLOW)

        # The crash-free reference: the same workflow, nothing killed.
        base = chaos.Starter(dep.url, "chaos", [
            {"n": 1000 + i, "counter": counter.url} for i in range(BASELINE)], 0, "base")
        base.run()
        assert base.error is None, base.error
        assert chaos.wait_for(lambda: db.state_counts("base").get("SUCCESS") == BASELINE,
                              60), dep.logs()
        ref = Shape(db, "base")
        reference = None
        for ex in ref.executions:
            n = ex["input"]["n"]
            assert ex["state"] == "SUCCESS" and ex["output"] == expected_output(n), ex
            assert counter.hits(ex["id"]) == 1
            reference = reference or ref.signature(ex["id"])
            assert ref.signature(ex["id"]) == reference
        base_seconds = max((e["updated_at"] - e["created_at"]).total_seconds()
                           for e in ref.executions)

        began = time.monotonic()
        starter = chaos.Starter(dep.url, "chaos", [
            {"n": i, "counter": counter.url} for i in range(N)], START_SECONDS, "chaos")
        starter.start()
        _kill_and_restart(cluster, rng, dep)
        starter.join(timeout=180)
        assert not starter.is_alive() and starter.error is None, starter.error
        last_restart = cluster.events[-1]["restarted_at"]

        def all_finished():
            counts = db.state_counts("chaos")
            done = sum(counts.get(s, 0) for s in chaos.FINISHED)
            return counts if done >= N else None

        finished = chaos.wait_for(all_finished, 120, interval=0.5)
        recovered_after = time.monotonic() - last_restart
        counts = db.state_counts("chaos")
        unfinished = chaos.wait_for(
            lambda: (lambda u: u if not any(u.values()) else None)(db.unfinished()), 15)
        unfinished = unfinished or db.unfinished()

        shape = Shape(db, "chaos")
        by_description = {}
        for ex in shape.executions:
            by_description.setdefault(ex["description"], []).append(ex)
        explained, wrong = [], []
        for ex in shape.executions:
            n = ex["input"]["n"]
            if (ex["state"] == "SUCCESS" and ex["output"] == expected_output(n)
                    and shape.signature(ex["id"]) == reference
                    and counter.hits(ex["id"]) == 1):
                continue
            if _is_explained_failure(shape, ex, counter):
                explained.append(_explain(shape, ex, counter, cluster.events))
                continue
            wrong.append({"id": ex["id"], "n": n, "state": ex["state"],
                          "state_info": (ex["state_info"] or "")[:300],
                          "output": ex["output"], "runs_of_once": counter.hits(ex["id"]),
                          "tasks": shape.signature(ex["id"])})
        once_runs = [counter.hits(ex["id"]) for ex in shape.executions]
        reruns = sum((a["runtime_context"] or {}).get("reruns", 0)
                     for rows in shape.actions.values() for a in rows)
        resends = sum((a["runtime_context"] or {}).get("resends", 0)
                      for rows in shape.actions.values() for a in rows)
        slowest = max(((e["updated_at"] - e["created_at"]).total_seconds()
                       for e in shape.executions), default=0)
        figures = {
            "database": dep.kind,
            "seed": seed,
            "executions": N,
            "finished": sum(counts.get(s, 0) for s in chaos.FINISHED),
            "succeeded": counts.get("SUCCESS", 0),
            "stuck": N - sum(counts.get(s, 0) for s in chaos.FINISHED),
            "left_unfinished": unfinished,
            "as_crash_free": len(shape.executions) - len(explained) - len(wrong),
            "failed_while_running": len(explained),
            "failed_while_running_detail": explained,
            "wrong": len(wrong),
            "action_reruns": reruns,
            "actions_sent_again_unacknowledged": resends,
            "results_resent_by_executors": chaos.log_lines(
                dep, "sending the result of action execution"),
            "actions_failed_by_recovery": chaos.log_lines(
                dep, "failing lost action execution"),
            "once_ran_twice": sum(1 for r in once_runs if r > 1),
            "start_retries": starter.retries,
            # A request the API gave up on (503) may still have been carried out late:
            # the client then started that execution twice. Both must be right.
            "started_twice_by_client": sum(len(v) - 1 for v in by_description.values()),
            "kills": [{"kind": e["kind"],
                       "at_s": round(e["killed_at"] - began, 1),
                       "down_s": round(e["restarted_at"] - e["killed_at"], 1)}
                      for e in cluster.events],
            "run_seconds": round(time.monotonic() - began, 1),
            "recovered_after_last_restart_s": round(recovered_after, 1),
            "slowest_execution_s": round(slowest, 1),
            "crash_free_execution_s": round(base_seconds, 1),
        }
        chaos.write_figures(dep, "chaos-%s.json" % dep.kind, figures)

        assert finished, "executions left unfinished: %s\n%s" % (counts, dep.logs())
        assert sorted(by_description) == sorted("chaos-%d" % i for i in range(N))
        assert not any(unfinished.values()), unfinished
        assert figures["once_ran_twice"] == 0, figures
        assert not wrong, "executions unlike the crash-free run: %s" % wrong[:5]
        # Only the death of the executor running it can fail such an action: one that
        # was committed and never sent, or lost on its way, is sent again.
        assert all(x["next_kill"] == "executor" for x in explained), explained
        assert figures["succeeded"] + len(explained) == N, figures
    finally:
        counter.close()
        db.close()
