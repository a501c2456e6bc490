"""member-* commands: sharing a workflow with another project."""

import pytest

from tests.functional import scenarios
from tests.functional.server_fixture import controller_missing, unique

pytestmark = pytest.mark.skipif(
    controller_missing("members"), reason="resource members are not implemented yet")


def test_without_authentication_sharing_is_refused(mistral, mistral_server):
    (wf,) = mistral_server.create_workflows(scenarios.failing(unique("wf")))
    for args in (("member-list", wf["id"], "workflow"),
                 ("member-create", wf["id"], "workflow", "other"),
                 ("member-get", wf["id"], "workflow", "-m", "other"),
                 ("member-update", wf["id"], "workflow", "-m", "other"),
                 ("member-delete", wf["id"], "workflow", "other")):
        result = mistral(*args, expect=1)
        assert "authentication enabled" in result.err, result
