"""oslo.policy with Mistral's rule names and defaults; denials are 403s."""

import pytest

from mistral_svc import config
from mistral_svc.api import access, policies

CONF = config.CONF

WF = """\
version: '2.0'
{name}:
  tasks:
    t:
      action: std.noop
"""

USER = {"X-Project-Id": "proj-policy", "X-Roles": "member"}


@pytest.fixture
def auth_on():
    CONF.set_override("auth_enable", True, group="pecan")
    yield
    CONF.clear_override("auth_enable", group="pecan")
    access.reset()


def test_rule_names_and_defaults_are_mistrals():
    rules = {r.name: r.check_str for r in policies.list_rules()}
    assert rules["admin_or_owner"] == "is_admin:True or project_id:%(project_id)s"
    assert rules["workflows:create"] == "rule:admin_or_owner"
    assert rules["workflows:publicize"] == "rule:admin_only"
    assert rules["executions:list:all_projects"] == "rule:admin_only"
    assert rules["code_sources:get"] == "rule:admin_only"
    assert "tasks:update" in rules and "tasks:create" not in rules


def test_defaults_deny_with_a_403_naming_the_rule(api, unique, auth_on):
    body = WF.format(name="pol_" + unique)
    denied = api.app.post("/v2/workflows?scope=public", body, status=403, headers=dict(
        USER, **{"Content-Type": "text/plain"})).json
    assert denied["faultstring"] == ("Policy doesn't allow workflows:publicize to be "
                                     "performed.")
    api.app.get("/v2/executions?all_projects=true", headers=USER, status=403)
