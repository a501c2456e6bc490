"""Expressions built to eat memory or time fail their task with a state_info naming the
bound; the service and other executions carry on."""

import resource
import time

import pytest

from mistral_svc import config

TIMEOUT = 1.0


@pytest.fixture(scope="module", autouse=True)
def small_bounds(service):
    config.CONF.set_override("memory_quota", 32 * 1024 * 1024, group="yaql")
    config.CONF.set_override("evaluation_timeout", TIMEOUT, group="expressions")
    config.apply_expression_limits()
    yield
    config.CONF.clear_override("memory_quota", group="yaql")
    config.CONF.clear_override("evaluation_timeout", group="expressions")
    config.apply_expression_limits()


def _start(api, name, expression, where="input"):
    if where == "input":
        task = "      action: std.echo\n      input:\n        output: \"%s\"\n" % expression
    else:
        task = ("      action: std.noop\n      publish:\n        big: \"%s\"\n" % expression)
    api.create_workflow("version: '2.0'\n%s:\n  tasks:\n    t:\n%s" % (name, task))
    return api.start(name)["id"]


@pytest.mark.parametrize("expression, where, bound", [
    ("{{ 'x'.ljust(300000000) }}", "input", "would allocate more than"),
    ("{{ (['x' * 1000000] * 300) | join }}", "publish", "would allocate more than"),
    ("{% for i in range(8000) %}{% for j in range(8000) %}{{ i }}{% endfor %}{% endfor %}",
     "input", "took longer than 1 seconds"),
    ("<% range(400000000).len() %>", "publish", "took longer than 1 seconds"),
    ("<% pow(10, 5000000) > 1 %>", "input", "an integer of more than"),
])
def test_a_bound_hit_fails_the_task_clearly(api, unique, expression, where, bound):
    started = time.monotonic()
    ex = api.wait(_start(api, "wf_" + unique, expression, where), timeout=60)
    assert ex["state"] == "ERROR"
    task = api.tasks(ex["id"])["t"]
    assert task["state"] == "ERROR"
    assert bound in task["state_info"]
    assert time.monotonic() - started < 30
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024 * 1024  # KiB


def test_other_executions_and_a_cancel_are_not_held_back(api, unique):
    slow = _start(api, "wf_slow_" + unique, "<% range(400000000).len() %>", "publish")
    started = time.monotonic()
    quick = api.run("version: '2.0'\nwf_quick_%s:\n  tasks:\n    t:\n      action: std.noop\n"
                    % unique)
    assert quick["state"] == "SUCCESS"
    assert time.monotonic() - started < TIMEOUT + 10
    api.put("/v2/executions/%s" % slow, {"state": "CANCELLED"}, status=(200, 400, 409))
    assert api.wait(slow, timeout=30)["state"] in ("ERROR", "CANCELLED")
