"""/v2/executions: start, watch, steer and delete workflow executions."""

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import context, exceptions as exc, notifications
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources, tasks as tasks_ctrl
from mistral_svc.db import api as db_api, models
from mistral_svc.rpc import clients
from mistral_svc.services import executions as ex_service, reports
from mistral_svc.workflow import states


def execution_resource(row, fields=None, with_output=True):
    data = row.to_dict()
    names = set(fields or resources.Execution._wsme_attr_names())
    if "input" in names:
        data["input"] = row.input
    if "output" in names and with_output:
        data["output"] = row.output
    if "published_global" in names:
        data["context"] = row.context
    return _resource(data, names, fields, with_output)


def _resource(data, names, fields, with_output=True):
    """An Execution resource from the execution's columns in ``data``."""
    context = data.pop("context", None)
    if "published_global" in names:
        data["published_global"] = (context or {}).get("__global") or {}
    if not ("output" in names and with_output):
        data.pop("output", None)
    return resources.Execution.from_dict(data, fields)


def _shown_columns():
    """The execution columns a full response shows (the spec never; the data context
    for published_global)."""
    names = set(resources.Execution._wsme_attr_names())
    shown = [c.key for c in models.WorkflowExecution.__table__.columns if c.key in names]
    return list(dict.fromkeys(shown + list(loaded_columns())))


def loaded_columns(fields=None):
    """The deferred columns ``execution_resource`` reads for ``fields`` (all fields if
    None): the workflow spec never, the data context only for published_global."""
    names = set(fields or resources.Execution._wsme_attr_names())
    wanted = {"input": "input", "output": "output", "published_global": "context"}
    return tuple(col for field, col in wanted.items() if field in names)


def _ctx():
    return context.current()


