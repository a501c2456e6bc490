"""The v2 resources, with the field names of Mistral's API reference."""

import wsme
from wsme import types as wtypes

from mistral_svc.api.controllers.v2 import types
from mistral_svc.api.controllers.v2.types import jsontype
from mistral_svc.workflow.runtime import fmt_date


class Resource(wtypes.Base):
    """Base of all resources: built from a dict or a DB row, trimmed to ``fields``."""

    _db_fields = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        types.register(cls)

    @classmethod
    def from_dict(cls, data, fields=None):
        obj = cls()
        for name in cls._wsme_attr_names():
            if fields and name not in fields:
                continue
            if name in data:
                value = data[name]
                if name in ("created_at", "updated_at", "started_at", "finished_at",
                            "next_execution_time", "first_execution_time"):
                    value = fmt_date(value) if value is not None and not isinstance(
                        value, str) else value
                setattr(obj, name, value)
        return obj

    @classmethod
    def _wsme_attr_names(cls):
        return [a.name for a in wsme.types.list_attributes(cls)]

    def to_dict(self):
        out = {}
        for name in self._wsme_attr_names():
            value = getattr(self, name)
            if value is not wsme.Unset:
                out[name] = value
        return out


class ResourceList(Resource):
    """A page of resources and the link to the next page."""

    next = wtypes.text


class Link(Resource):
    href = wtypes.text
    target = wtypes.text
    rel = wtypes.text


class Version(Resource):
    id = wtypes.text
    status = wtypes.text
    links = [Link]


class Versions(Resource):
    versions = [Version]


class Workflow(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    input = wtypes.text
    interface = jsontype
    definition = wtypes.text
    checksum = wtypes.text
    tags = [wtypes.text]
    scope = wtypes.Enum(wtypes.text, "private", "public")
    project_id = wtypes.text
    created_at = wtypes.text
    updated_at = wtypes.text


class Workflows(ResourceList):
    workflows = [Workflow]


class Workbook(Resource):
    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    definition = wtypes.text
    tags = [wtypes.text]
    scope = wtypes.Enum(wtypes.text, "private", "public")
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    created_at = wtypes.text
    updated_at = wtypes.text


class Workbooks(ResourceList):
    workbooks = [Workbook]


class Environment(Resource):
    id = wtypes.text
    name = wtypes.text
    description = wtypes.text
    variables = jsontype
    scope = wtypes.Enum(wtypes.text, "private", "public")
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    created_at = wtypes.text
    updated_at = wtypes.text


class Environments(ResourceList):
    environments = [Environment]


class Member(Resource):
    id = wtypes.text
    resource_id = wtypes.text
    resource_type = wtypes.text
    project_id = wtypes.text
    member_id = wtypes.text
    status = wtypes.Enum(wtypes.text, "pending", "accepted", "rejected")
    created_at = wtypes.text
    updated_at = wtypes.text


class Members(Resource):
    members = [Member]


class Execution(Resource):
    id = wtypes.text
    workflow_id = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    description = wtypes.text
    tags = [wtypes.text]
    params = jsontype
    task_execution_id = wtypes.text
    root_execution_id = wtypes.text
    source_execution_id = wtypes.text
    state = wtypes.text
    state_info = wtypes.text
    input = jsontype
    output = jsontype
    published_global = jsontype
    created_at = wtypes.text
    updated_at = wtypes.text
    project_id = wsme.wsattr(wtypes.text, readonly=True)


class Executions(ResourceList):
    executions = [Execution]


class Task(Resource):
    id = wtypes.text
    name = wtypes.text
    type = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    workflow_id = wtypes.text
    workflow_execution_id = wtypes.text
    tags = [wtypes.text]
    state = wtypes.text
    state_info = wtypes.text
    result = wtypes.text
    published = jsontype
    published_global = jsontype
    runtime_context = jsontype
    processed = bool
    reset = bool
    env = jsontype
    created_at = wtypes.text
    updated_at = wtypes.text
    started_at = wtypes.text
    finished_at = wtypes.text
    project_id = wsme.wsattr(wtypes.text, readonly=True)


class Tasks(ResourceList):
    tasks = [Task]


class ActionExecution(Resource):
    id = wtypes.text
    workflow_name = wtypes.text
    workflow_namespace = wtypes.text
    task_name = wtypes.text
    task_execution_id = wtypes.text
    state = wtypes.text
    state_info = wtypes.text
    tags = [wtypes.text]
    name = wtypes.text
    description = wtypes.text
    accepted = bool
    input = jsontype
    output = jsontype
    params = jsontype
    created_at = wtypes.text
    updated_at = wtypes.text
    project_id = wsme.wsattr(wtypes.text, readonly=True)


class ActionExecutions(ResourceList):
    action_executions = [ActionExecution]


class Action(Resource):
    """An action definition: a system action or an ad-hoc one."""

    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    is_system = bool
    input = wtypes.text
    description = wtypes.text
    tags = [wtypes.text]
    definition = wtypes.text
    scope = wtypes.text
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    created_at = wtypes.text
    updated_at = wtypes.text


class Actions(ResourceList):
    actions = [Action]


class CronTrigger(Resource):
    """Mistral's cron trigger fields, plus ``status``: READY while it has firings
    left, COMPLETED once its count is used up (it then stays listed)."""

    id = wtypes.text
    name = wtypes.text
    pattern = wtypes.text
    workflow_name = wtypes.text
    workflow_id = wtypes.text
    workflow_namespace = wtypes.text
    workflow_input = jsontype
    workflow_params = jsontype
    scope = wtypes.Enum(wtypes.text, "private", "public")
    first_execution_time = wtypes.text
    next_execution_time = wtypes.text
    remaining_executions = int
    status = wsme.wsattr(wtypes.text, readonly=True)
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    created_at = wtypes.text
    updated_at = wtypes.text


class CronTriggers(ResourceList):
    cron_triggers = [CronTrigger]


class EventTrigger(Resource):
    """An event trigger: start ``workflow_id`` on notifications of type ``event``
    arriving on ``exchange``/``topic``."""

    id = wtypes.text
    name = wtypes.text
    workflow_id = wtypes.text
    workflow_input = jsontype
    workflow_params = jsontype
    exchange = wtypes.text
    topic = wtypes.text
    event = wtypes.text
    scope = wtypes.Enum(wtypes.text, "private", "public")
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    created_at = wtypes.text
    updated_at = wtypes.text


class EventTriggers(ResourceList):
    event_triggers = [EventTrigger]


class Service(Resource):
    name = wtypes.text
    type = wtypes.text


class Services(Resource):
    services = [Service]


class CodeSource(Resource):
    """Python text that dynamic actions take their classes from."""

    id = wtypes.text
    name = wtypes.text
    namespace = wtypes.text
    content = wtypes.text
    version = int
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    scope = wtypes.Enum(wtypes.text, "private", "public")
    created_at = wtypes.text
    updated_at = wtypes.text


class CodeSources(ResourceList):
    code_sources = [CodeSource]


class DynamicAction(Resource):
    """An action whose class ``class_name`` is defined in a code source."""

    id = wtypes.text
    name = wtypes.text
    namespace = wsme.wsattr(wtypes.text, default="")
    code_source_id = wtypes.text
    code_source_name = wtypes.text
    class_name = wtypes.text
    project_id = wsme.wsattr(wtypes.text, readonly=True)
    scope = wtypes.Enum(wtypes.text, "private", "public")
    created_at = wtypes.text
    updated_at = wtypes.text


class DynamicActions(ResourceList):
    dynamic_actions = [DynamicAction]
