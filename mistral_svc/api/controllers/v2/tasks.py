"""/v2/tasks and /v2/executions/{id}/tasks."""

import json

from pecan import rest
from wsme import types as wtypes

from mistral_svc import context, exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import action_executions as ae_ctrl, resources
from mistral_svc.db import api as db_api, models
from mistral_svc.rpc import clients
from mistral_svc.services import executions as execution_service
from mistral_svc.workflow import states


def task_resource(row, fields=None, with_result=True):
    data = row.to_dict()
    names = set(fields or resources.Task._wsme_attr_names())
    if "published" in names:
        data["published"] = row.published or {}
    if "result" in names and with_result:
        data["result"] = json.dumps(execution_service.task_result(row))
    data["reset"] = False
    return resources.Task.from_dict(data, fields)


_CLAUSES = {states.SUCCESS: ("on-success", "on-complete"),
            states.ERROR: ("on-error", "on-complete")}


def published_global(row):
    """What a finished task published to the execution's global scope (the
    ``publish: global:`` of the clauses its outcome took), with the values those names
    hold now, as Mistral shows them with the task; None when it published none."""
    clauses = _CLAUSES.get(row.state)
    if not clauses:
        return None
    wf_ex = db_api.get(models.WorkflowExecution, row.workflow_execution_id,
                       columns=("spec", "context"))
    task_spec = ((wf_ex.spec or {}).get("tasks") or {}).get(row.name) or {}
    names = [n for c in clauses for n in ((task_spec.get(c) or {}).get("publish-global")
                                          or {})]
    if not names:
        return None
    values = (wf_ex.context or {}).get("__global") or {}
    return {n: values.get(n) for n in names}


def list_tasks(filters, marker, limit, sort_keys, sort_dirs, fields, tags=None,
               shown_filters=None):
    """A page of tasks. ``shown_filters`` (``result``, ``reset``, ``env``) compare what
    the API shows of a task, so the page is cut after them."""
    limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
    fields = rest_utils.parse_fields(fields)
    shown_filters = {k: v for k, v in (shown_filters or {}).items() if v is not None}
    rows = db_api.list_(models.TaskExecution, filters, None if shown_filters else limit,
                        marker, keys, dirs, tags=_tag_list(tags), undefer=("published",))
    if shown_filters:
        rows = [r for r in rows if _shows(r, shown_filters)][: limit or None]
    # Results cost a query per task: lists carry them only when asked for.
    with_result = bool(fields and "result" in fields)
    return resources.Tasks(
        tasks=[task_resource(r, fields, with_result) for r in rows],
        next=rest_utils.next_link("tasks", rows, limit, {
            "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
            "fields": ",".join(fields) if fields else None}),
    )


def _tag_list(tags):
    return [t.strip() for item in tags or () for t in item.split(",") if t.strip()]


def _shows(row, wanted):
    """Whether the task as the API shows it matches ``wanted`` ({field: JSON text})."""
    shown = {"reset": False, "env": None}
    for field, text in wanted.items():
        op, value = rest_utils.parse_filter(text)
        if op not in ("eq", "neq"):
            raise exc.InputError("%s can only be filtered for equality" % field)
        try:
            value = json.loads(value)
        except ValueError:
            if field != "result":
                raise exc.InputError("The %s filter must be JSON" % field)
        actual = (execution_service.task_result(row) if field == "result"
                  else shown[field])
        if (actual == value) != (op == "eq"):
            return False
    return True


def task_filters(name=None, workflow_name=None, workflow_id=None,
                 workflow_execution_id=None, state=None, state_info=None, created_at=None,
                 updated_at=None, project_id=None, published=None, processed=None):
    """The SQL (and JSON column) filters of a task list."""
    filters = rest_utils.filters_from(
        name=name, workflow_name=workflow_name, workflow_id=workflow_id,
        workflow_execution_id=workflow_execution_id, state=state, state_info=state_info,
        created_at=created_at, updated_at=updated_at, project_id=project_id,
        published=published)
    if processed is not None:
        filters["processed"] = ("eq", processed)
    return filters


_LIST_ARGS = (wtypes.text, int, wtypes.text, wtypes.text, [wtypes.text], wtypes.text,
              wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text,
              wtypes.text, wtypes.text, [wtypes.text], wtypes.text, wtypes.text, bool,
              wtypes.text, wtypes.text)


class TaskSubExecutionsController(rest.RestController):
    """Sub-workflow executions of a workflow task, each with those below it."""

    @rest_utils.wsexpose(resources.Executions, wtypes.text, wtypes.text, int, bool)
    def get_all(self, task_execution_id, errors_only="", max_depth=-1, include_output=False):
        access.enforce("executions:list")
        from mistral_svc.api.controllers.v2.executions import execution_resource
        from mistral_svc.services import reports

        rows = reports.task_sub_executions(
            task_execution_id, str(errors_only).lower() == "true", max_depth)
        return resources.Executions(executions=[
            execution_resource(r, with_output=include_output) for r in rows])


