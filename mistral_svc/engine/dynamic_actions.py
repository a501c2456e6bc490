"""Dynamic actions as the engine runs them: the dynamic action an action name resolves
to, the current version of its code source and what the source says about the class
(read without running it), and the payload that carries the code to the executor.
"""

import collections
import threading

from mistral_svc.actions import base as action_base, code_sources, registry
from mistral_svc.db import api as db_api, models

# Code and analyses by (code source id, version): a version never changes.
_CACHE_SIZE = 64
_cache = collections.OrderedDict()
_cache_lock = threading.Lock()


def _cached(key, make):
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = make()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def _content(code_source_id, version):
    def load():
        with db_api.transaction(read_only=True) as s:
            return s.query(models.CodeSource.content).filter(
                models.CodeSource.id == code_source_id).scalar()

    return _cached(("content", code_source_id, version), load)


def find_dynamic(name, namespace=""):
    """The ``code_sources.DynamicAction`` that ``name`` runs, seen from ``namespace``
    (that namespace first, then the default one), or None. ActionError when the
    dynamic action exists but dynamic actions are switched off."""
    d, c = models.DynamicActionDefinition, models.CodeSource
    with db_api.transaction(read_only=True) as s:
        rows = s.query(d.name, d.namespace, d.class_name, d.code_source_id,
                       d.code_source_name, c.version).join(c, c.id == d.code_source_id)\
            .filter(d.name == name, d.namespace.in_({namespace or "", ""})).all()
    if not rows:
        return None
    if not registry.provider_enabled("dynamic"):
        raise action_base.ActionError(
            "Failed to find action [action_name=%s]: dynamic actions are disabled "
            "([action_providers])" % name)
    row = sorted(rows, key=lambda r: r.namespace != (namespace or ""))[0]
    content = _content(row.code_source_id, row.version)
    try:
        info = _cached(("info", row.code_source_id, row.version, row.class_name),
                       lambda: code_sources.analyse(content or "", row.class_name))
        error = None
    except code_sources.CodeError as e:
        info, error = None, "%s [code_source=%s, version=%s]" % (
            e, row.code_source_name, row.version)
    return code_sources.DynamicAction(
        row.name, row.namespace, row.class_name, row.code_source_id, row.code_source_name,
        row.version, content, info=info, error=error)


def exec_payload(action_name, namespace, runtime_context):
    """``{"dynamic": ...}`` for the executor's context when ``action_name`` (or, for an
    ad-hoc action, the base it runs) is a dynamic action (the code travels with the
    action), else ``{}``."""
    adhoc = (runtime_context or {}).get("adhoc")
    if adhoc:
        action_name = adhoc["base"]
    if registry.get(action_name) is not None:
        return {}
    try:
        action = find_dynamic(action_name, namespace)
    except action_base.ActionError as e:
        return {"dynamic": {"error": str(e)}}
    if action is None:
        return {}
    return {"dynamic": action.payload()}
