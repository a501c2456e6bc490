"""event-trigger-* commands."""

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

EVENT_TRIGGER_COLUMNS = ["ID", "Name", "Workflow ID", "Params", "Exchange", "Topic",
                         "Event", "Created at", "Updated at"]
MISSING = controller_missing("event_triggers")


@pytest.mark.skipif(MISSING, reason="/v2/event_triggers is not implemented yet")
def test_event_trigger_lifecycle(mistral, mistral_server):
    (wf,) = mistral_server.create_workflows(scenarios.hello(unique("hello")))
    name = unique("event")
    created = mistral("event-trigger-create", name, wf["id"], "nova", "notifications",
                      "compute.instance.create.end", '{"who": "event"}')
    fields = created.show_fields()
    assert list(fields) == EVENT_TRIGGER_COLUMNS
    assert fields["Name"] == name
    assert fields["Workflow ID"] == wf["id"]
    assert fields["Exchange"] == "nova"
    assert fields["Topic"] == "notifications"
    assert fields["Event"] == "compute.instance.create.end"
    trigger_id = fields["ID"]

    assert mistral("event-trigger-get", trigger_id, "-f", "json").json["Name"] == name
    listed = mistral("event-trigger-list")
    assert listed.table_headers == EVENT_TRIGGER_COLUMNS
    assert trigger_id in [r["ID"] for r in listed.table_dicts()]

    deleted = mistral("event-trigger-delete", trigger_id)
    assert deleted.lines == [
        "Request to delete event trigger %s has been accepted." % trigger_id]
    mistral("event-trigger-get", trigger_id, expect=1)
