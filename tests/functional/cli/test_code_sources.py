"""code-source-* and dynamic-action-* commands, ours and the official ``mistral``'s,
against a running server: create, run, update, delete as in Mistral."""

import json

import pytest

from tests.functional.server_fixture import unique

CODE_SOURCE_COLUMNS = ["ID", "Name", "Namespace", "Project ID", "Scope", "Created at",
                       "Updated at"]
DYNAMIC_ACTION_COLUMNS = ["ID", "Name", "Class", "Code source ID", "Code source name",
                          "Project ID", "Scope", "Created at", "Updated at"]

SOURCE = '''\
from mistral_lib import actions


class Hello(actions.Action):
    def __init__(self, who):
        super().__init__()
        self.who = who

    def run(self, context):
        return "%s, %s" % (GREETING, self.who)


class Bye(Hello):
    def run(self, context):
        return "Bye, %s" % self.who


GREETING = "Hello"
'''


def _run_action(server, action, name):
    wf = unique("cswf")
    server.create_workflows("version: '2.0'\n%s:\n  tasks:\n    t:\n      action: %s "
                            "who=\"%s\"\n" % (wf, action, name))
    ex = server.wait_execution(server.start_execution(wf)["id"])
    task = server.tasks(ex["id"])["t"]
    return ex, json.loads(server.api("GET", "/tasks/%s" % task["id"])["result"] or "null")


def test_code_sources_and_dynamic_actions_with_mistral_svc(mistral, mistral_server,
                                                           definition_file):
    module, action = unique("greetings"), unique("hello")
    path = definition_file(SOURCE, suffix=".py")
    created = mistral("code-source-create", module, path)
    fields = created.show_fields()
    assert list(fields) == CODE_SOURCE_COLUMNS
    assert fields["Name"] == module and fields["Scope"] == "private"
    source_id = fields["ID"]

    listed = mistral("code-source-list", "--filter", "name=%s" % module)
    assert listed.table_headers == CODE_SOURCE_COLUMNS
    assert [r["ID"] for r in listed.table_dicts()] == [source_id]
    assert mistral("code-source-get", module).show_fields()["ID"] == source_id
    assert mistral("code-source-get-content", module).out == SOURCE

    made = mistral("dynamic-action-create", action, "Hello", module).show_fields()
    assert list(made) == DYNAMIC_ACTION_COLUMNS
    assert made["Class"] == "Hello" and made["Code source ID"] == source_id
    assert made["Code source name"] == module
    listed = mistral("dynamic-action-list")
    assert listed.table_headers == DYNAMIC_ACTION_COLUMNS
    assert action in {r["Name"] for r in listed.table_dicts()}
    assert mistral("dynamic-action-get", action).show_fields()["Class"] == "Hello"

    ex, result = _run_action(mistral_server, action, "CLI")
    assert ex["state"] == "SUCCESS" and result == "Hello, CLI"

    mistral("code-source-update", module,
            definition_file(SOURCE.replace('"Hello"', '"Hi"'), suffix=".py"))
    ex, result = _run_action(mistral_server, action, "again")
    assert result == "Hi, again"
    assert mistral("dynamic-action-update", action, "--class-name", "Bye") \
        .show_fields()["Class"] == "Bye"
    assert _run_action(mistral_server, action, "now")[1] == "Bye, now"

    refused = mistral("code-source-delete", module, expect=1)
    assert "dynamic actions associated" in refused.err
    done = mistral("dynamic-action-delete", action)
    assert "Request to delete dynamic action(s) %s has been accepted." % action in done.out
    done = mistral("code-source-delete", module)
    assert "Request to delete code source '%s' has been accepted." % module in done.out
    assert "not found" in mistral("code-source-get", module, expect=1).err.lower()


def test_code_that_does_not_compile_is_refused(mistral, definition_file):
    bad = mistral("code-source-create", unique("broken"),
                  definition_file("def f(:\n    pass\n", suffix=".py"), expect=1)
    assert "line 1" in bad.err


@pytest.fixture
def official(mistral_server, capsys):
    """Run the official ``mistral`` command (python-mistralclient) without auth."""
    shell = pytest.importorskip("mistralclient.shell")

    def run(*args):
        capsys.readouterr()
        code = shell.main(["--os-mistral-url", mistral_server.url, *args])
        out, err = capsys.readouterr()
        assert not code, (args, out, err)
        return json.loads(out) if "-f" in args and "json" in args else out

    return run


def test_official_client_commands(official, mistral_server, tmp_path):
    module, action = unique("official_mod"), unique("official_act")
    path = tmp_path / "source.py"
    path.write_text(SOURCE)
    created = official("code-source-create", module, str(path), "-f", "json")
    assert created["Name"] == module
    assert module in {c["Name"] for c in official("code-source-list", "-f", "json")}
    assert official("code-source-get-content", module) == SOURCE
    official("dynamic-action-create", action, "Hello", created["ID"], "-f", "json")
    got = official("dynamic-action-get", action, "-f", "json")
    assert got["Code source name"] == module and got["Class"] == "Hello"
    assert _run_action(mistral_server, action, "official")[1] == "Hello, official"
    path.write_text(SOURCE.replace('"Hello"', '"Hey"'))
    official("code-source-update", module, str(path), "-f", "json")
    assert _run_action(mistral_server, action, "you")[1] == "Hey, you"
    official("dynamic-action-update", action, "--class-name", "Bye", "-f", "json")
    assert action in {a["Name"] for a in official("dynamic-action-list", "-f", "json")}
    official("dynamic-action-delete", action)
    official("code-source-delete", module)
    assert module not in {c["Name"] for c in official("code-source-list", "-f", "json")}
