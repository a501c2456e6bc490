"""A result the engine cannot store (a publish too big to encode) fails its task with
a clear state_info after a few attempts, and the executor stops sending it again."""

from mistral_svc.engine import recovery


def _poisoned(name):
    return """\
version: '2.0'
%s:
  tasks:
    big:
      action: std.echo output=1
      publish:
        huge: "{{ 10 ** 5000 }}"
      on-error: [handler]
    handler:
      action: std.noop
""" % name


def test_a_result_that_cannot_be_stored_fails_its_task(api, unique):
    name = "poison_%s" % unique
    ex = api.run(_poisoned(name))
    tasks = api.tasks(ex["id"])
    big = tasks["big"]
    assert big["state"] == "ERROR", big
    assert "cannot be stored" in big["state_info"], big["state_info"]
    assert "published" in big["state_info"]
    assert "handler" in tasks and ex["state"] == "SUCCESS", ex
    [action] = api.get("/v2/tasks/%s/action_executions" % big["id"])["action_executions"]
    assert action["state"] == "ERROR"
    # Settled: an executor asking whether to send it again is told not to.
    assert recovery.report_actions("exec-1", [], [action["id"]]) == {"resend": []}
