"""A request from one execution to another (here a parent's pause reaching its
sub-workflow) whose message was lost is applied all the same, from the record its
step wrote; applied normally, the record goes."""

from mistral_svc import config
from mistral_svc.db import api as db_api, models
from mistral_svc.rpc import clients
from tests.waiting import wait_for

CONF = config.CONF


def _workflows(unique):
    parent, child = "cascade_parent_%s" % unique, "cascade_child_%s" % unique
    return parent, """\
version: '2.0'
%s:
  tasks:
    sub:
      workflow: %s
%s:
  tasks:
    wait:
      action: std.async_noop
""" % (parent, child, child)


def _child(api, ex_id):
    task = api.tasks(ex_id)["sub"]
    found = api.get("/v2/executions?task_execution_id=%s" % task["id"])["executions"]
    return found[0] if found else None


def _cascade_jobs():
    t = models.ScheduledJob
    with db_api.transaction(read_only=True) as session:
        return session.query(t).filter(t.func_name == "cascade").count()


def test_a_lost_pause_reaches_the_sub_workflow_from_its_record(api, unique, monkeypatch):
    parent, text = _workflows(unique)
    api.create_workflow(text)
    ex_id = api.start(parent)["id"]
    child = wait_for(lambda: (lambda c: c if c and c["state"] == "RUNNING" else None)(
        _child(api, ex_id)), 10)
    real_cast = clients.EngineClient.cast
    monkeypatch.setattr(clients.EngineClient, "cast", lambda self, method, ctx=None, **kw: (
        None if method == "pause_workflow" else real_cast(self, method, ctx, **kw)))
    CONF.set_override("recovery_interval", 0.2, group="engine")
    try:
        api.put("/v2/executions/%s" % ex_id, {"state": "PAUSED"})
        assert api.get("/v2/executions/%s" % child["id"])["state"] == "RUNNING"
        wait_for(lambda: api.get("/v2/executions/%s" % child["id"])["state"] == "PAUSED",
                 10, message="the lost pause was not applied")
        wait_for(lambda: _cascade_jobs() == 0, 10)  # handed over: the job goes
        monkeypatch.setattr(clients.EngineClient, "cast", real_cast)
        # Delivered as usual, a request leaves no record behind.
        api.put("/v2/executions/%s" % ex_id, {"state": "RUNNING"})
        wait_for(lambda: api.get("/v2/executions/%s" % child["id"])["state"] == "RUNNING",
                 10)
        wait_for(lambda: _cascade_jobs() == 0, 10)
    finally:
        CONF.clear_override("recovery_interval", group="engine")
        api.put("/v2/executions/%s" % ex_id, {"state": "CANCELLED"})
