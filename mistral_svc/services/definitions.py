"""Definition management: parse and validate YAML, then store it, all or nothing.

A file may define several workflows; they are created in one transaction, so a bad or
duplicate one leaves none of them behind.
"""

import yaml

from mistral_svc import exceptions as exc, lang
from mistral_svc.db import api as db_api, models
from mistral_svc.lang import inputs as lang_inputs, yaml_loader


def _workflow_values(spec, text, namespace, scope):
    return {
        "name": spec["name"],
        "namespace": namespace or "",
        "definition": text,
        "spec": spec,
        "checksum": lang.checksum(text),
        "input": lang.workflow_input_string(spec["input"]),
        "tags": spec.get("tags") or [],
        "scope": scope,
        "is_system": False,
    }


def _own_texts(text, specs):
    """The definition each workflow keeps: the whole text when it defines one workflow;
    as in Mistral, just ``version`` and that workflow's section when it defines more."""
    if len(specs) == 1:
        return [text]
    raw = yaml_loader.load(text).data
    return [yaml.safe_dump({"version": raw.get("version"), s["name"]: raw.get(s["name"])},
                           sort_keys=False, default_flow_style=False, allow_unicode=True)
            for s in specs]


def _parse(text):
    try:
        return lang.parse_workflows(text)
    except lang.DSLError as e:
        raise exc.InvalidModel(str(e))


def create_workflows(text, namespace="", scope="private", skip_validation=False):
    """Create every workflow ``text`` defines; Conflict (409) if one exists already."""
    specs = _parse(text)
    texts = _own_texts(text, specs)
    with db_api.transaction():
        return [db_api.create(models.WorkflowDefinition,
                              _workflow_values(s, own, namespace, scope))
                for s, own in zip(specs, texts)]


def update_workflows(text, identifier=None, namespace="", scope="private",
                     skip_validation=False):
    """Replace the definitions of existing workflows (by name, or the one ``identifier``)."""
    specs = _parse(text)
    if identifier and len(specs) > 1:
        raise exc.InputError("Only one workflow can be updated when an identifier is given")
    rows = []
    texts = _own_texts(text, specs)
    with db_api.transaction():
        for s, own in zip(specs, texts):
            if identifier:
                row = db_api.get_by_id_or_name(models.WorkflowDefinition, identifier,
                                               namespace, exact=True)
                if row.name != s["name"]:
                    raise exc.InputError(
                        "Workflow name %r does not match the identified workflow %r"
                        % (s["name"], row.name))
            else:
                row = db_api.get_by_name(models.WorkflowDefinition, s["name"], namespace)
                if row.namespace != (namespace or ""):
                    raise exc.NotFound("Workflow not found [name=%s, namespace=%s]"
                                       % (s["name"], namespace))
            if row.is_system:
                raise exc.InputError("System workflows can't be modified")
            rows.append(db_api.update(row, _workflow_values(s, own, row.namespace, scope)))
    return rows


def delete_workflow(identifier, namespace=""):
    with db_api.transaction() as session:
        row = db_api.get_by_id_or_name(models.WorkflowDefinition, identifier, namespace,
                                       exact=True)
        if row.is_system:
            raise exc.InputError("System workflows can't be deleted")
        _check_no_triggers(session, row, identifier, namespace)
        # Its sharing records go with it.
        session.query(models.ResourceMember).filter_by(
            resource_type="workflow", resource_id=row.id).delete(synchronize_session=False)
        db_api.delete(row)


def _check_no_triggers(session, row, identifier, namespace):
    """As in Mistral, a workflow that a cron or event trigger starts stays (400) until
    its triggers are deleted."""
    crons = [t.id for t in session.query(models.CronTrigger.id)
             .filter(models.CronTrigger.workflow_id == row.id,
                     # A used-up trigger is gone in Mistral; here it only stays listed.
                     models.CronTrigger.status != "COMPLETED")]
    if crons:
        raise exc.InputError(
            "Can't delete workflow that has cron triggers associated. "
            "[workflow_identifier=%s, namespace=%s], [cron_trigger_id(s)=%s]"
            % (identifier, namespace or "", ", ".join(crons)))
    events = [t.id for t in session.query(models.EventTrigger.id)
              .filter(models.EventTrigger.workflow_id == row.id)]
    if events:
        raise exc.InputError(
            "Can't delete workflow that has event triggers associated. "
            "[workflow_identifier=%s], [event_trigger_id(s)=%s]"
            % (identifier, ", ".join(events)))


def check_workflow_input(wf_def, wf_input):
    """InputError unless ``wf_input`` fits the stored definition's input (triggers
    check at creation time, so they accept exactly the input a start would)."""
    spec = lang.workflow_spec((wf_def.checksum, wf_def.name), lambda: wf_def.spec)
    try:
        lang_inputs.check_declared(spec.name, "WorkflowSpec", spec.input, wf_input or {})
    except lang_inputs.InputMismatch as e:
        raise exc.InputError(str(e))
