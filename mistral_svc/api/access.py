"""Who may do what: oslo.policy over the rules of ``api.policies`` (Mistral's names
and defaults), asked by every controller with the rule of its operation.

With ``[pecan] auth_enable`` on, the current request context's roles and project are
checked against the rule (the policy file may override any default); a denial is a
403 naming the rule. With auth off there are no users to tell apart (the embedded
default on 127.0.0.1) and everything is allowed.
"""

import threading

from oslo_policy import policy

from mistral_svc import config, context, exceptions as exc
from mistral_svc.api import policies

CONF = config.CONF
_lock = threading.Lock()
_enforcer = []


def _get():
    with _lock:
        if not _enforcer:
            enforcer = policy.Enforcer(CONF)
            enforcer.register_defaults(policies.list_rules())
            enforcer.load_rules()
            _enforcer.append(enforcer)
        return _enforcer[0]


def reset():
    """Forget the loaded rules (tests that change the policy file)."""
    with _lock:
        _enforcer.clear()


def allowed(rule, target=None):
    """Whether the caller may use ``rule`` (always with auth off)."""
    if rule not in policies.names() and rule != "admin_only":
        raise ValueError("unknown rule %s" % rule)
    if not CONF.pecan.auth_enable:
        return True
    ctx = context.current() or context.anonymous()
    creds = ctx.to_policy_values()
    # The defaults (like Mistral's policy files) test ``is_admin:True``.
    creds["is_admin"] = ctx.is_admin
    obj = {"project_id": ctx.project_id, "user_id": ctx.user_id}
    obj.update(target or {})
    enforcer = _get()
    # Picks up a changed policy file (it checks the file's time, cheaply).
    enforcer.load_rules()
    return enforcer.authorize(rule, obj, creds, do_raise=False)


def enforce(rule, target=None):
    """Raise NotAllowed (403) unless the caller may use ``rule``."""
    if not allowed(rule, target):
        raise exc.NotAllowed("Policy doesn't allow %s to be performed." % rule)


def enforce_listing(resource, all_projects=False, project_id=None):
    """The rule of a list operation, and ``<resource>:list:all_projects`` when the
    caller asks for other projects' objects (``all_projects`` or ``project_id``)."""
    enforce("%s:list" % resource)
    if _truthy(all_projects) or project_id:
        rule = "%s:list:all_projects" % resource
        # Resources without a rule of their own for it: admins only, as the
        # default of every such rule.
        enforce(rule if rule in policies.names() else "admin_only")


def enforce_scope(resource, scope):
    """``<resource>:publicize`` when an object is made public."""
    if scope == "public":
        enforce("%s:publicize" % resource)


def _truthy(value):
    return str(value).lower() in ("true", "1", "yes") if value is not None else False


def caller_project():
    """The caller's project with auth on (None: the default project)."""
    return context.caller_project()
