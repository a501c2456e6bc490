"""/v2/cron_triggers: start workflows on a schedule."""

from pecan import rest
from wsme import types as wtypes

from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import triggers


def cron_trigger_resource(row, fields=None):
    """The API view of a trigger row (input and params travel as JSON strings)."""
    data = row.to_dict()
    for name in ("workflow_input", "workflow_params"):
        if data.get(name) is None:
            data[name] = {}
    return resources.CronTrigger.from_dict(data, fields)


class CronTriggersController(rest.RestController):
    """Cron triggers."""

    @rest_utils.wsexpose(resources.CronTrigger, body=resources.CronTrigger, status_code=201)
    def post(self, body):
        """Create a trigger: ``name``, ``workflow_name`` or ``workflow_id``, and
        ``pattern`` and/or ``first_execution_time`` ("YYYY-MM-DD HH:MM", UTC)."""
        access.enforce("cron_triggers:create")
        data = body.to_dict()
        access.enforce_scope("cron_triggers", data.get("scope"))
        row = triggers.create(
            data.get("name"),
            workflow_name=data.get("workflow_name"),
            workflow_id=data.get("workflow_id"),
            workflow_namespace=data.get("workflow_namespace") or "",
            workflow_input=data.get("workflow_input"),
            workflow_params=data.get("workflow_params"),
            pattern=data.get("pattern"),
            first_execution_time=data.get("first_execution_time"),
            remaining_executions=data.get("remaining_executions"),
            scope=data.get("scope") or "private",
        )
        return cron_trigger_resource(db_api.get(models.CronTrigger, row.id))

    @rest_utils.wsexpose(resources.CronTrigger, wtypes.text, [wtypes.text])
    def get_one(self, identifier, fields=None):
        """A trigger by name or id."""
        access.enforce("cron_triggers:get")
        fields = rest_utils.parse_fields(fields)
        return cron_trigger_resource(triggers.get(identifier), fields)

    @rest_utils.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, identifier):
        """Delete a trigger by name or id."""
        access.enforce("cron_triggers:delete")
        triggers.delete(identifier)

    @rest_utils.wsexpose(resources.CronTriggers, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, bool,
                         wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, workflow_name=None, workflow_id=None,
                workflow_input=None, workflow_params=None, scope=None, pattern=None,
                remaining_executions=None, first_execution_time=None,
                next_execution_time=None, created_at=None, updated_at=None, project_id=None,
                all_projects=False, status=None):
        """Triggers, filtered, sorted and paginated like every Mistral list."""
        access.enforce_listing("cron_triggers", all_projects, project_id)
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(
            name=name, workflow_name=workflow_name, workflow_id=workflow_id,
            workflow_input=workflow_input, workflow_params=workflow_params, scope=scope,
            pattern=pattern, remaining_executions=remaining_executions,
            first_execution_time=first_execution_time,
            next_execution_time=next_execution_time, created_at=created_at,
            updated_at=updated_at, project_id=project_id, status=status,
        )
        rows = triggers.list_(filters, limit, marker, keys, dirs)
        return resources.CronTriggers(
            cron_triggers=[cron_trigger_resource(r, fields) for r in rows],
            next=rest_utils.next_link("cron_triggers", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
