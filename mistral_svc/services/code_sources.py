"""Code sources and dynamic actions: storage rules, and what the engine runs.

A code source is Python text with a version that grows by one on every update; a
dynamic action names a class of one. Text that does not compile is refused at upload
with the line of the error (Mistral stores it and fails at run time). A code source
cannot be deleted while a dynamic action uses it.

Every dynamic action also has a row among the action definitions (not a system one,
no YAML), so ``action-list`` and ``action-get`` show it with its input and docstring
as Mistral does; it changes with the dynamic action and with its code source.

What the engine runs of them is resolved by ``engine.dynamic_actions``.
"""

import sqlalchemy as sa

from mistral_svc import exceptions as exc
from mistral_svc.actions import code_sources, registry
from mistral_svc.db import api as db_api, models

SCOPES = ("private", "public")


def _scope(scope):
    scope = scope or "private"
    if scope not in SCOPES:
        raise exc.InputError("Scope must be one of the following: private, public")
    return scope


def _check_content(name, content):
    try:
        code_sources.check_syntax(name, content)
    except code_sources.CodeError as e:
        raise exc.InputError(str(e))


def _find(model, identifier, namespace):
    """The row whose id is ``identifier``, or whose name is in exactly ``namespace``."""
    with db_api.transaction(read_only=True) as s:
        q = s.query(model).filter(
            (model.id == identifier)
            | ((model.name == identifier) & (model.namespace == (namespace or ""))))
        if model is models.CodeSource:
            q = q.options(sa.orm.undefer(model.content))
        return q.first()


def get_code_source(identifier, namespace=""):
    row = _find(models.CodeSource, identifier, namespace)
    if row is None:
        raise exc.NotFound("Code Source not found [name=%s,namespace=%s]"
                           % (identifier, namespace or ""))
    return row


def create_code_source(name, content, namespace="", scope="private", project_id=None):
    """Store a new code source at version 1; 409 if the name is taken."""
    if not name:
        raise exc.InputError("A code source needs a name")
    _check_content(name, content)
    values = {"name": name, "namespace": namespace or "", "content": content,
              "version": 1, "scope": _scope(scope), "tags": []}
    if project_id:
        values["project_id"] = project_id
    try:
        return db_api.create(models.CodeSource, values)
    except exc.Conflict:
        raise exc.Conflict(
            "Duplicate entry for CodeSource ['name', 'namespace', 'project_id']: %s, %s, %s"
            % (name, namespace or "", project_id or "<default-project>"))


def update_code_source(identifier, content, namespace="", scope="private"):
    """Replace the content (and scope) of a code source; its version grows by one."""
    with db_api.transaction() as s:
        row = get_code_source(identifier, namespace)
        _check_content(row.name, content)
        row = db_api.update(row, {"content": content, "scope": _scope(scope),
                                  "version": (row.version or 0) + 1})
        for action in s.query(models.DynamicActionDefinition).filter(
                models.DynamicActionDefinition.code_source_id == row.id):
            _catalogue_row(action, content)
        return row


def delete_code_source(identifier, namespace=""):
    """Delete a code source; 400 while dynamic actions use it."""
    with db_api.transaction() as s:
        row = get_code_source(identifier, namespace)
        users = [r.name for r in s.query(models.DynamicActionDefinition.name).filter(
            models.DynamicActionDefinition.code_source_id == row.id)
            .order_by(models.DynamicActionDefinition.name)]
        if users:
            raise exc.InputError(
                "Can't delete code source that has dynamic actions associated. "
                "[code_source_identifier=%s, namespace=%s], [dynamic_action(s)=%s]"
                % (identifier, namespace or "", ", ".join(users)))
        db_api.delete(row)


# --- dynamic actions ---------------------------------------------------------------------


def get_dynamic_action(identifier, namespace=""):
    row = _find(models.DynamicActionDefinition, identifier, namespace)
    if row is None:
        raise exc.NotFound("Dynamic Action not found [name=%s,namespace=%s]"
                           % (identifier, namespace or ""))
    return row


