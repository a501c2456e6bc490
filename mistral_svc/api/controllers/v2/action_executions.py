"""/v2/action_executions and /v2/tasks/{id}/action_executions."""

from pecan import rest
from wsme import types as wtypes

from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import action_runs, resources
from mistral_svc.db import api as db_api, models


def action_ex_resource(row, fields=None):
    data = row.to_dict()
    names = set(fields or resources.ActionExecution._wsme_attr_names())
    if "input" in names:
        data["input"] = row.input
    if "output" in names:
        data["output"] = row.output
    return resources.ActionExecution.from_dict(data, fields)


def list_action_executions(filters, marker, limit, sort_keys, sort_dirs, fields,
                           include_output=False, tags=None):
    limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
    fields = rest_utils.parse_fields(fields)
    undefer = ("input", "output") if include_output else ("input",)
    tags = [t.strip() for item in tags or () for t in item.split(",") if t.strip()]
    rows = db_api.list_(models.ActionExecution, filters, limit, marker, keys, dirs,
                        tags=tags, undefer=undefer)
    # Without include_output a list never shows output, asked for in fields or not (as
    # executions' lists): it is not loaded.
    out_fields = fields
    if not include_output:
        out_fields = [n for n in fields or resources.ActionExecution._wsme_attr_names()
                      if n != "output"]
    return resources.ActionExecutions(
        action_executions=[action_ex_resource(r, out_fields) for r in rows],
        next=rest_utils.next_link("action_executions", rows, limit, {
            "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
            "fields": ",".join(fields) if fields else None}),
    )


_LIST_ARGS = (wtypes.text, int, wtypes.text, wtypes.text, [wtypes.text], wtypes.text,
              wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text, bool,
              wtypes.text, wtypes.text, bool, [wtypes.text], wtypes.text, wtypes.text,
              wtypes.text, wtypes.text)


def _filters(name, workflow_name, task_name, task_execution_id, state, state_info,
             accepted, created_at, updated_at, input, output, params, description):
    filters = rest_utils.filters_from(
        name=name, workflow_name=workflow_name, task_name=task_name,
        task_execution_id=task_execution_id, state=state, state_info=state_info,
        created_at=created_at, updated_at=updated_at, input=input, output=output,
        params=params, description=description)
    if accepted is not None:
        filters["accepted"] = ("eq", accepted)
    return filters


class ActionExecutionsController(action_runs.ActionRunsMixin, rest.RestController):
    """Action executions."""

    @rest_utils.wsexpose(resources.ActionExecution, wtypes.text, [wtypes.text])
    def get_one(self, id, fields=None):
        access.enforce("action_executions:get")
        return action_ex_resource(db_api.get(models.ActionExecution, id),
                                  rest_utils.parse_fields(fields))

    @rest_utils.wsexpose(resources.ActionExecutions, *_LIST_ARGS)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, workflow_name=None, task_name=None,
                task_execution_id=None, state=None, state_info=None, accepted=None,
                created_at=None, updated_at=None, include_output=False, tags=None,
                input=None, output=None, params=None, description=None):
        access.enforce("action_executions:list")
        filters = _filters(name, workflow_name, task_name, task_execution_id, state,
                           state_info, accepted, created_at, updated_at, input, output,
                           params, description)
        return list_action_executions(filters, marker, limit, sort_keys, sort_dirs, fields,
                                      include_output, tags)


class TaskActionExecutionsController(rest.RestController):
    """Action executions of one task."""

    @rest_utils.wsexpose(resources.ActionExecutions, wtypes.text, *_LIST_ARGS)
    def get_all(self, task_execution_id, marker=None, limit=None, sort_keys="created_at",
                sort_dirs="asc", fields=None, name=None, workflow_name=None, task_name=None,
                _task_ex_id=None, state=None, state_info=None, accepted=None,
                created_at=None, updated_at=None, include_output=False, tags=None,
                input=None, output=None, params=None, description=None):
        access.enforce("action_executions:list")
        db_api.get(models.TaskExecution, task_execution_id)
        filters = _filters(name, workflow_name, task_name, task_execution_id, state,
                           state_info, accepted, created_at, updated_at, input, output,
                           params, description)
        return list_action_executions(filters, marker, limit, sort_keys, sort_dirs, fields,
                                      include_output, tags)
