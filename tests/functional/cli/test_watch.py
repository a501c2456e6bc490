"""execution-watch and execution-create --wait against a running server."""

import threading

from tests.functional import scenarios
from tests.functional.server_fixture import unique


def test_watch_follows_a_running_execution_to_success(mistral, mistral_server):
    name = unique("watched")
    mistral_server.create_workflows(scenarios.waits(name))
    ex = mistral_server.start_execution(name)
    (task,) = mistral_server.tasks(ex["id"]).values()
    action_ex = mistral_server.api("GET", "/tasks/%s/action_executions"
                                   % task["id"])["action_executions"][0]

    # Completed from outside while the watch is already polling.
    timer = threading.Timer(1.0, mistral_server.api, args=(
        "PUT", "/action_executions/%s" % action_ex["id"]),
        kwargs={"json": {"state": "SUCCESS", "output": '{"result": 1}'}})
    timer.start()
    try:
        result = mistral("execution-watch", ex["id"], "--interval", "0.1")
    finally:
        timer.join()
    assert ex["id"] in result.out
    assert "SUCCESS" in result.out
    assert "hold" in result.out
    assert "1/1 finished" in result.out
    assert "Tasks: 1  SUCCESS 1" in result.out


def test_watch_of_a_failed_execution_exits_non_zero(mistral, mistral_server):
    name = unique("fails")
    mistral_server.create_workflows(scenarios.failing(name))
    ex = mistral_server.start_execution(name)
    mistral_server.wait_execution(ex["id"])
    result = mistral("execution-watch", ex["id"], expect=1)
    assert "ERROR" in result.out


def test_watch_gives_up_at_the_timeout(mistral, mistral_server):
    name = unique("holds")
    mistral_server.create_workflows(scenarios.waits(name))
    ex = mistral_server.start_execution(name)
    result = mistral("execution-watch", ex["id"], "--timeout", "0.3", "--interval", "0.1",
                     expect=2)
    assert "Timed out after 0.3s; the execution is still RUNNING." in result.out
    mistral_server.api("PUT", "/executions/%s" % ex["id"], json={"state": "CANCELLED"})


def test_create_wait_shows_the_finished_execution(mistral, mistral_server):
    name = unique("waited")
    mistral_server.create_workflows(scenarios.hello(name))
    result = mistral("execution-create", name, '{"who": "Bo"}', "--wait", "-f", "json")
    assert result.json["State"] == "SUCCESS"
    assert "2/2 finished" in result.err

    failing = unique("waited_fail")
    mistral_server.create_workflows(scenarios.failing(failing))
    result = mistral("execution-create", failing, "--wait", "-f", "json", expect=1)
    assert result.json["State"] == "ERROR"
