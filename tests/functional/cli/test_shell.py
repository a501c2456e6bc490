"""The command as a whole: its command set, the API URL and connection errors."""

import subprocess
import sys

from tests.functional import scenarios
from tests.functional.server_fixture import unique

# Every command of upstream's `mistral` this CLI mirrors.
COMMANDS = [
    "workbook-create", "workbook-delete", "workbook-get", "workbook-get-definition",
    "workbook-list", "workbook-update", "workbook-validate",
    "workflow-create", "workflow-delete", "workflow-get", "workflow-get-definition",
    "workflow-list", "workflow-update", "workflow-validate",
    "action-create", "action-delete", "action-get", "action-get-definition",
    "action-list", "action-update", "action-validate", "run-action",
    "execution-create", "execution-delete", "execution-get", "execution-get-input",
    "execution-get-output", "execution-get-published", "execution-get-report",
    "execution-get-sub-executions", "execution-list", "execution-update",
    "task-get", "task-get-published", "task-get-result", "task-get-sub-executions",
    "task-list", "task-rerun",
    "action-execution-delete", "action-execution-get", "action-execution-get-input",
    "action-execution-get-output", "action-execution-list", "action-execution-update",
    "cron-trigger-create", "cron-trigger-delete", "cron-trigger-get", "cron-trigger-list",
    "environment-create", "environment-delete", "environment-get", "environment-list",
    "environment-update",
    "member-create", "member-delete", "member-get", "member-list", "member-update",
    "event-trigger-create", "event-trigger-delete", "event-trigger-get",
    "event-trigger-list",
    "service-list",
]


def test_help_lists_every_command(mistral):
    result = mistral("--help", url=False)
    listed = {line.split()[0] for line in result.out.splitlines()
              if line.startswith("  ") and line.split()}
    missing = [c for c in COMMANDS if c not in listed]
    assert missing == []


def test_help_of_one_command(mistral):
    result = mistral("help", "execution-create", url=False)
    assert "workflow_identifier" in result.out
    assert "--description" in result.out


def test_unknown_command(mistral):
    result = mistral("workflow-frobnicate", expect=2)
    assert "'workflow-frobnicate' is not a mistral-svc command" in result.out + result.err


def test_url_from_the_environment(mistral, mistral_server, monkeypatch):
    name = unique("wf")
    mistral_server.create_workflows(scenarios.failing(name))
    monkeypatch.setenv("MISTRAL_URL", mistral_server.url)
    result = mistral("workflow-get", name, "-c", "Name", "-f", "value", url=False)
    assert result.lines == [name]
    # --os-mistral-url wins over the environment.
    monkeypatch.setenv("MISTRAL_URL", "http://127.0.0.1:9/v2")
    result = mistral("workflow-get", name, "-c", "Name", "-f", "value")
    assert result.lines == [name]


def test_unreachable_server(mistral, monkeypatch):
    monkeypatch.delenv("MISTRAL_URL", raising=False)
    result = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "workflow-list",
                     expect=1, url=False)
    assert "Unable to connect to the Mistral API at http://127.0.0.1:9/v2" in result.err
    assert "Traceback" not in result.err


def test_console_script_module_runs(mistral_server):
    """``python -m mistral_svc.cli.shell`` behaves as the installed command does."""
    proc = subprocess.run(
        [sys.executable, "-m", "mistral_svc.cli.shell", "--os-mistral-url",
         mistral_server.url, "service-list", "-f", "value", "-c", "Type"],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "engine_group" in proc.stdout.split()
    proc = subprocess.run(
        [sys.executable, "-m", "mistral_svc.cli.shell", "--os-mistral-url",
         mistral_server.url, "workflow-get", unique("missing")],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Workflow not found" in proc.stderr
