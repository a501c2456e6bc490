"""The conductor's ``Catalog``: definitions, actions, environments and other executions,
read from the database (and the action registry) for the engine."""

import dataclasses

from mistral_svc import exceptions as exc, lang
from mistral_svc.actions import adhoc, base as action_base, registry
from mistral_svc.db import api as db_api, models
from mistral_svc.engine import dynamic_actions, store
from mistral_svc.lang import inputs as lang_inputs
from mistral_svc.workflow import records
from mistral_svc.workflow.runtime import result_of
from mistral_svc.workflow.view import LookupFailed


@dataclasses.dataclass
class Definition:
    """A workflow definition as the conductor needs it; ``spec()`` comes from the spec
    cache, so a definition seen before is never parsed or even read again."""

    id: str
    name: str
    namespace: str
    checksum: str
    project_id: str

    def spec(self):
        return lang.workflow_spec((self.checksum, self.name), self._load)

    def _load(self):
        return db_api.get(models.WorkflowDefinition, self.id, columns=("spec",)).spec


def find_definition(identifier, namespace="", exact=False):
    """A workflow definition by id or name (``namespace`` first, then the default one
    unless ``exact``); NotFound if none."""
    row = db_api.get_by_id_or_name(models.WorkflowDefinition, identifier, namespace,
                                   exact=exact)
    return Definition(row.id, row.name, row.namespace, row.checksum, row.project_id)


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


def resolve(action_name, namespace=""):
    """What runs for ``action_name``: a system action's catalogue entry, an
    ``adhoc.AdHocAction`` (its chain down to a system action), or a dynamic action.
    LookupFailed if there is no such action."""
    # Ad-hoc and dynamic actions cannot take a system action's name (in any
    # namespace), so the common case needs no query.
    cls = registry.get(action_name)
    if cls is not None:
        return cls
    try:
        resolved = None
        if registry.provider_enabled("adhoc"):
            resolved = adhoc.build(action_name, namespace, find_adhoc, registry.get,
                                   dynamic_actions.find_dynamic)
        if resolved is None:
            resolved = dynamic_actions.find_dynamic(action_name, namespace)
    except action_base.ActionError as e:
        raise LookupFailed(str(e))
    if resolved is None:
        raise LookupFailed("Failed to find action [action_name=%s]" % action_name)
    return resolved


class ActionRef:
    """An action as the conductor sees it (see ``Catalog.action``)."""

    def __init__(self, name, action):
        self.name = name
        self.action = action
        self.is_sync = bool(action.is_sync)

    def check_input(self, params):
        try:
            if isinstance(self.action, adhoc.AdHocAction):
                self.action.check_input(params)
            else:
                action_base.check_input(self.action, params)
        except action_base.ActionError as e:
            raise lang_inputs.InputMismatch(str(e))

    def prepare(self, params, evaluate):
        """The ad-hoc runtime of an action execution: the system action to run, its
        evaluated input and the output transformations (None for a system action)."""
        if not isinstance(self.action, adhoc.AdHocAction):
            return None
        try:
            base_input = self.action.base_input(params, evaluate)
        except action_base.ActionError as e:
            raise lang_inputs.InputMismatch(str(e))
        return {"base": self.action.base_name, "base_input": base_input,
                "outputs": self.action.outputs()}


def transform_output(outputs, data, evaluate):
    """An ad-hoc action's result after its ``output`` transformations; ValueError if
    one fails."""
    try:
        return adhoc.transform(outputs, data, evaluate)
    except action_base.ActionError as e:
        raise ValueError(str(e))


class DbCatalog:
    """``Catalog`` for the engine, inside the current transaction."""

    def __init__(self, session):
        self.session = session

    def workflow(self, name, namespace, exact=False):
        try:
            return find_definition(name, namespace, exact)
        except exc.NotFound as e:
            raise LookupFailed(e.message)

    def action(self, name, namespace):
        return ActionRef(name, resolve(name, namespace))

    def transform(self, outputs, data, evaluate):
        return transform_output(outputs, data, evaluate)

    def environment(self, name):
        row = db_api.find(models.Environment, name=name)
        if row is None:
            raise LookupFailed("Environment is not found: %s" % name)
        return row.variables

    def execution_of_task(self, task_ex_id):
        return self.session.execute(
            store.TASKS.select().with_only_columns(store.TASKS.c.workflow_execution_id)
            .where(store.TASKS.c.id == task_ex_id)).scalar()

    def execution(self, wf_ex_id):
        return store.lock_execution(self.session, wf_ex_id, lock=False)

    def executions(self, filters, limit):
        rows = db_api.list_(models.WorkflowExecution, filters=filters, limit=limit,
                            undefer=("input",))
        return [records.WorkflowEx.from_row(r.to_dict()) for r in rows]

    def tasks_of(self, wf_ex_id, state):
        q = store.TASKS.select()
        if wf_ex_id is not None:
            q = q.where(store.TASKS.c.workflow_execution_id == wf_ex_id)
        if state is not None:
            q = q.where(store.TASKS.c.state == state)
        q = q.order_by(store.TASKS.c.created_at)
        return [records.TaskEx.from_row(r) for r in self.session.execute(q).mappings()]

    def task_result(self, task_ex):
        return task_result(self.session, task_ex)


def task_result(session, task_ex):
    """The result of any task execution record, read from the database."""
    actions = []
    if task_ex.type != "WORKFLOW":
        q = (store.ACTIONS.select()
             .where(store.ACTIONS.c.task_execution_id == task_ex.id)
             .order_by(store.ACTIONS.c.created_at))
        actions = [records.ActionEx.from_row(r) for r in session.execute(q).mappings()]
    children = store.children_of(session, task_ex.id) if task_ex.type == "WORKFLOW" else []
    return result_of(task_ex, actions, children)
