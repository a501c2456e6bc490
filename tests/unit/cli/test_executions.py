"""execution-*, task-*, action-execution-* and run-action commands."""

import json

EX_ID = "49213eb5-196c-421f-b436-775849b55040"
WF_ID = "9b719d62-2ced-47d3-b500-73261bb0b2ad"
EX = {
    "id": EX_ID,
    "workflow_id": WF_ID,
    "workflow_name": "my_wf",
    "workflow_namespace": "",
    "description": "",
    "task_execution_id": None,
    "root_execution_id": None,
    "state": "SUCCESS",
    "state_info": None,
    "input": '{"names": ["John"]}',
    "output": '{"result": [1, 2]}',
    "params": '{"namespace": ""}',
    "published_global": '{"g": 1}',
    "created_at": "2024-01-02 03:04:05",
    "updated_at": "2024-01-02 03:04:17",
}
EX_HEADINGS = [
    "ID", "Workflow ID", "Workflow name", "Workflow namespace", "Description",
    "Task Execution ID", "Root Execution ID", "State", "State info", "Created at",
    "Updated at", "Duration",
]


def test_execution_create_sends_input_as_json_string(fake, run):
    fake.route("POST", "/executions", EX, status=201)
    code, out, _ = run("execution-create", "my_wf", '{"names": ["John"]}', "-d", "first")
    assert code == 0
    req = fake.only()
    assert req["content_type"] == "application/json"
    body = req["json"]
    assert body["workflow_name"] == "my_wf"
    assert body["description"] == "first"
    assert isinstance(body["input"], str)
    assert json.loads(body["input"]) == {"names": ["John"]}
    assert "params" not in body
    assert EX_ID in out and "Task Execution ID" in out


