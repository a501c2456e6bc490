"""/v2/event_triggers: start workflows when notifications arrive.

The rules (required fields, what an update may change, conflicts) live in
``services.event_triggers``; the listening in ``scheduler.events``. Here: the HTTP
shape, and who may do what. With ``[pecan] auth_enable`` on, a trigger belongs to the
caller's project (the ``X-Project-Id`` header keystonemiddleware sets), and only an
admin (policy rule ``event_triggers:publicize``) may make a trigger ``scope: public``,
which fires for the notifications of every project (403 otherwise). Without auth,
every trigger belongs to the default project and fires for every notification.
"""

from pecan import rest
from wsme import types as wtypes

from mistral_svc import config, context
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.services import event_triggers

CONF = config.CONF


def event_trigger_resource(row, fields=None):
    """The API view of a trigger row (input and params travel as JSON strings)."""
    data = row.to_dict()
    for name in ("workflow_input", "workflow_params"):
        if data.get(name) is None:
            data[name] = {}
    if data.get("name") is None:
        data["name"] = ""
    return resources.EventTrigger.from_dict(data, fields)


def _caller_project():
    return context.caller_project()


class EventTriggersController(rest.RestController):
    """Event triggers."""

    @rest_utils.wsexpose(resources.EventTrigger, body=resources.EventTrigger,
                         status_code=201)
    def post(self, body):
        """Create a trigger: ``workflow_id``, ``exchange``, ``topic`` and ``event`` are
        required; ``name``, ``workflow_input``, ``workflow_params`` (JSON strings) and
        ``scope`` (private, the default, or public) are optional."""
        access.enforce("event_triggers:create")
        data = body.to_dict()
        access.enforce_scope("event_triggers", data.get("scope"))
        row = event_triggers.create(
            data.get("name"),
            data.get("workflow_id"),
            data.get("exchange"),
            data.get("topic"),
            data.get("event"),
            workflow_input=data.get("workflow_input"),
            workflow_params=data.get("workflow_params"),
            scope=data.get("scope") or "private",
            project_id=_caller_project(),
        )
        return event_trigger_resource(event_triggers.get(row.id))

    @rest_utils.wsexpose(resources.EventTrigger, wtypes.text, [wtypes.text])
    def get_one(self, trigger_id, fields=None):
        """A trigger by id."""
        access.enforce("event_triggers:get")
        fields = rest_utils.parse_fields(fields)
        return event_trigger_resource(event_triggers.get(trigger_id), fields)

    @rest_utils.wsexpose(resources.EventTrigger, wtypes.text, body=resources.EventTrigger)
    def put(self, trigger_id, body):
        """Update a trigger's ``name``, ``workflow_id``, ``workflow_input``,
        ``workflow_params`` or ``scope``. ``exchange``, ``topic`` and ``event`` cannot
        change: delete the trigger and create a new one."""
        access.enforce("event_triggers:update")
        data = body.to_dict()
        access.enforce_scope("event_triggers", data.get("scope"))
        values = {k: data[k] for k in event_triggers.UPDATABLE + event_triggers.NOT_UPDATABLE
                  if k in data}
        return event_trigger_resource(event_triggers.update(trigger_id, values))

    @rest_utils.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, trigger_id):
        """Delete a trigger by id; executions it started stay."""
        access.enforce("event_triggers:delete")
        event_triggers.delete(trigger_id)

    @rest_utils.wsexpose(resources.EventTriggers, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, bool)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, workflow_id=None, workflow_input=None,
                workflow_params=None, exchange=None, topic=None, event=None, scope=None,
                project_id=None, created_at=None, updated_at=None, all_projects=False):
        """Triggers, filtered, sorted and paginated like every Mistral list."""
        access.enforce_listing("event_triggers", all_projects, project_id)
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(
            name=name, workflow_id=workflow_id, workflow_input=workflow_input,
            workflow_params=workflow_params, exchange=exchange, topic=topic, event=event,
            scope=scope, project_id=project_id, created_at=created_at,
            updated_at=updated_at,
        )
        rows = event_triggers.list_(filters, limit, marker, keys, dirs)
        link_params = {
            "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
            "fields": ",".join(fields) if fields else None,
            "name": name, "workflow_id": workflow_id, "workflow_input": workflow_input,
            "workflow_params": workflow_params, "exchange": exchange, "topic": topic,
            "event": event, "scope": scope, "project_id": project_id,
            "created_at": created_at, "updated_at": updated_at,
        }
        return resources.EventTriggers(
            event_triggers=[event_trigger_resource(r, fields) for r in rows],
            next=rest_utils.next_link("event_triggers", rows, limit, link_params),
        )
