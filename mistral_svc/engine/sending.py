"""Messages a step sends once its transaction has committed: actions to executors,
notices and cascades to engines.

Everything one transaction sends to the same place leaves together: action executions
in messages of up to ``DISPATCH_CHUNK``, so a with-items task leaves in a few messages
and several executors still share its items.
"""

import functools
import logging
import time

from mistral_svc import config
from mistral_svc.db import session as db_session
from mistral_svc.engine import dynamic_actions
from mistral_svc.rpc import clients, transport

CONF = config.CONF
LOG = logging.getLogger(__name__)

DISPATCH_CHUNK = 50

# Keys of the caller's RPC context an action may use (OpenStack actions use the token).
_SECURITY_KEYS = ("auth_token", "auth_uri", "auth_cacert", "insecure", "project_id",
                  "user_id", "user_name", "project_name", "region_name", "is_admin",
                  "service_catalog", "trust_id", "is_trust_scoped", "expires_at")
# What X-Target-* headers give (Mistral's target cloud): OpenStack actions then use
# these credentials instead of the caller's.
_TARGET_KEYS = ("auth_token", "auth_uri", "insecure", "project_id", "user_id", "user_name",
                "region_name", "service_catalog")


def callback_url():
    """Base URL of this deployment's API, for asynchronous actions to report back to."""
    host = CONF.api.host
    if host in ("0.0.0.0", "::", ""):
        host = CONF.host
    if ":" in host:
        host = "[%s]" % host
    return "http://%s:%d" % (host, CONF.api.port)


def executor_target(action_ex):
    """(system action name, its input) of an action execution record: what an executor
    runs (an ad-hoc action runs its base with the base input evaluated at creation)."""
    adhoc = action_ex.rt.adhoc
    if adhoc:
        return adhoc["base"], adhoc["base_input"]
    return action_ex.name, action_ex.input or {}


def exec_context(action_ex, rpc_ctx=None):
    """The context an action's ``run`` receives."""
    rpc_ctx = rpc_ctx or {}
    return {
        "workflow_execution_id": action_ex.workflow_execution_id,
        "task_execution_id": action_ex.task_execution_id,
        "action_execution_id": action_ex.id,
        "workflow_name": action_ex.workflow_name,
        "task_name": action_ex.task_name,
        "callback_url": callback_url(),
        "security": security_of(rpc_ctx),
        # A dynamic action's code travels with it (executors read no database).
        **dynamic_actions.exec_payload(
            action_ex.name, action_ex.workflow_namespace,
            {"adhoc": action_ex.rt.adhoc} if action_ex.rt.adhoc else {}),
    }


def security_of(rpc_ctx):
    """The security context an action sees: the caller's token (or the trust's), or
    the target cloud's credentials when the request named one."""
    rpc_ctx = transport.as_dict(rpc_ctx)
    security = {k: rpc_ctx[k] for k in _SECURITY_KEYS if rpc_ctx.get(k) is not None}
    if rpc_ctx.get("user_id") is None and rpc_ctx.get("user"):
        security["user_id"] = rpc_ctx["user"]
    target = rpc_ctx.get("target")
    if target:
        for key in _TARGET_KEYS:
            security.pop(key, None)
        security.update({k: target[k] for k in _TARGET_KEYS if target.get(k) is not None})
        security["is_target"] = True
    return security


def dispatch(action_ex, rpc_ctx=None, safe_rerun=False, target=None, timeout=None,
             claim=False):
    """Send an action execution record to an executor once the transaction commits.

    The executor acknowledges it as it starts it (see ``recovery``). A delivery that
    is not the first (``claim``), or that reaches an executor when engines may already
    have given up waiting for its acknowledgement (after ``ack_by``, half the
    acknowledgement timeout: clocks are assumed in sync, as for due jobs), runs only
    once an engine granted the executor's claim: so two copies never both run.
    """
    name, params = executor_target(action_ex)
    item = {"action_ex_id": action_ex.id, "action_name": name, "params": params,
            "safe_rerun": safe_rerun, "exec_ctx": exec_context(action_ex, rpc_ctx),
            "timeout": timeout,
            "ack_by": time.time() + CONF.engine.action_ack_timeout / 2.0}
    if claim:
        item["claim"] = True
    ctx = dict(rpc_ctx or {})
    key = ("dispatch", target, transport.context_key(ctx))
    db_session.after_commit_batch(key, item, functools.partial(_send, ctx, target))


def _send(ctx, target, items):
    client = clients.ExecutorClient()
    for start in range(0, len(items), DISPATCH_CHUNK):
        chunk = items[start:start + DISPATCH_CHUNK]
        try:
            if len(chunk) == 1:
                client.run_action(ctx, target=target, **chunk[0])
            else:
                client.run_actions(ctx, chunk, target=target)
        except Exception:  # noqa: BLE001 - recovery re-dispatches what was not sent
            LOG.exception("could not dispatch action executions %s",
                          ", ".join(i["action_ex_id"] for i in chunk))


def cast_after_commit(method, **kwargs):
    """Cast engine ``method`` once the transaction commits (best effort: recovery finds
    what a lost notice left waiting)."""

    def send():
        try:
            clients.EngineClient().cast(method, **kwargs)
        except Exception:  # noqa: BLE001 - the target may have ended
            LOG.warning("could not cast %s %s", method, kwargs, exc_info=True)

    db_session.after_commit(send)
