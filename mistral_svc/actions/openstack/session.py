"""Keystone sessions and clients of OpenStack actions.

An action authenticates with the caller's token when the execution carries one (API
with auth enabled), else with the credentials of ``[openstack_actions]``. Sessions are
cached per credentials, so a token is fetched once and renewed by keystoneauth when it
nears expiry rather than on every action.
"""

import collections
import threading

from mistral_svc import config
from mistral_svc.actions.base import ActionError

CONF = config.CONF
_MAX_SESSIONS = 64
_sessions = collections.OrderedDict()
_lock = threading.Lock()


def _verify():
    opts = CONF.openstack_actions
    if opts.insecure:
        return False
    return opts.cacert or True


def _auth_plugin(security):
    from keystoneauth1.identity import generic

    opts = CONF.openstack_actions
    token = security.get("auth_token")
    auth_url = security.get("auth_uri") or opts.auth_url
    if not auth_url:
        raise ActionError(
            "OpenStack actions need credentials: set auth_url, username, password and "
            "project_name in [openstack_actions], or enable API authentication")
    if token:
        key = ("token", auth_url, token, security.get("project_id"))
        return key, lambda: generic.Token(auth_url=auth_url, token=token,
                                          project_id=security.get("project_id"))
    key = ("password", auth_url, opts.username, opts.password, opts.project_name,
           opts.user_domain_name, opts.project_domain_name)
    return key, lambda: generic.Password(
        auth_url=auth_url, username=opts.username, password=opts.password,
        project_name=opts.project_name, user_domain_name=opts.user_domain_name,
        project_domain_name=opts.project_domain_name)


def _security(context):
    """The security context as a dict: from a mistral-lib ActionContext or a dict."""
    if isinstance(context, dict):
        return context.get("security") or {}
    security = getattr(context, "security", None)
    if security is None:
        return {}
    return {k: v for k, v in vars(security).items() if v is not None}


def get_session(context):
    """A keystoneauth session for the action's security context."""
    from keystoneauth1 import session as ks_session

    security = _security(context)
    key, make_plugin = _auth_plugin(security)
    key = key + (_verify(),)
    with _lock:
        sess = _sessions.get(key)
        if sess is None:
            sess = ks_session.Session(auth=make_plugin(), verify=_verify())
            _sessions[key] = sess
            while len(_sessions) > _MAX_SESSIONS:
                _sessions.popitem(last=False)
        else:
            _sessions.move_to_end(key)
        return sess


def reset():
    """Forget cached sessions (after a configuration change)."""
    with _lock:
        _sessions.clear()


def client_for(service, action_region, context):
    """An authenticated client of ``service`` for the region the action asks for."""
    from mistral_svc.actions import openstack

    region = action_region or CONF.openstack_actions.default_region or None
    return openstack.client_builder(service)(
        session=get_session(context), region_name=region,
        interface=CONF.openstack_actions.os_actions_endpoint_type)
