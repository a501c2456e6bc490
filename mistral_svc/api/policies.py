"""The policy rules of the API: Mistral's names and defaults.

``admin_only`` and ``admin_or_owner`` are the two base rules; each API operation has a
rule ``<resource>:<operation>`` defaulting to one of them. Operators override any of
them in the policy file (``[oslo_policy] policy_file``, ``policy.yaml`` by default).
``oslopolicy-sample-generator --namespace mistral_svc`` lists them all.
"""

import functools

from oslo_policy import policy

ADMIN_ONLY = "rule:admin_only"
ADMIN_OR_OWNER = "rule:admin_or_owner"

_BASE = [
    policy.RuleDefault("admin_only", "is_admin:True",
                       description="The caller has the admin role."),
    policy.RuleDefault("admin_or_owner", "is_admin:True or project_id:%(project_id)s",
                       description="The caller is an admin or of the object's project."),
]

_VERBS = {
    "create": ("Create %s.", "POST", ""),
    "delete": ("Delete %s.", "DELETE", "/{id}"),
    "get": ("Show one of the %s.", "GET", "/{id}"),
    "list": ("List %s.", "GET", ""),
    "update": ("Update %s.", "PUT", "/{id}"),
    "publicize": ("Create or update %s with scope public.", "POST", ""),
    "list:all_projects": ("List %s of every project (all_projects, project_id).",
                          "GET", ""),
}

# resource -> (path, what it is called, {operation: default}). Mistral's defaults.
_OWNER = ("create", "delete", "get", "list", "update")
_RESOURCES = {
    "actions": ("/v2/actions", "actions", dict.fromkeys(_OWNER, ADMIN_OR_OWNER),
                {"publicize": ADMIN_ONLY}),
    "action_executions": ("/v2/action_executions", "action executions",
                          dict.fromkeys(_OWNER, ADMIN_OR_OWNER), {}),
    "code_sources": ("/v2/code_sources", "code sources",
                     dict.fromkeys(_OWNER + ("publicize",), ADMIN_ONLY), {}),
    "cron_triggers": ("/v2/cron_triggers", "cron triggers",
                      dict.fromkeys(("create", "delete", "get", "list"), ADMIN_OR_OWNER),
                      {"publicize": ADMIN_ONLY, "list:all_projects": ADMIN_ONLY}),
    "dynamic_actions": ("/v2/dynamic_actions", "dynamic actions",
                        dict.fromkeys(_OWNER + ("publicize",), ADMIN_ONLY), {}),
    "environments": ("/v2/environments", "environments",
                     dict.fromkeys(_OWNER, ADMIN_OR_OWNER), {"publicize": ADMIN_ONLY}),
    "event_triggers": ("/v2/event_triggers", "event triggers",
                       dict.fromkeys(_OWNER, ADMIN_OR_OWNER),
                       {"publicize": ADMIN_ONLY, "list:all_projects": ADMIN_ONLY}),
    "executions": ("/v2/executions", "workflow executions",
                   dict.fromkeys(_OWNER, ADMIN_OR_OWNER),
                   {"list:all_projects": ADMIN_ONLY}),
    "members": ("/v2/workflows/{resource_id}/members", "resource members",
                dict.fromkeys(_OWNER, ADMIN_OR_OWNER), {}),
    "services": ("/v2/services", "services", {"list": ADMIN_OR_OWNER}, {}),
    "tasks": ("/v2/tasks", "task executions",
              dict.fromkeys(("get", "list", "update"), ADMIN_OR_OWNER), {}),
    "workbooks": ("/v2/workbooks", "workbooks", dict.fromkeys(_OWNER, ADMIN_OR_OWNER),
                  {"publicize": ADMIN_ONLY}),
    "workflows": ("/v2/workflows", "workflows", dict.fromkeys(_OWNER, ADMIN_OR_OWNER),
                  {"publicize": ADMIN_ONLY, "list:all_projects": ADMIN_ONLY}),
}


def _documented(resource, path, noun, op, default):
    text, method, suffix = _VERBS[op]
    return policy.DocumentedRuleDefault(
        name="%s:%s" % (resource, op), check_str=default, description=text % noun,
        operations=[{"path": path + suffix, "method": method}])


def list_rules():
    """Every rule with its default (entry point ``oslo.policy.policies``)."""
    rules = list(_BASE)
    for resource, (path, noun, owner_ops, extra) in sorted(_RESOURCES.items()):
        for op, default in list(owner_ops.items()) + list(extra.items()):
            rules.append(_documented(resource, path, noun, op, default))
    return rules


def get_enforcer():
    """The enforcer oslopolicy-policy-generator and oslopolicy-checker use (entry point
    ``oslo.policy.enforcer``): the defaults with this service's policy file applied.
    Its own configuration object, since those tools have parsed the global one."""
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([], project="mistral-svc")
    enforcer = policy.Enforcer(conf)
    enforcer.register_defaults(list_rules())
    enforcer.load_rules()
    return enforcer


@functools.lru_cache(maxsize=1)
def names():
    """The names of every operation rule (built once: every request checks its rule's
    name against them, and building the rules parses each default)."""
    return frozenset(r.name for r in list_rules()[len(_BASE):])