def test_execution_create_by_id_with_params_file(fake, run, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("env:\n  region: r1\n")
    fake.route("POST", "/executions", EX, status=201)
    code, _, _ = run("execution-create", WF_ID, "{}", str(params), "--namespace", "ns")
    assert code == 0
    body = fake.only()["json"]
    assert body["workflow_id"] == WF_ID and "workflow_name" not in body
    assert body["workflow_namespace"] == "ns"
    assert json.loads(body["params"]) == {"env": {"region": "r1"}}
    assert "input" not in body  # an empty input is not sent


def test_execution_create_bad_json_fails_before_request(fake, run):
    code, _, err = run("execution-create", "my_wf", "{not json")
    assert code == 1
    assert "Workflow input" in err and "not valid JSON" in err
    assert fake.requests == []


def test_execution_create_missing_input_file_fails_before_request(fake, run):
    code, _, err = run("execution-create", "my_wf", "input.json")
    assert code == 1
    assert "'input.json' is not an existing file" in err
    assert fake.requests == []


def test_execution_create_non_object_input_rejected(fake, run):
    code, _, err = run("execution-create", "my_wf", "[1, 2]")
    assert code == 1 and "must be a JSON object" in err
    assert fake.requests == []


def test_execution_get_columns(fake, run):
    fake.route("GET", f"/executions/{EX_ID}", EX)
    code, out, _ = run("execution-get", EX_ID, "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == EX_HEADINGS
    assert data["Task Execution ID"] == "<none>"
    assert data["Duration"] == "0:00:12"


def test_execution_list_newest_first_page_shown_oldest_first(fake, run):
    older = dict(EX, id="older", created_at="2024-01-01 00:00:00")
    # Asked for descending order, the server returns the newest first.
    fake.route("GET", "/executions", {"executions": [EX, older]})
    code, out, _ = run("execution-list", "-f", "json")
    assert code == 0
    assert [r["ID"] for r in json.loads(out)] == ["older", EX_ID]
    q = fake.only()["query"]
    assert q["sort_dirs"] == "desc" and q["limit"] == "100" and q["sort_keys"] == "created_at"
    assert "duration" not in q["fields"] and q["fields"].startswith("id,workflow_id,")


def test_execution_list_options(fake, run):
    fake.route("GET", "/executions", {"executions": []})
    code, out, _ = run(
        "execution-list", "--oldest", "--rootsonly", "--task", "t1", "--filter", "state=ERROR"
    )
    assert code == 0
    q = fake.only()["query"]
    assert q["sort_dirs"] == "asc"
    assert q["nulls"] == "root_execution_id"
    assert q["task_execution_id"] == "t1"
    assert q["state"] == "ERROR"
    assert "Workflow namespace" in out


def test_execution_get_input_output_published(fake, run):
    fake.route("GET", f"/executions/{EX_ID}", EX)
    assert run("execution-get-input", EX_ID)[1] == '{\n    "names": [\n        "John"\n    ]\n}\n'
    assert json.loads(run("execution-get-output", EX_ID)[1]) == {"result": [1, 2]}
    assert json.loads(run("execution-get-published", EX_ID)[1]) == {"g": 1}


def test_execution_update(fake, run):
    fake.route("PUT", f"/executions/{EX_ID}", dict(EX, state="PAUSED"))
    code, out, _ = run("execution-update", EX_ID, "-s", "PAUSED", "-e", "a: 1")
    assert code == 0
    body = fake.only()["json"]
    assert body == {"state": "PAUSED", "params": {"env": {"a": 1}}}
    assert "PAUSED" in out


def test_execution_update_bad_state_is_usage_error(fake, run):
    code, _, err = run("execution-update", EX_ID, "-s", "BOGUS")
    assert code == 2 and "invalid choice" in err
    assert fake.requests == []


def test_execution_delete_force(fake, run):
    fake.route("DELETE", f"/executions/{EX_ID}", None, status=204)
    code, out, _ = run("execution-delete", EX_ID, "--force")
    assert code == 0
    assert fake.only()["query"] == {"force": "true"}
    assert f"Request to delete execution {EX_ID} has been accepted." in out


def test_execution_report(fake, run):
    report = {
        "statistics": {
            "success_tasks_count": 1, "error_tasks_count": 1, "running_tasks_count": 0,
            "idle_tasks_count": 0, "paused_tasks_count": 0,
        },
        "root_workflow_execution": {
            "id": EX_ID, "name": "my_wf", "state": "ERROR",
            "task_executions": [{
                "id": "t1", "name": "task1", "state": "ERROR", "state_info": "boom\nbang",
                "action_executions": [
                    {"id": "a1", "name": "std.fail", "state": "ERROR", "state_info": "boom"}
                ],
            }],
        },
    }
    fake.route("GET", f"/executions/{EX_ID}/report", report)
    code, out, _ = run("execution-get-report", EX_ID, "--max-depth", "2")
    assert code == 0
    assert fake.only()["query"] == {"max_depth": "2", "errors_only": "true"}
    assert "Number of tasks in ERROR state: 1" in out
    assert f"workflow 'my_wf' [ERROR] {EX_ID}" in out
    assert "    task 'task1' [ERROR] t1" in out
    assert "    (error info: boom bang...)" in out
    assert "        action 'std.fail' [ERROR] a1" in out


def test_execution_sub_executions(fake, run):
    fake.route("GET", f"/executions/{EX_ID}/executions", {"executions": [EX]})
    code, out, _ = run("execution-get-sub-executions", EX_ID, "--errors-only")
    assert code == 0
    assert fake.only()["query"] == {"max_depth": "-1", "errors_only": "true"}
    assert "Root Execution ID" in out


def test_server_error_prints_faultstring(fake, run):
    fake.route("GET", "/executions/nope",
               {"faultstring": "Execution not found [id=nope]", "debuginfo": None}, status=404)
    code, out, err = run("execution-get", "nope")
    assert code == 1
    assert "Execution not found [id=nope]" in err
    assert out == ""


TASK = {
    "id": "t1",
    "name": "task1",
    "workflow_name": "my_wf",
    "workflow_namespace": "",
    "workflow_execution_id": EX_ID,
    "state": "SUCCESS",
    "state_info": None,
    "result": '["Hello, John!"]',
    "published": '{"greeting": "hi"}',
    "created_at": "2024-01-02 03:04:05",
    "started_at": "2024-01-02 03:04:06",
    "finished_at": "2024-01-02 03:04:09",
}


def test_task_list_for_execution(fake, run):
    fake.route("GET", f"/executions/{EX_ID}/tasks", {"tasks": [TASK]})
    code, out, _ = run("task-list", EX_ID, "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == [
        "ID", "Name", "Workflow name", "Workflow namespace", "Workflow Execution ID",
        "State", "State info", "Created at", "Started at", "Finished at", "Duration",
    ]
    assert rows[0]["Duration"] == "0:00:03"


def test_task_result_published_rerun(fake, run):
    fake.route("GET", "/tasks/t1", TASK)
    assert json.loads(run("task-get-result", "t1")[1]) == ["Hello, John!"]
    assert json.loads(run("task-get-published", "t1")[1]) == {"greeting": "hi"}
    fake.route("PUT", "/tasks/t1", dict(TASK, state="RUNNING"))
    code, _, _ = run("task-rerun", "t1", "--resume", "-e", '{"k": "v"}')
    assert code == 0
    body = fake.requests[-1]["json"]
    assert body["state"] == "RUNNING" and body["reset"] is False and body["id"] == "t1"
    assert json.loads(body["env"]) == {"k": "v"}


def test_task_sub_executions(fake, run):
    fake.route("GET", "/tasks/t1/executions", {"executions": []})
    code, _, _ = run("task-get-sub-executions", "t1")
    assert code == 0
    assert fake.only()["query"] == {"max_depth": "-1", "errors_only": "false"}


A_EX = {
    "id": "a1",
    "name": "std.echo",
    "workflow_name": "my_wf",
    "workflow_namespace": "",
    "task_name": "task1",
    "task_execution_id": "t1",
    "state": "SUCCESS",
    "state_info": None,
    "accepted": True,
    "input": '{"output": "hi"}',
    "output": '{"result": "hi"}',
    "created_at": "2024-01-02 03:04:05",
    "updated_at": None,
}


def test_action_execution_list_omits_state_info(fake, run):
    fake.route("GET", "/tasks/t1/action_executions", {"action_executions": [A_EX]})
    code, out, _ = run("action-execution-list", "t1", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0]) == [
        "ID", "Name", "Workflow name", "Workflow namespace", "Task name", "Task ID", "State",
        "Accepted", "Created at", "Updated at",
    ]
    assert rows[0]["Updated at"] == "<none>"
    fake.route("GET", "/action_executions/a1", A_EX)
    data = json.loads(run("action-execution-get", "a1", "-f", "json")[1])
    assert "State info" in data
    assert json.loads(run("action-execution-get-output", "a1")[1]) == {"result": "hi"}
    assert json.loads(run("action-execution-get-input", "a1")[1]) == {"output": "hi"}


def test_run_action_sync_prints_output(fake, run):
    fake.route("POST", "/action_executions", A_EX, status=201)
    code, out, _ = run("run-action", "std.echo", '{"output": "hi"}', "--run-sync")
    assert code == 0
    assert out == '{"result": "hi"}\n'
    body = fake.only()["json"]
    assert json.loads(body["input"]) == {"output": "hi"}
    assert json.loads(body["params"]) == {"run_sync": True}


def test_run_action_save_result_shows_table(fake, run):
    fake.route("POST", "/action_executions", A_EX, status=201)
    code, out, _ = run("run-action", "std.echo", "-s", "-t", "exec1", "-f", "json")
    assert code == 0
    assert json.loads(out)["Name"] == "std.echo"
    body = fake.only()["json"]
    assert "input" not in body
    assert json.loads(body["params"]) == {"save_result": True, "target": "exec1"}


def test_action_execution_update(fake, run):
    fake.route("PUT", "/action_executions/a1", A_EX)
    code, _, _ = run("action-execution-update", "a1", "--state", "SUCCESS",
                     "--output", '{"x": 1}')
    assert code == 0
    assert fake.only()["json"] == {"state": "SUCCESS", "output": {"x": 1}}
    code, _, err = run("action-execution-update", "a1")
    assert code == 1 and "either state or output" in err
    assert len(fake.requests) == 1
