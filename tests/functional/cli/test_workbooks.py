"""workbook-* commands."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

pytestmark = pytest.mark.skipif(
    controller_missing("workbooks"), reason="/v2/workbooks is not implemented yet")


def test_workbook_lifecycle(mistral, mistral_server, definition_file):
    name = unique("book")
    text = scenarios.workbook(name)
    created = mistral("workbook-create", definition_file(text))
    fields = created.show_fields()
    assert list(fields) == scenarios.WORKBOOK_COLUMNS
    assert fields["Name"] == name
    assert fields["Tags"] == "book"
    assert fields["Scope"] == "private"
    assert fields["Namespace"] == ""

    # Its workflow and action are registered under the workbook's name.
    wf = mistral("workflow-get", "%s.wb_flow" % name, "-f", "json").json
    assert wf["Name"] == "%s.wb_flow" % name
    ex = mistral("execution-create", "%s.wb_flow" % name, "-f", "json").json
    done = mistral_server.wait_execution(ex["ID"])
    assert done["state"] == "SUCCESS", done
    (task_id,) = mistral("task-list", ex["ID"], "-c", "ID", "-f", "value").lines
    assert json.loads(mistral("task-get-published", task_id).out) == {"said": "fromwb"}

    shown = mistral("workbook-get", name, "-f", "json").json
    assert shown["Name"] == name and shown["Tags"] == "book"
    assert mistral("workbook-get-definition", name).out == text

    listed = mistral("workbook-list")
    assert listed.table_headers == scenarios.WORKBOOK_COLUMNS
    assert name in [r["Name"] for r in listed.table_dicts()]
    only = mistral("workbook-list", "--filter", "name=%s" % name, "-c", "Name",
                   "-f", "value")
    assert only.lines == [name]

    changed = text.replace("tags: [book]", "tags: [book, v2]")
    updated = mistral("workbook-update", definition_file(changed), "-f", "json").json
    assert updated["Name"] == name
    assert updated["Tags"] == "book, v2"
    assert mistral("workbook-get-definition", name).out == changed

    deleted = mistral("workbook-delete", name)
    assert deleted.lines == ["Request to delete workbook %s has been accepted." % name]
    assert "not found" in mistral("workbook-get", name, expect=1).err.lower()
    # As in Mistral, the workbook's workflows outlive it.
    mistral("workflow-get", "%s.wb_flow" % name)
    mistral("workflow-delete", "%s.wb_flow" % name)


def test_workbook_public_in_a_namespace(mistral, definition_file):
    name, ns = unique("book"), unique("ns")
    created = mistral("workbook-create", definition_file(scenarios.workbook(name)),
                      "--public", "--namespace", ns, "-f", "json").json
    assert created["Scope"] == "public"
    assert created["Namespace"] == ns
    mistral("workbook-get", name, expect=1)
    assert mistral("workbook-get", name, "--namespace", ns, "-f", "json").json["Name"] == name
    mistral("workbook-delete", name, "--namespace", ns)


def test_workbook_validate_and_errors(mistral, definition_file):
    good = mistral("workbook-validate", definition_file(scenarios.workbook(unique("b"))))
    assert good.show_fields() == {"Valid": "True", "Error": "None"}
    broken = scenarios.workbook(unique("b")).replace("action: wb_action", "action: wb_")
    broken = broken.replace("      run:\n", "      run:\n        on-success: nowhere\n")
    bad = mistral("workbook-validate", definition_file(broken), "-f", "json").json
    assert bad["Valid"] is False
    assert "nowhere" in bad["Error"]
    refused = mistral("workbook-create", definition_file(broken), expect=1)
    assert "nowhere" in refused.err
    missing = mistral("workbook-delete", unique("nobook"), expect=1)
    assert "Unable to delete the specified workbook(s)." in missing.err
