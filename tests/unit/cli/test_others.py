"""cron-trigger-*, environment-*, member-*, event-trigger-* and service-list commands."""

import datetime
import json

WF_ID = "9b719d62-2ced-47d3-b500-73261bb0b2ad"
CRON = {
    "id": "c1",
    "name": "nightly",
    "workflow_name": "my_wf",
    "workflow_params": "{}",
    "workflow_input": '{"x": 1}',
    "pattern": "* * * * *",
    "next_execution_time": "2024-01-02 03:05:00",
    "remaining_executions": 5,
    "created_at": "2024-01-02 03:04:05",
    "updated_at": None,
}


def test_cron_trigger_create(fake, run):
    fake.route("POST", "/cron_triggers", CRON, status=201)
    code, out, _ = run(
        "cron-trigger-create", "--pattern", "* * * * *", "--count", "5",
        "--first-time", "2030-01-01 10:00", "--utc", "nightly", "my_wf", '{"x": 1}',
    )
    assert code == 0
    body = fake.only()["json"]
    assert body == {
        "name": "nightly",
        "workflow_name": "my_wf",
        "pattern": "* * * * *",
        "first_execution_time": "2030-01-01 10:00",
        "remaining_executions": 5,
        "workflow_input": '{"x": 1}',
    }
    lines = [line.split("|")[1].strip() for line in out.splitlines() if line.startswith("|")]
    assert lines == [
        "Field", "Name", "Workflow", "Params", "Pattern", "Next execution time",
        "Remaining executions", "Created at", "Updated at",
    ]


def test_cron_trigger_create_local_time_and_id(fake, run):
    fake.route("POST", "/cron_triggers", CRON, status=201)
    code, _, _ = run("cron-trigger-create", "t", WF_ID, "--first-time", "2030-01-01 10:00",
                     "--params", '{"env": {"a": 1}}')
    assert code == 0
    body = fake.only()["json"]
    expected = (
        datetime.datetime(2030, 1, 1, 10, 0).astimezone(datetime.timezone.utc)
        .strftime("%Y-%m-%d %H:%M")
    )
    assert body["first_execution_time"] == expected
    assert body["workflow_id"] == WF_ID and "workflow_name" not in body
    assert json.loads(body["workflow_params"]) == {"env": {"a": 1}}
    assert body["pattern"] is None and body["remaining_executions"] is None


def test_cron_trigger_bad_first_time_fails_before_request(fake, run):
    code, _, err = run("cron-trigger-create", "t", "wf", "--first-time", "tomorrow")
    assert code == 1 and "YYYY-MM-DD HH:MM" in err
    assert fake.requests == []


def test_cron_trigger_list_get_delete(fake, run):
    fake.route("GET", "/cron_triggers", {"cron_triggers": [CRON]})
    code, out, _ = run("cron-trigger-list", "-f", "json")
    assert code == 0 and json.loads(out)[0]["Remaining executions"] == 5
    assert fake.only()["query"]["fields"] == (
        "name,workflow_name,workflow_params,pattern,next_execution_time,"
        "remaining_executions,created_at,updated_at"
    )
    fake.route("GET", "/cron_triggers/nightly", CRON)
    assert json.loads(run("cron-trigger-get", "nightly", "-f", "json")[1])["Params"] == "{}"
    fake.route("DELETE", "/cron_triggers/nightly", None, status=204)
    code, out, _ = run("cron-trigger-delete", "nightly")
    assert code == 0 and "Request to delete cron trigger nightly has been accepted." in out


ENV = {
    "name": "env1",
    "description": None,
    "variables": '{"region": "r1", "n": 2}',
    "scope": "private",
    "created_at": "2024-01-02 03:04:05",
    "updated_at": None,
}


def test_environment_create_from_yaml(fake, run, tmp_path):
    env_file = tmp_path / "env.yaml"
    env_file.write_text("name: env1\nvariables:\n  region: r1\n  n: 2\n")
    fake.route("POST", "/environments", ENV, status=201)
    code, out, _ = run("environment-create", str(env_file), "-f", "json")
    assert code == 0
    body = fake.only()["json"]
    assert body["name"] == "env1"
    assert json.loads(body["variables"]) == {"region": "r1", "n": 2}
    data = json.loads(out)
    assert list(data) == ["Name", "Description", "Variables", "Scope", "Created at",
                          "Updated at"]
    assert data["Description"] == "<none>"
    assert json.loads(data["Variables"]) == {"region": "r1", "n": 2}