def _check_class(code_source, class_name):
    try:
        code_sources.analyse(code_source.content, class_name)
    except code_sources.CodeError as e:
        raise exc.InputError("%s [code_source=%s]" % (e, code_source.name))


def _catalogue_row(action, content):
    """Create or refresh the action definition row that shows ``action`` in
    ``/v2/actions``; Conflict when an ad-hoc action has its name."""
    try:
        info = code_sources.analyse(content or "", action.class_name)
    except code_sources.CodeError:
        info = code_sources.ClassInfo()
    values = {
        "name": action.name, "namespace": action.namespace, "definition": "",
        "spec": None, "input": info.params_spec, "description": info.description,
        "tags": [], "is_system": False, "scope": action.scope,
        "action_class": ("%s.%s" % (action.code_source_name, action.class_name))[:255],
        "attributes": {"dynamic_action_id": action.id},
    }
    if action.project_id:
        values["project_id"] = action.project_id
    row = _catalogue_row_of(action.id)
    if row is not None:
        return db_api.update(row, values)
    try:
        return db_api.create(models.ActionDefinition, values)
    except exc.Conflict:
        raise exc.Conflict("Duplicate entry for dynamic action definition: an action "
                           "named %s exists [namespace=%s]" % (action.name,
                                                               action.namespace))


def _catalogue_row_of(dynamic_action_id):
    with db_api.transaction() as s:
        for row in s.query(models.ActionDefinition).filter(
                models.ActionDefinition.is_system.isnot(True),
                models.ActionDefinition.action_class.isnot(None)):
            if (row.attributes or {}).get("dynamic_action_id") == dynamic_action_id:
                return row
    return None


def create_dynamic_action(name, class_name, code_source=None, namespace="",
                          scope="private", project_id=None):
    """Store a dynamic action on class ``class_name`` of ``code_source`` (id or name,
    in the action's namespace); 409 if the name is taken or is a system action's."""
    if not name:
        raise exc.InputError("A dynamic action needs a name")
    if not class_name:
        raise exc.InputError("A dynamic action needs a class_name")
    if not code_source:
        raise exc.InputError("Either 'code_source_id' or 'code_source_name' must be "
                             "provided.")
    if registry.get(name) is not None:
        raise exc.Conflict("Duplicate entry for dynamic action definition: %s is a "
                           "system action" % name)
    with db_api.transaction():
        source = get_code_source(code_source, namespace)
        _check_class(source, class_name)
        values = {"name": name, "namespace": namespace or "", "class_name": class_name,
                  "code_source_id": source.id, "code_source_name": source.name,
                  "scope": _scope(scope)}
        if project_id:
            values["project_id"] = project_id
        try:
            row = db_api.create(models.DynamicActionDefinition, values)
        except exc.Conflict:
            raise exc.Conflict(
                "Duplicate entry for dynamic action definition [name=%s, namespace=%s, "
                "project_id=%s]" % (name, namespace or "", project_id or "<default-project>"))
        _catalogue_row(row, source.content)
        return row


def update_dynamic_action(identifier, namespace="", class_name=None, code_source=None,
                          scope=None):
    """Change the class, the code source or the scope of a dynamic action."""
    if not identifier:
        raise exc.InputError("Either 'name' or 'id' must be provided.")
    with db_api.transaction():
        row = get_dynamic_action(identifier, namespace)
        values = {}
        if scope:
            values["scope"] = _scope(scope)
        if class_name:
            values["class_name"] = class_name
        if code_source:
            source = get_code_source(code_source, row.namespace)
            values["code_source_id"] = source.id
            values["code_source_name"] = source.name
        else:
            source = db_api.get(models.CodeSource, row.code_source_id, columns=("content",))
        if class_name or code_source:
            _check_class(source, values.get("class_name", row.class_name))
        row = db_api.update(row, values)
        _catalogue_row(row, source.content)
        return row


def delete_dynamic_action(identifier, namespace=""):
    with db_api.transaction():
        row = get_dynamic_action(identifier, namespace)
        shown = _catalogue_row_of(row.id)
        if shown is not None:
            db_api.delete(shown)
        db_api.delete(row)