def _merged(base, override):
    """``override`` laid over ``base``, dictionaries merged key by key."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override
    out = dict(base)
    for key, value in override.items():
        out[key] = _merged(base.get(key), value) if key in base else value
    return out


def _based_on(data):
    """The start request ``data`` completed from its source execution, as Mistral does:
    the source's workflow, input and params, with what the request gives laid over
    them, and a description saying which execution it is based on."""
    source_id = data["source_execution_id"]
    source = db_api.get(models.WorkflowExecution, source_id, columns=("input",))
    base = {"workflow_id": source.workflow_id, "workflow_name": source.workflow_name,
            "workflow_namespace": source.workflow_namespace,
            "input": source.input or {}, "params": source.params or {}}
    merged = _merged(base, {k: v for k, v in data.items() if k != "description"})
    merged["description"] = ("%s Based on the execution '%s'" % (
        data.get("description") or "", source_id)).strip()
    return merged


class SubExecutionsController(rest.RestController):
    """An execution and those started below it (sub-workflows, at any depth)."""

    @rest_utils.wsexpose(resources.Executions, wtypes.text, wtypes.text, int, bool)
    def get_all(self, workflow_execution_id, errors_only="", max_depth=-1,
                include_output=False):
        access.enforce("executions:list")
        rows = reports.sub_executions(workflow_execution_id,
                                      str(errors_only).lower() == "true", max_depth)
        return resources.Executions(executions=[
            execution_resource(r, with_output=include_output) for r in rows])


REPORT_QUERY = {"errors_only": bool, "max_depth": int, "statistics_only": bool}


class ReportController(rest.RestController):
    """The execution report: the tree of executions with task statistics."""

    @rest_utils.documented(returns={"type": "object"}, query=REPORT_QUERY)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def get_all(self, workflow_execution_id, **params):
        access.enforce("executions:get")
        # Query parameters are read here (not as arguments) because pecan routes this
        # nested controller by its positional arguments alone.
        unknown = set(params) - {"errors_only", "max_depth", "statistics_only"}
        if unknown:
            raise exc.InputError("Unknown argument: %s" % ", ".join(sorted(unknown)))
        try:
            depth = int(params.get("max_depth", -1))
        except ValueError:
            raise exc.InputError("max_depth must be an integer")
        report = reports.build_report(
            workflow_execution_id, str(params.get("errors_only")).lower() == "true", depth)
        if str(params.get("statistics_only")).lower() == "true":
            report = {"statistics": report["statistics"]}
        return rest_utils.json_response(report)


class ExecutionsController(rest.RestController):
    """Workflow executions."""

    tasks = tasks_ctrl.ExecutionTasksController()
    executions = SubExecutionsController()
    report = ReportController()

    @rest_utils.wsexpose(resources.Execution, wtypes.text, [wtypes.text])
    def get_one(self, id, fields=None):
        access.enforce("executions:get")
        fields = rest_utils.parse_fields(fields)
        row = db_api.get(models.WorkflowExecution, id, columns=loaded_columns(fields))
        return execution_resource(row, fields)

    @rest_utils.wsexpose(resources.Execution, body=resources.Execution, status_code=201)
    def post(self, body):
        """Start an execution. As in Mistral, a client may choose its ``id``: a POST with
        the id of an existing execution answers that execution and starts nothing, so a
        retried request cannot start the workflow twice. With ``source_execution_id`` the
        new execution takes what the request leaves out from that execution."""
        access.enforce("executions:create")
        data = {k: v for k, v in body.to_dict().items() if v is not None}
        exec_id = data.get("id")
        if exec_id is not None:
            if not isinstance(exec_id, str) or not 0 < len(exec_id) <= 36:
                raise exc.InputError("id must be a text of 1 to 36 characters")
            existing = db_api.find(models.WorkflowExecution, id=exec_id)
            if existing is not None:
                return execution_resource(db_api.get(models.WorkflowExecution, exec_id))
        if data.get("source_execution_id"):
            data = _based_on(data)
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise exc.InputError("params must be a JSON object")
        notifications.check_publishers(params.get("notify"))
        wf_identifier = data.get("workflow_id") or data.get("workflow_name")
        if not wf_identifier:
            raise exc.InputError(
                "Workflow ID or workflow name must be provided. Workflow ID is "
                "recommended.")
        # A namespace given through the API is exact; only sub-workflow lookups fall
        # back to the default one. The engine answers with the stored execution, as
        # upstream's does, so the response needs no read of its own.
        try:
            result = clients.EngineClient().start_workflow(
                _ctx(), wf_identifier, data.get("workflow_namespace") or "",
                data.get("input") or {}, data.get("description") or "", params,
                exact_namespace=True, columns=_shown_columns(), wf_ex_id=exec_id,
            )
        except exc.Conflict:
            if exec_id is None:
                raise
            # The same id arrived twice at once: the other request started it.
            return execution_resource(db_api.get(models.WorkflowExecution, exec_id))
        names = set(resources.Execution._wsme_attr_names())
        return _resource(dict(result["columns"]), names, None)

    @rest_utils.wsexpose(resources.Execution, wtypes.text, body=resources.Execution)
    def put(self, id, body):
        access.enforce("executions:update")
        data = body.to_dict()
        db_api.get(models.WorkflowExecution, id)  # 404 before anything else
        new_state = data.get("state")
        if new_state is not None and new_state not in states.ALL:
            raise exc.InputError("Unknown state %r" % new_state)
        env = (data.get("params") or {}).get("env")
        if data.get("description") and new_state:
            raise exc.InputError(
                "The property description must be updated separately from state.")
        if env and new_state and new_state != states.RUNNING:
            raise exc.InputError(
                "The property env can only be updated when workflow execution is not "
                "running or on resume from pause.")
        if "description" in data and data["description"] is not None and not new_state:
            ex_service.update_description(id, data["description"])
        engine = clients.EngineClient()
        if new_state == states.PAUSED:
            engine.pause_workflow(_ctx(), id)
        elif new_state == states.RUNNING:
            engine.resume_workflow(_ctx(), id, env=env)
        elif new_state in (states.SUCCESS, states.ERROR, states.CANCELLED):
            engine.stop_workflow(_ctx(), id, new_state, data.get("state_info"))
        elif new_state is not None:
            raise exc.InputError("Can't change an execution's state to %s" % new_state)
        elif env is not None:
            ex_service.update_env(id, env)
        elif "description" not in data:
            raise exc.InputError(
                "Nothing to update: give state, description or params.env")
        return execution_resource(db_api.get(models.WorkflowExecution, id))

    @rest_utils.wsexpose(None, wtypes.text, bool, status_code=204)
    def delete(self, id, force=False):
        access.enforce("executions:delete")
        ex_service.delete(id, force=force)

    @rest_utils.wsexpose(resources.Executions, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, bool, wtypes.text,
                         bool, wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, workflow_name=None, workflow_id=None, description=None,
                params=None, tags=None, task_execution_id=None, root_execution_id=None,
                state=None, state_info=None, input=None, output=None, created_at=None,
                updated_at=None, include_output=False, project_id=None, all_projects=False,
                nulls=None):
        access.enforce_listing("executions", all_projects, project_id)
        return list_executions(
            marker, limit, sort_keys, sort_dirs, fields, tags=tags,
            include_output=include_output, nulls=nulls, workflow_name=workflow_name,
            workflow_id=workflow_id, description=description,
            task_execution_id=task_execution_id, root_execution_id=root_execution_id,
            state=state, state_info=state_info, created_at=created_at, updated_at=updated_at,
            project_id=project_id, params=params, input=input, output=output)


def list_executions(marker, limit, sort_keys, sort_dirs, fields, tags=None,
                    include_output=False, nulls=None, link_extra=None, **filter_args):
    """A page of executions matching ``filter_args`` (Mistral's filter syntax), with
    the ``next`` link (which also repeats ``link_extra``)."""
    limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
    fields = rest_utils.parse_fields(fields)
    filters = rest_utils.filters_from(**filter_args)
    for name in (nulls or "").split(","):
        if name.strip():
            filters[name.strip()] = ("eq", None)
    undefer = [c for c in loaded_columns(fields) if c != "output" or include_output]
    rows = db_api.list_(models.WorkflowExecution, filters, limit, marker, keys, dirs,
                        tags=tags, undefer=undefer)
    return resources.Executions(
        executions=[execution_resource(r, fields, with_output=include_output)
                    for r in rows],
        next=rest_utils.next_link("executions", rows, limit, dict(link_extra or {}, **{
            "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
            "fields": ",".join(fields) if fields else None})),
    )
