"""cron-trigger-* commands."""

import json

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

pytestmark = pytest.mark.skipif(
    controller_missing("cron_triggers"), reason="/v2/cron_triggers is not implemented yet")


@pytest.fixture
def hello_name(mistral_server):
    name = unique("hello")
    mistral_server.create_workflows(scenarios.hello(name))
    return name


def test_cron_trigger_lifecycle(mistral, hello_name):
    name = unique("trigger")
    created = mistral("cron-trigger-create", name, hello_name, '{"who": "cron"}',
                      "--pattern", "0 5 * * *", "--count", "3",
                      "--params", '{"env": {"a": 1}}')
    fields = created.show_fields()
    assert list(fields) == scenarios.CRON_TRIGGER_COLUMNS
    assert fields["Name"] == name
    assert fields["Workflow"] == hello_name
    assert fields["Pattern"] == "0 5 * * *"
    assert fields["Remaining executions"] == "3"
    assert fields["Next execution time"].endswith("05:00:00")
    assert json.loads(fields["Params"]) == {"env": {"a": 1}}

    shown = mistral("cron-trigger-get", name, "-f", "json").json
    assert shown["Name"] == name
    assert shown["Remaining executions"] == 3

    listed = mistral("cron-trigger-list")
    assert listed.table_headers == scenarios.CRON_TRIGGER_COLUMNS
    assert name in [r["Name"] for r in listed.table_dicts()]
    only = mistral("cron-trigger-list", "--filter", "name=%s" % name, "-c", "Name",
                   "-c", "Workflow", "-f", "value")
    assert only.lines == ["%s %s" % (name, hello_name)]

    deleted = mistral("cron-trigger-delete", name)
    assert deleted.lines == ["Request to delete cron trigger %s has been accepted." % name]
    assert "not found" in mistral("cron-trigger-get", name, expect=1).err.lower()


def test_one_off_trigger_at_a_first_time(mistral, hello_name):
    name = unique("trigger")
    created = mistral("cron-trigger-create", name, hello_name, '{"who": "once"}',
                      "--first-time", "2099-01-01 10:00", "--utc", "-f", "json").json
    assert created["Next execution time"] == "2099-01-01 10:00:00"
    assert created["Pattern"] is None
    assert created["Remaining executions"] == 1
    mistral("cron-trigger-delete", name)


def test_cron_trigger_errors(mistral, hello_name):
    name = unique("trigger")
    bad_pattern = mistral("cron-trigger-create", name, hello_name, '{"who": "x"}',
                          "--pattern", "not a pattern", expect=1)
    assert "pattern" in bad_pattern.err.lower()
    no_wf = mistral("cron-trigger-create", name, unique("nope"), "--pattern", "* * * * *",
                    expect=1)
    assert "Workflow not found" in no_wf.err
    nothing = mistral("cron-trigger-create", name, hello_name, expect=1)
    assert "Pattern or first_execution_time" in nothing.err
    past = mistral("cron-trigger-create", name, hello_name, '{"who": "x"}',
                   "--first-time", "2001-01-01 10:00", "--utc", expect=1)
    assert "past" in past.err
    bad_time = mistral("--os-mistral-url", "http://127.0.0.1:9/v2", "cron-trigger-create",
                       name, hello_name, "--first-time", "tomorrow", expect=1, url=False)
    assert "YYYY-MM-DD HH:MM" in bad_time.err

    mistral("cron-trigger-create", name, hello_name, '{"who": "x"}', "--pattern", "0 5 * * *")
    duplicate = mistral("cron-trigger-create", name, hello_name, '{"who": "x"}',
                        "--pattern", "0 5 * * *", expect=1)
    assert name in duplicate.err
    gone = mistral("cron-trigger-delete", name, unique("nope"), expect=1)
    assert "Unable to delete the specified cron trigger(s)." in gone.err
