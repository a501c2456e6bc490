"""Who may do what on code sources and dynamic actions: the one place their controllers
ask, by Mistral's rule names (``code_sources:create``, ``dynamic_actions:publicize``...).

Mistral's defaults make every one of these rules admin-only, since a code source is code
that executors run. With ``[pecan] auth_enable`` on, the caller must have the ``admin``
role (the ``X-Roles`` keystonemiddleware sets), else 403. With auth off there are no
users to tell apart (the embedded default on 127.0.0.1): everything is allowed.
"""

from mistral_svc import config, context, exceptions as exc

CONF = config.CONF

#: Rule name -> the default Mistral gives it.
DEFAULT_RULES = {
    "%s:%s" % (resource, op): "rule:admin_only"
    for resource in ("code_sources", "dynamic_actions")
    for op in ("create", "delete", "get", "list", "publicize", "update")
}


def _roles():
    ctx = context.current()
    return {r.lower() for r in (ctx.roles if ctx is not None else [])}


def enforce(rule):
    """Raise NotAllowed (403) unless the caller may use ``rule``."""
    if rule not in DEFAULT_RULES:
        raise ValueError("unknown rule %s" % rule)
    if not CONF.pecan.auth_enable:
        return
    if "admin" not in _roles():
        raise exc.NotAllowed("Policy doesn't allow %s to be performed." % rule)


def caller_project():
    """The caller's project with auth on (None: the default project)."""
    return context.caller_project()
