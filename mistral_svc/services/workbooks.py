"""Workbook management: a workbook and the workflows and actions it defines.

A workbook ``wb`` defining workflow ``wf1`` and action ``a1`` stores three definitions:
the workbook itself, workflow ``wb.wf1`` and ad-hoc action ``wb.a1``, all in the
workbook's namespace, with its scope and project. They are written in one transaction,
so an invalid or conflicting workbook leaves nothing behind.

As in Mistral, a workbook's definitions outlive what it says later: an update rewrites
the definitions the new text has and creates the new ones, but the ones it no longer
has stay; deleting a workbook removes only the workbook. Creating or updating a
workbook takes over any (non-system) definition that has one of its qualified names.
"""

import sqlalchemy as sa
import yaml

from mistral_svc import exceptions as exc, lang
from mistral_svc.db import api as db_api, models
from mistral_svc.lang import yaml_loader


def parse(text):
    """The workbook's normalised spec; InvalidModel (400) with path and line if bad."""
    try:
        return lang.parse_workbook(text)
    except lang.DSLError as e:
        raise exc.InvalidModel(str(e))


def validate(text):
    """``{"valid": True}`` or ``{"valid": False, "error": ...}`` for a workbook text."""
    try:
        parse(text)
    except exc.InputError as e:
        return {"valid": False, "error": e.message}
    return {"valid": True}


def _own_definition(full_name, raw):
    """A stand-alone YAML definition of one workflow or action of the workbook, so
    ``workflow-get-definition`` shows just that part, under its qualified name."""
    return yaml.safe_dump({"version": "2.0", full_name: raw}, sort_keys=False,
                          default_flow_style=False, allow_unicode=True)


def _short(wb_name, full_name):
    return full_name[len(wb_name) + 1:]


def _qualify_raw(raw, key, qualified):
    """Rewrite ``raw[key]`` (``name`` or ``name k=v ...``) to the qualified name the
    parser chose, so the stored definition says what the stored spec does (and its
    checksum changes when only the meaning of a short name does)."""
    value = raw.get(key)
    if not isinstance(value, str) or not qualified or not value.strip():
        return
    head, *rest = value.strip().split(None, 1)
    # The parser either kept the name or prefixed it with the workbook name.
    if qualified != head and qualified.endswith("." + head):
        raw[key] = " ".join([qualified] + rest)


def _workflow_section(raw, spec):
    tasks = raw.get("tasks") if isinstance(raw, dict) else None
    for name, task in (tasks or {}).items():
        task_spec = spec["tasks"].get(str(name))
        if isinstance(task, dict) and task_spec:
            for key in ("action", "workflow"):
                _qualify_raw(task, key, task_spec.get(key))
    return raw


def _action_section(raw, spec):
    if isinstance(raw, dict):
        _qualify_raw(raw, "base", spec.get("base"))
    return raw


def _workflow_values(wb, spec, raw):
    definition = _own_definition(spec["name"], _workflow_section(raw, spec))
    return {
        "name": spec["name"],
        "namespace": wb.namespace,
        "definition": definition,
        "spec": spec,
        "checksum": lang.checksum(definition),
        "input": lang.workflow_input_string(spec["input"]),
        "tags": spec.get("tags") or [],
        "scope": wb.scope,
        "project_id": wb.project_id,
        "is_system": False,
    }


def _action_values(wb, spec, raw):
    return {
        "name": spec["name"],
        "namespace": wb.namespace,
        "definition": _own_definition(spec["name"], _action_section(raw, spec)),
        "spec": spec,
        "input": lang.input_string(spec["input"]) or None,
        "description": spec.get("description"),
        "tags": spec.get("tags") or [],
        "scope": wb.scope,
        "project_id": wb.project_id,
        "is_system": False,
        "attributes": {},
    }


def _find(session, model, name, namespace):
    """The definition called exactly ``name`` in exactly ``namespace`` (no fallback)."""
    return (db_api.owned(session.query(model), model)
            .filter(model.name == name, model.namespace == namespace).first())


def _write_members(session, wb, wb_spec, text):
    """Create or rewrite the workbook's workflows and actions. A system definition
    with a name the workbook wants is a conflict."""
    kinds = (
        (models.WorkflowDefinition, "workflows", _workflow_values, "Workflow"),
        (models.ActionDefinition, "actions", _action_values, "Action"),
    )
    raw_wb = yaml_loader.load(text).data
    for model, key, values_of, label in kinds:
        raw_sections = raw_wb.get(key) or {}
        for spec in wb_spec[key]:
            raw = raw_sections.get(_short(wb.name, spec["name"]))
            values = values_of(wb, spec, raw)
            row = _find(session, model, spec["name"], wb.namespace)
            if row is None:
                db_api.create(model, values)
            elif not row.is_system:
                db_api.update(row, values)
            else:
                raise exc.Conflict(
                    "%s %s already exists as a system definition" % (label, spec["name"]))


def get(name, namespace=""):
    """The workbook ``name`` in exactly ``namespace``; NotFound (404) otherwise."""
    with db_api.transaction(read_only=True) as s:
        row = (db_api.secure(s.query(models.Workbook), models.Workbook)
               .filter(models.Workbook.name == name,
                       models.Workbook.namespace == (namespace or ""))
               .options(_undefer_all()).first())
    if row is None:
        raise exc.NotFound("Workbook not found [name=%s, namespace=%s]"
                           % (name, namespace or ""))
    return row


def _undefer_all():
    # Rows leave the transaction for the API response: load the deferred columns now.
    return sa.orm.undefer("*")


def create(text, namespace="", scope="private"):
    """Create a workbook with its workflows and actions; Conflict (409) if the workbook
    or one of its definitions exists already."""
    wb_spec = parse(text)
    namespace = namespace or ""
    with db_api.transaction() as session:
        wb = db_api.create(models.Workbook, {
            "name": wb_spec["name"],
            "namespace": namespace,
            "definition": text,
            "spec": wb_spec,
            "tags": wb_spec["tags"],
            "scope": scope,
        })
        _write_members(session, wb, wb_spec, text)
        return wb


def update(text, namespace="", scope="private"):
    """Replace an existing workbook (named in ``text``) and its definitions."""
    wb_spec = parse(text)
    namespace = namespace or ""
    with db_api.transaction() as session:
        wb = (db_api.secure(session.query(models.Workbook), models.Workbook)
              .filter(models.Workbook.name == wb_spec["name"],
                      models.Workbook.namespace == namespace)
              .options(_undefer_all()).with_for_update().first())
        if wb is None:
            raise exc.NotFound("Workbook not found [name=%s, namespace=%s]"
                               % (wb_spec["name"], namespace))
        db_api.check_owner(wb)
        db_api.update(wb, {"definition": text, "spec": wb_spec, "tags": wb_spec["tags"],
                           "scope": scope})
        _write_members(session, wb, wb_spec, text)
        return wb


def delete(name, namespace=""):
    """Delete a workbook; the workflows and actions it defined stay (as in Mistral)."""
    namespace = namespace or ""
    with db_api.transaction() as session:
        wb = (db_api.secure(session.query(models.Workbook), models.Workbook)
              .filter(models.Workbook.name == name, models.Workbook.namespace == namespace)
              .options(_undefer_all()).first())
        if wb is None:
            raise exc.NotFound("Workbook not found [name=%s, namespace=%s]"
                               % (name, namespace))
        db_api.check_owner(wb)
        session.delete(wb)
