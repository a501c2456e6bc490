"""member-* commands: sharing a workflow with another project."""

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

pytestmark = pytest.mark.skipif(
    controller_missing("members"), reason="resource members are not implemented yet")

OWNER = "<default-project>"


def test_without_authentication_sharing_is_refused(mistral, mistral_server):
    (wf,) = mistral_server.create_workflows(scenarios.failing(unique("wf")))
    for args in (("member-list", wf["id"], "workflow"),
                 ("member-create", wf["id"], "workflow", "other"),
                 ("member-get", wf["id"], "workflow", "-m", "other"),
                 ("member-update", wf["id"], "workflow", "-m", "other"),
                 ("member-delete", wf["id"], "workflow", "other")):
        result = mistral(*args, expect=1)
        assert "authentication enabled" in result.err, result


@pytest.fixture
def as_project(mistral, auth_server):
    """Run a command against the auth-enabled server as ``project`` (None: the owner)."""

    def run(project, *args, expect=0):
        options = ["--os-mistral-url", auth_server.url]
        if project:
            options += ["--os-project-id", project]
        return mistral(*options, *args, expect=expect, url=False)

    return run


def test_share_accept_and_stop_sharing(as_project, auth_server):
    (wf,) = auth_server.create_workflows(scenarios.failing(unique("wf")))
    member = unique("project")

    created = as_project(None, "member-create", wf["id"], "workflow", member)
    fields = created.show_fields()
    assert list(fields) == scenarios.MEMBER_COLUMNS
    assert fields["Resource ID"] == wf["id"]
    assert fields["Resource Type"] == "workflow"
    assert fields["Resource Owner"] == OWNER
    assert fields["Member ID"] == member
    assert fields["Status"] == "pending"

    listed = as_project(None, "member-list", wf["id"], "workflow")
    assert listed.table_headers == scenarios.MEMBER_COLUMNS
    assert [r["Member ID"] for r in listed.table_dicts()] == [member]
    shown = as_project(None, "member-get", wf["id"], "workflow", "-m", member, "-f", "json")
    assert shown.json["Status"] == "pending"

    # Only the member itself may accept; by default it updates its own record.
    refused = as_project(None, "member-update", wf["id"], "workflow", "-m", member,
                         expect=1)
    assert refused.err.strip()
    accepted = as_project(member, "member-update", wf["id"], "workflow", "-f", "json").json
    assert accepted["Status"] == "accepted"
    assert accepted["Member ID"] == member
    mine = as_project(member, "member-get", wf["id"], "workflow", "-f", "json").json
    assert mine["Status"] == "accepted"
    rejected = as_project(member, "member-update", wf["id"], "workflow", "-s", "rejected",
                          "-f", "json").json
    assert rejected["Status"] == "rejected"

    deleted = as_project(None, "member-delete", wf["id"], "workflow", member)
    assert deleted.lines == ["Request to delete workflow member %s has been accepted."
                             % member]
    # As with ``mistral``, an empty list is one row of empty cells.
    (empty,) = as_project(None, "member-list", wf["id"], "workflow", "-f", "json").json
    assert not any(empty.values())
    gone = as_project(None, "member-delete", wf["id"], "workflow", member, expect=1)
    assert "Unable to delete the specified member." in gone.err


def test_sharing_errors(as_project, auth_server):
    name = unique("wf")
    (wf,) = auth_server.create_workflows(scenarios.failing(name))
    by_name = as_project(None, "member-create", name, "workflow", "other", expect=1)
    assert "UUID" in by_name.err
    (public,) = auth_server.create_workflows(scenarios.failing(unique("wf")),
                                             scope="public")
    not_private = as_project(None, "member-create", public["id"], "workflow", "other",
                             expect=1)
    assert "private" in not_private.err
    as_project(None, "member-create", wf["id"], "workflow", "other")
    duplicate = as_project(None, "member-create", wf["id"], "workflow", "other", expect=1)
    assert duplicate.err.strip()
    bad_status = as_project("other", "member-update", wf["id"], "workflow", "-s", "maybe",
                            expect=2)
    assert "invalid choice" in bad_status.err
