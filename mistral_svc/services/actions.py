"""Ad-hoc action management: parse and check YAML, then store it, all or nothing.

A file may define several actions; they are created in one transaction, so a bad or
duplicate one leaves none of them behind. System actions (``populate``) can be neither
modified nor deleted.
"""

from mistral_svc import exceptions as exc, lang
from mistral_svc.actions import adhoc, base as action_base, registry
from mistral_svc.db import api as db_api, models
from mistral_svc.lang import yaml_loader


def find_adhoc(name, namespace=""):
    """``(spec, namespace)`` of the ad-hoc action ``name`` seen from ``namespace``
    (that namespace first, then the default one), or None."""
    try:
        row = db_api.get_by_name(models.ActionDefinition, name, namespace or "")
    except exc.NotFound:
        return None
    if row.is_system or not row.spec:
        return None
    return row.spec, row.namespace


def _parse(text):
    try:
        return lang.parse_actions(text)
    except lang.DSLError as e:
        raise exc.InvalidModel(str(e))


def _find_dynamic(name, namespace):
    """The dynamic action ``name`` seen from ``namespace`` (that namespace first, then
    the default one), or None: enough to accept it as a base."""
    d = models.DynamicActionDefinition
    with db_api.transaction(read_only=True) as s:
        return s.query(d.id).filter(d.name == name,
                                    d.namespace.in_({namespace or "", ""})).first()


def _line_error(text, path, message):
    line = yaml_loader.load(text).line(path)
    return exc.InvalidModel(str(lang.DSLError(message, path=path, line=line)))


def _check_bases(text, specs, namespace):
    """InvalidModel (with the line of ``base``) unless every base resolves to a system
    action through the new definitions and the stored ones, without a cycle."""
    local = {s["name"]: s for s in specs}

    def lookup(name, ns):
        if name in local and ns == (namespace or ""):
            return local[name], ns
        return find_adhoc(name, ns)

    for spec in specs:
        try:
            adhoc.build(spec["name"], namespace or "", lookup, registry.get, _find_dynamic)
        except action_base.ActionError as e:
            raise _line_error(text, (spec["name"], "base"), str(e))


def _values(spec, text, namespace, scope):
    return {
        "name": spec["name"],
        "namespace": namespace or "",
        "definition": text,
        "spec": spec,
        "input": lang.input_string(spec["input"]) or None,
        "description": spec.get("description") or "",
        "tags": spec.get("tags") or [],
        "scope": scope,
        "is_system": False,
        "attributes": {},
    }


def validate(text, namespace=""):
    """``{"valid": True}``, or ``{"valid": False, "error": ...}`` naming path and line."""
    try:
        specs = _parse(text)
        _check_bases(text, specs, namespace)
    except exc.InputError as e:
        return {"valid": False, "error": e.message}
    return {"valid": True}


def create_actions(text, namespace="", scope="private"):
    """Create every action ``text`` defines; Conflict (409) if one exists already."""
    specs = _parse(text)
    with db_api.transaction():
        _check_bases(text, specs, namespace)
        rows = []
        for spec in specs:
            if registry.get(spec["name"]) is not None:
                raise exc.Conflict("Duplicate entry for Action: %s is a system action"
                                   % spec["name"])
            rows.append(db_api.create(models.ActionDefinition,
                                      _values(spec, text, namespace, scope)))
        return rows


def _exact(identifier, namespace):
    """The action ``identifier`` (id or name) in exactly ``namespace``."""
    row = db_api.get_by_id_or_name(models.ActionDefinition, identifier, namespace)
    if row.namespace != (namespace or "") and row.id != identifier:
        raise exc.NotFound("Action not found [name=%s, namespace=%s]"
                           % (identifier, namespace))
    if (row.attributes or {}).get("dynamic_action_id"):
        raise exc.InputError("Action %s is a dynamic action: change or delete it through "
                             "/v2/dynamic_actions" % row.name)
    return row


def update_actions(text, identifier=None, namespace="", scope="private"):
    """Replace the definitions of existing ad-hoc actions (by name, or ``identifier``)."""
    specs = _parse(text)
    if identifier and len(specs) > 1:
        raise exc.InputError("Only one action can be updated when an identifier is given")
    rows = []
    with db_api.transaction():
        _check_bases(text, specs, namespace)
        for spec in specs:
            row = _exact(identifier or spec["name"], namespace)
            if row.is_system:
                raise exc.InputError("Attempt to modify a system action: %s" % row.name)
            if row.name != spec["name"]:
                raise exc.InputError("Action name %r does not match the identified action %r"
                                     % (spec["name"], row.name))
            rows.append(db_api.update(row, _values(spec, text, row.namespace, scope)))
    return rows


def delete_action(identifier, namespace=""):
    """Delete an ad-hoc action. A system action is not a stored definition to Mistral,
    so deleting one answers NotFound (404), as there."""
    with db_api.transaction():
        row = _exact(identifier, namespace)
        if row.is_system:
            raise exc.NotFound("Action definition not found [action_name=%s, namespace=%s]"
                               % (identifier, namespace or ""))
        db_api.delete(row)
