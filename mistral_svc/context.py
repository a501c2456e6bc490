"""The security context of a request: who asks, for which project, with which roles.

The API builds it from what keystonemiddleware validated (never from headers a client
sent: the middleware strips those before it validates the token). It travels with every
RPC message (``rpc.transport.ContextSerializer``) to engines, executors and schedulers,
and while a request or a message is handled it is the *current* context: the database
layer scopes its queries to the current context's project.

With ``[pecan] auth_enable`` off there is no project (``project_id`` None) and nothing is
scoped: every row belongs to the default project.
"""

import contextlib
import contextvars

from oslo_context import context as oslo_context

#: The project of rows created while no project is known (the models' column default).
DEFAULT_PROJECT_ID = "<default-project>"

_current = contextvars.ContextVar("mistral_svc_context", default=None)

# Keys of ``to_dict`` beyond oslo.context's own.
_EXTRA = ("auth_uri", "auth_cacert", "insecure", "service_catalog", "region_name",
          "is_trust_scoped", "expires_at", "trust_id", "is_target", "target")


class MistralContext(oslo_context.RequestContext):
    """oslo.context's request context with what Mistral adds: the Keystone URI and
    catalogue for OpenStack actions, the token's expiry, and a trust when one is used."""

    def __init__(self, auth_uri=None, auth_cacert=None, insecure=False,
                 service_catalog=None, region_name=None, is_trust_scoped=False,
                 expires_at=None, trust_id=None, is_target=False, target=None, **kwargs):
        super().__init__(**kwargs)
        self.auth_uri = auth_uri
        self.auth_cacert = auth_cacert
        self.insecure = insecure
        self.service_catalog = service_catalog
        self.region_name = region_name
        self.is_trust_scoped = is_trust_scoped
        self.expires_at = expires_at
        self.trust_id = trust_id
        self.is_target = is_target
        # X-Target-* credentials: what OpenStack actions use instead of the caller's.
        self.target = target

    def to_dict(self):
        """oslo.context's dict with Mistral's extra fields, for RPC and storage."""
        data = super().to_dict()
        data.update({k: getattr(self, k) for k in _EXTRA})
        data["user_id"] = self.user_id
        data["user_name"] = self.user_name
        data["project_name"] = self.project_name
        return data

    @classmethod
    def from_dict(cls, values, **kwargs):
        """The context ``to_dict`` gave (``kwargs`` override what it holds)."""
        values = dict(values or {})
        for key in _EXTRA + ("user_name", "project_name"):
            kwargs.setdefault(key, values.get(key))
        kwargs.setdefault("insecure", bool(values.get("insecure")))
        kwargs.setdefault("is_trust_scoped", bool(values.get("is_trust_scoped")))
        kwargs.setdefault("is_target", bool(values.get("is_target")))
        ctx = super().from_dict(values, **kwargs)
        # oslo.context takes is_admin as given; Mistral derives it from the roles.
        ctx.is_admin = bool(values.get("is_admin")) or "admin" in (ctx.roles or [])
        return ctx

    def get(self, key, default=None):
        """Mapping-style read of ``to_dict()``'s keys (engine code reads contexts so)."""
        value = self.to_dict().get(key, default)
        return default if value is None else value


def anonymous():
    """The context of a request while authentication is off: no user, no project."""
    return MistralContext(is_admin=False, overwrite=False)


def from_rpc(ctxt):
    """The context a message carried (a dict, or a context already)."""
    if isinstance(ctxt, MistralContext):
        return ctxt
    if not ctxt:
        return None
    return MistralContext.from_dict(ctxt, overwrite=False)


def for_project(project_id):
    """A non-admin context of ``project_id`` (the engine's lookups for an execution);
    None for the default project, whose rows are not scoped."""
    if not project_id or project_id == DEFAULT_PROJECT_ID:
        return None
    return MistralContext(project_id=project_id, is_admin=False, overwrite=False)


def current():
    """The context of the request or message being handled, or None."""
    return _current.get()


@contextlib.contextmanager
def using(ctx):
    """Make ``ctx`` the current context for the block (None: no scoping)."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def scope_project():
    """The project queries are scoped to now, or None when they are not scoped (no
    context, auth off, or an admin: Mistral's admins see every project's objects)."""
    ctx = _current.get()
    if ctx is None or ctx.is_admin or not ctx.project_id:
        return None
    return ctx.project_id


def caller_project():
    """The project of the current caller; None while no project is known."""
    ctx = _current.get()
    return ctx.project_id if ctx is not None else None