class TaskWorkflowExecutionsController(rest.RestController):
    """The executions a workflow task started, as a list like /v2/executions (with its
    filters and pagination), as Mistral's /v2/tasks/{id}/workflow_executions."""

    @rest_utils.wsexpose(resources.Executions, wtypes.text, wtypes.text, int, wtypes.text,
                         wtypes.text, [wtypes.text], wtypes.text, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, bool)
    def get_all(self, task_execution_id, marker=None, limit=None, sort_keys="created_at",
                sort_dirs="asc", fields=None, workflow_name=None, workflow_id=None,
                description=None, tags=None, params=None, state=None, state_info=None,
                input=None, output=None, created_at=None, updated_at=None,
                include_output=False):
        from mistral_svc.api.controllers.v2.executions import list_executions

        db_api.get(models.TaskExecution, task_execution_id)
        return list_executions(
            marker, limit, sort_keys, sort_dirs, fields, tags=tags,
            include_output=include_output,
            link_extra={"task_execution_id": task_execution_id},
            task_execution_id=task_execution_id, workflow_name=workflow_name,
            workflow_id=workflow_id, description=description, params=params, state=state,
            state_info=state_info, input=input, output=output, created_at=created_at,
            updated_at=updated_at)


class TasksController(rest.RestController):
    """Task executions."""

    action_executions = ae_ctrl.TaskActionExecutionsController()
    executions = TaskSubExecutionsController()
    workflow_executions = TaskWorkflowExecutionsController()

    @rest_utils.wsexpose(resources.Task, wtypes.text, body=resources.Task)
    def put(self, id, body):
        """Rerun a failed task (``{"state": "RUNNING", "reset": bool, "env": "{...}"}``)
        or skip it (``{"state": "SKIPPED"}``)."""
        access.enforce("tasks:update")
        data = body.to_dict()
        if data.get("state") == states.SKIPPED:
            clients.EngineClient().skip_task(context.current(), id)
            return task_resource(db_api.get(models.TaskExecution, id))
        if data.get("state") != states.RUNNING:
            raise exc.InputError("Invalid task state. Only updating task to RUNNING or "
                                 "SKIPPED is supported.")
        reset = data.get("reset")
        clients.EngineClient().rerun_task(context.current(), id,
                                          reset=True if reset is None else reset,
                                          env=data.get("env"))
        return task_resource(db_api.get(models.TaskExecution, id))

    @rest_utils.wsexpose(resources.Task, wtypes.text, [wtypes.text])
    def get_one(self, id, fields=None):
        access.enforce("tasks:get")
        fields = rest_utils.parse_fields(fields)
        row = db_api.get(models.TaskExecution, id)
        task = task_resource(row, fields)
        if not fields or "published_global" in fields:
            published = published_global(row)
            if published:
                task.published_global = published
        return task

    @rest_utils.wsexpose(resources.Tasks, *_LIST_ARGS)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, workflow_name=None, workflow_id=None,
                workflow_execution_id=None, state=None, state_info=None, created_at=None,
                updated_at=None, project_id=None, tags=None, result=None, published=None,
                processed=None, reset=None, env=None):
        access.enforce("tasks:list")
        filters = task_filters(
            name, workflow_name, workflow_id, workflow_execution_id, state, state_info,
            created_at, updated_at, project_id, published, processed)
        return list_tasks(filters, marker, limit, sort_keys, sort_dirs, fields, tags,
                          {"result": result, "reset": reset, "env": env})


class ExecutionTasksController(rest.RestController):
    """Tasks of one execution."""

    @rest_utils.wsexpose(resources.Tasks, wtypes.text, *_LIST_ARGS)
    def get_all(self, workflow_execution_id, marker=None, limit=None, sort_keys="created_at",
                sort_dirs="asc", fields=None, name=None, workflow_name=None, workflow_id=None,
                _wf_ex_id=None, state=None, state_info=None, created_at=None,
                updated_at=None, project_id=None, tags=None, result=None, published=None,
                processed=None, reset=None, env=None):
        access.enforce("tasks:list")
        db_api.get(models.WorkflowExecution, workflow_execution_id)
        filters = task_filters(
            name, workflow_name, workflow_id, workflow_execution_id, state, state_info,
            created_at, updated_at, project_id, published, processed)
        return list_tasks(filters, marker, limit, sort_keys, sort_dirs, fields, tags,
                          {"result": result, "reset": reset, "env": env})