def test_environment_create_invalid_file_fails_before_request(fake, run, tmp_path):
    env_file = tmp_path / "env.yaml"
    env_file.write_text("variables: {a: 1}\n")
    code, _, err = run("environment-create", str(env_file))
    assert code == 1 and 'missing field "name"' in err
    assert fake.requests == []


def test_environment_list_get_export_update(fake, run, tmp_path):
    fake.route("GET", "/environments", {"environments": [ENV]})
    rows = json.loads(run("environment-list", "-f", "json")[1])
    assert list(rows[0]) == ["Name", "Description", "Scope", "Created at", "Updated at"]
    fake.route("GET", "/environments/env1", ENV)
    data = json.loads(run("environment-get", "env1", "--export", "-f", "json")[1])
    assert data == {"name": "env1", "description": None, "scope": "private",
                    "variables": '{"region": "r1", "n": 2}'}
    env_file = tmp_path / "env.json"
    env_file.write_text('{"name": "env1", "description": "d"}')
    fake.route("PUT", "/environments", ENV)
    code, _, _ = run("environment-update", str(env_file))
    assert code == 0 and fake.requests[-1]["json"] == {"name": "env1", "description": "d"}


MEMBER = {
    "id": "m1",
    "resource_id": "wf1",
    "resource_type": "workflow",
    "project_id": "owner",
    "member_id": "other",
    "status": "pending",
    "created_at": "2024-01-02 03:04:05",
    "updated_at": None,
}
MEMBER_HEADINGS = ["Resource ID", "Resource Type", "Resource Owner", "Member ID", "Status",
                   "Created at", "Updated at"]


def test_member_commands(fake, run):
    fake.route("POST", "/workflows/wf1/members", MEMBER, status=201)
    code, out, _ = run("member-create", "wf1", "workflow", "other", "-f", "json")
    assert code == 0 and list(json.loads(out)) == MEMBER_HEADINGS
    assert fake.requests[-1]["json"] == {"member_id": "other"}

    fake.route("GET", "/workflows/wf1/members", {"members": [MEMBER]})
    assert json.loads(run("member-list", "wf1", "workflow", "-f", "json")[1])[0][
        "Resource Owner"] == "owner"

    fake.route("GET", "/workflows/wf1/members/%3Cdefault-project%3E", MEMBER)
    code, _, _ = run("member-get", "wf1", "workflow")
    assert code == 0

    fake.route("PUT", "/workflows/wf1/members/other", dict(MEMBER, status="accepted"))
    code, out, _ = run("member-update", "wf1", "workflow", "-m", "other")
    assert code == 0 and fake.requests[-1]["json"] == {"status": "accepted"}

    fake.route("DELETE", "/workflows/wf1/members/other", None, status=204)
    code, out, _ = run("member-delete", "wf1", "workflow", "other")
    assert code == 0 and "Request to delete workflow member other has been accepted." in out


ET = {
    "id": "e1",
    "name": "on_event",
    "workflow_id": WF_ID,
    "workflow_params": "{}",
    "workflow_input": "{}",
    "exchange": "nova",
    "topic": "notifications",
    "event": "compute.instance.create.end",
    "created_at": "2024-01-02 03:04:05",
}


def test_event_trigger_commands(fake, run):
    fake.route("POST", "/event_triggers", ET, status=201)
    code, out, _ = run("event-trigger-create", "on_event", WF_ID, "nova", "notifications",
                       "compute.instance.create.end", '{"a": 1}', "--params", '{"b": 2}',
                       "-f", "json")
    assert code == 0
    assert list(json.loads(out)) == ["ID", "Name", "Workflow ID", "Params", "Exchange",
                                     "Topic", "Event", "Created at", "Updated at"]
    body = fake.only()["json"]
    assert body["exchange"] == "nova" and body["event"] == "compute.instance.create.end"
    assert json.loads(body["workflow_input"]) == {"a": 1}
    assert json.loads(body["workflow_params"]) == {"b": 2}

    fake.route("GET", "/event_triggers", {"event_triggers": [ET]})
    assert "on_event" in run("event-trigger-list")[1]
    fake.route("DELETE", "/event_triggers/e1", None, status=204)
    assert run("event-trigger-delete", "e1")[0] == 0


def test_service_list(fake, run):
    fake.route("GET", "/services", {"services": [
        {"name": "host_1", "type": "engine_group"},
        {"name": "host_2", "type": "executor_group"},
    ]})
    code, out, _ = run("service-list")
    assert code == 0
    assert "| Name   | Type           |" in out
    assert "| host_2 | executor_group |" in out
    assert fake.only()["query"] == {}
