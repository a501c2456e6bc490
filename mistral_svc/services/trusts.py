"""Keystone trusts: how a trigger acts as its owner after the owner's token expired.

As in Mistral, creating a cron or event trigger with authentication on creates a trust
from the caller (trustor) to the service user of ``[keystone_authtoken]`` (trustee),
on the caller's project, with the caller's roles and impersonation. A firing
authenticates as the service user scoped to that trust: the token it gets is the
owner's (same user, project and roles), and the execution runs with it. The trust is
deleted with the trigger.
"""

import logging

from mistral_svc import config, context, exceptions as exc

CONF = config.CONF
LOG = logging.getLogger(__name__)
GROUP = "keystone_authtoken"


def _service_auth():
    """The service user's auth plugin, from ``[keystone_authtoken]``."""
    from keystoneauth1 import loading

    loading.register_auth_conf_options(CONF, GROUP)
    return loading.load_auth_from_conf_options(CONF, GROUP)


def _session(auth):
    from keystoneauth1 import session

    group = getattr(CONF, GROUP)
    verify = False if getattr(group, "insecure", False) else (
        getattr(group, "cafile", None) or True)
    return session.Session(auth=auth, verify=verify)


def _identity_url():
    auth = _service_auth()
    url = getattr(auth, "auth_url", None)
    return url.rstrip("/") if url else url


def _v3(url):
    return url if url.endswith("/v3") else url + "/v3"


def create_trust():
    """A trust from the current caller to the service user; its id, or None when
    there is nothing to trust (auth off, no token)."""
    ctx = context.current()
    if not CONF.pecan.auth_enable or ctx is None or not ctx.auth_token:
        return None
    from keystoneauth1.identity import v3

    url = _identity_url()
    service = _session(_service_auth())
    trustee = service.get_user_id()
    caller = _session(v3.Token(auth_url=url, token=ctx.auth_token,
                               project_id=ctx.project_id))
    body = {"trust": {
        "trustor_user_id": ctx.user_id, "trustee_user_id": trustee,
        "project_id": ctx.project_id, "impersonation": True,
        "roles": [{"name": r} for r in ctx.roles or []],
    }}
    try:
        resp = caller.post(_v3(url) + "/OS-TRUST/trusts", json=body)
        return resp.json()["trust"]["id"]
    except Exception as e:  # noqa: BLE001 - keystoneauth1's many errors
        LOG.error("could not create a trust for project %s: %s", ctx.project_id, e)
        raise exc.Unavailable("Could not create a Keystone trust for the trigger")


def _trust_session(trust_id):
    from keystoneauth1.identity import v3

    group = getattr(CONF, GROUP)
    _service_auth()  # registers the plugin's options, so they can be read
    return _session(v3.Password(
        auth_url=_identity_url(), username=group.username, password=group.password,
        user_domain_name=getattr(group, "user_domain_name", None),
        user_domain_id=getattr(group, "user_domain_id", None), trust_id=trust_id))


def trust_context(trust_id, project_id=None):
    """The RPC context of the trust's owner (a new token), for a trigger's firing."""
    sess = _trust_session(trust_id)
    access = sess.auth.get_access(sess)
    ctx = context.MistralContext(
        auth_token=access.auth_token, user_id=access.user_id,
        project_id=access.project_id or project_id, roles=access.role_names,
        user_name=access.username, project_name=access.project_name,
        trust_id=trust_id, is_trust_scoped=True, auth_uri=_identity_url(),
        expires_at=access.expires.isoformat() if access.expires else None,
        service_catalog={"catalog": access.service_catalog.catalog}
        if access.service_catalog else None,
        region_name=getattr(getattr(CONF, GROUP), "region_name", None), overwrite=False)
    ctx.is_admin = "admin" in (access.role_names or [])
    return ctx.to_dict()


def owner_context(trigger):
    """The RPC context a trigger's firing runs with: its owner's, through its trust
    (a new token each time), or just its project when it has no trust (auth off)."""
    if trigger.trust_id and CONF.pecan.auth_enable:
        return trust_context(trigger.trust_id, trigger.project_id)
    return {"project_id": trigger.project_id}


def delete_trust(trust_id):
    """Delete a trust (best effort: a trigger goes even when Keystone is away)."""
    if not trust_id:
        return
    try:
        sess = _trust_session(trust_id)
        sess.delete(_v3(_identity_url()) + "/OS-TRUST/trusts/%s" % trust_id)
    except Exception as e:  # noqa: BLE001 - the trigger is gone either way
        LOG.warning("could not delete trust %s: %s", trust_id, type(e).__name__)
