"""environment-* commands, and an environment used by an execution."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

pytestmark = pytest.mark.skipif(
    controller_missing("environments"), reason="/v2/environments is not implemented yet")


def test_environment_lifecycle(mistral, definition_file):
    name = unique("env")
    yaml_file = definition_file(
        "name: %s\ndescription: test env\nvariables:\n  word: hi\n  n: 3\n" % name)
    created = mistral("environment-create", yaml_file)
    fields = created.show_fields()
    assert list(fields) == scenarios.ENVIRONMENT_COLUMNS
    assert fields["Name"] == name
    assert fields["Description"] == "test env"
    assert fields["Scope"] == "private"
    shown = mistral("environment-get", name, "-f", "json").json
    assert json.loads(shown["Variables"]) == {"word": "hi", "n": 3}

    listed = mistral("environment-list")
    assert listed.table_headers == scenarios.ENVIRONMENT_LIST_COLUMNS
    assert name in [r["Name"] for r in listed.table_dicts()]

    exported = mistral("environment-get", name, "--export", "-f", "json").json
    assert set(exported) == {"name", "description", "scope", "variables"}
    assert json.loads(exported["variables"]) == {"word": "hi", "n": 3}

    json_file = definition_file(json.dumps({"name": name, "variables": {"word": "bye"}}),
                                ".json")
    updated = mistral("environment-update", json_file, "-f", "json").json
    assert json.loads(updated["Variables"]) == {"word": "bye"}
    assert updated["Updated at"] not in (None, "<none>")

    deleted = mistral("environment-delete", name)
    assert deleted.lines == ["Request to delete environment %s has been accepted." % name]
    assert "not found" in mistral("environment-get", name, expect=1).err.lower()


def test_execution_with_a_named_environment(mistral, mistral_server, definition_file):
    env_name, wf_name = unique("env"), unique("needs_env")
    mistral("environment-create", definition_file(
        json.dumps({"name": env_name, "variables": {"word": "from-env"}}), ".json"))
    mistral_server.create_workflows(scenarios.needs_env(wf_name))
    ex = mistral("execution-create", wf_name, "{}", json.dumps({"env": env_name}),
                 "-f", "json").json
    assert mistral_server.wait_execution(ex["ID"])["state"] == "SUCCESS"
    (task_id,) = mistral("task-list", ex["ID"], "-c", "ID", "-f", "value").lines
    assert mistral("task-get-result", task_id).out == '"from-env"\n'


def test_environment_errors(mistral, definition_file):
    no_name = mistral("environment-create", definition_file("variables:\n  a: 1\n"),
                      expect=1)
    assert '"name"' in no_name.err
    no_vars = mistral("environment-create", definition_file("name: x\n"), expect=1)
    assert '"variables"' in no_vars.err

    name = unique("env")
    path = definition_file("name: %s\nvariables:\n  a: 1\n" % name)
    mistral("environment-create", path)
    duplicate = mistral("environment-create", path, expect=1)
    assert duplicate.err.strip()
    missing = mistral("environment-update",
                      definition_file("name: %s\nvariables:\n  a: 1\n" % unique("none")),
                      expect=1)
    assert "not found" in missing.err.lower()
    gone = mistral("environment-delete", unique("none"), name, expect=1)
    assert "Unable to delete the specified environment(s)." in gone.err
    assert "Request to delete environment %s has been accepted." % name in gone.out


def test_created_environment_without_description_shows_none(mistral, definition_file):
    name = unique("envnd")
    created = mistral("environment-create",
                      definition_file("name: %s\nvariables:\n  a: 1\n" % name))
    assert created.show_fields()["Description"] == "None"
    assert mistral("environment-get", name).show_fields()["Description"] == "<none>"
    mistral("environment-delete", name)
