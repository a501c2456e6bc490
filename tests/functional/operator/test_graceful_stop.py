"""SIGTERM of the embedded default mid-workflow, then a restart on the same state: the
running action finishes and its result is stored, the next task, sent while the
executor was already stopping, is neither lost nor failed, and the workflow ends
SUCCESS with each task's action run once."""

import json
import shutil
import signal

from tests.functional.server_fixture import Server, unique
from tests.waiting import wait_for as _wait

WORKFLOW = """\
version: '2.0'
{name}:
  tasks:
    nap:
      action: std.sleep seconds=2
      on-success:
        - done
    done:
      action: std.echo output="done"
      publish:
        out: <% task().result %>
"""


def test_sigterm_mid_workflow_then_restart_finishes_it():
    server = Server()
    try:
        server.start()
        name = unique("graceful")
        server.create_workflows(WORKFLOW.format(name=name))
        ex = server.start_execution(name)

        def nap_running():
            actions = server.api("GET", "/action_executions")
            return [a for a in actions["action_executions"]
                    if a["workflow_name"] == name and a["state"] == "RUNNING"]

        _wait(nap_running, 30)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(30) == 0, server.log_tail()
        server.process = None
        server.start()  # the same state directory and port
        done = _wait(lambda: (lambda e: e if e["state"] != "RUNNING" else None)(
            server.api("GET", "/executions/%s" % ex["id"])), 60)
        assert done["state"] == "SUCCESS", (done["state_info"], server.log_tail())
        assert json.loads(done["output"]) == {"out": "done"}
        actions = server.api("GET", "/action_executions")
        assert sorted((a["name"], a["state"]) for a in actions["action_executions"]
                      if a["workflow_name"] == name) == [
            ("std.echo", "SUCCESS"), ("std.sleep", "SUCCESS")]
    finally:
        if server.process is not None:
            server.process.kill()
            server.process.wait()
        shutil.rmtree(server.state_dir, ignore_errors=True)

