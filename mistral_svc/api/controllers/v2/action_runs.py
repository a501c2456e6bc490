"""Writes on /v2/action_executions: run an action (run-action), report the result of
an asynchronous one, delete a finished standalone one."""

import json

import pecan
from wsme import types as wtypes

from mistral_svc import config, context, exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.services import executions as ex_service
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.rpc import clients
from mistral_svc.workflow import states

CONF = config.CONF

_RESULT_STATES = (states.SUCCESS, states.ERROR, states.CANCELLED)
_UPDATE_STATES = _RESULT_STATES + (states.PAUSED, states.RUNNING)


def _ctx():
    return context.current()


def _resource(row):
    from mistral_svc.api.controllers.v2 import action_executions

    return action_executions.action_ex_resource(row)


def _output_value(value):
    # Clients send the output as a JSON value; a JSON-encoded string is accepted too.
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _request_json():
    try:
        body = json.loads(pecan.request.body or b"{}")
    except ValueError as e:
        raise exc.InputError("The request body is not valid JSON: %s" % e)
    if not isinstance(body, dict):
        raise exc.InputError("The request body must be a JSON object")
    return body


def _check_params(params):
    """run-action's ``params``, refused here rather than by the engine or an
    executor: ``timeout`` a positive number of seconds, ``target`` an executor name."""
    timeout = params.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or
                                not isinstance(timeout, (int, float)) or timeout <= 0):
        raise exc.InputError("params.timeout must be a positive number of seconds, got %r"
                             % (timeout,))
    target = params.get("target")
    if target is not None and not isinstance(target, str):
        raise exc.InputError("params.target must be an executor name, got %r" % (target,))


class ActionRunsMixin:
    """post/put/delete of ActionExecutionsController."""

    @rest_utils.wsexpose(resources.ActionExecution, body=resources.ActionExecution,
                         status_code=201)
    def post(self, body):
        """Run an action outside any workflow. ``params``: run_sync, save_result,
        target, timeout."""
        access.enforce("action_executions:create")
        data = body.to_dict()
        name = data.get("name")
        if not name:
            raise exc.InputError("Name of action is required")
        params = data.get("params") or {}
        action_input = data.get("input")
        if not isinstance(params, dict):
            raise exc.InputError("params must be a JSON object")
        if action_input is not None and not isinstance(action_input, dict):
            raise exc.InputError("input must be a JSON object")
        _check_params(params)
        result = clients.EngineClient().start_action(
            _ctx(), name, action_input or {}, description=data.get("description"),
            namespace=data.get("workflow_namespace") or "", params=params)
        if result.get("id"):
            return _resource(db_api.get(models.ActionExecution, result["id"]))
        return resources.ActionExecution.from_dict(result)

    @rest_utils.documented(body=resources.ActionExecution, returns=resources.ActionExecution,
                           path=["id"])
    @rest_utils.wrap_pecan
    @pecan.expose()
    def put(self, id=None):
        """Report the result of an action execution (``state`` SUCCESS, ERROR or
        CANCELLED, with ``output``), or move it to PAUSED/RUNNING."""
        access.enforce("action_executions:update")
        if not id:
            pecan.abort(405)
        body = _request_json()
        state = body.get("state")
        if state not in _UPDATE_STATES:
            raise exc.InputError("Error. Expected one of %s, actual: %s"
                                 % (list(_UPDATE_STATES), state))
        db_api.get(models.ActionExecution, id)
        output = _output_value(body.get("output"))
        engine = clients.EngineClient()
        if state == states.SUCCESS:
            engine.complete_action(_ctx(), id, {"data": output})
        elif state == states.ERROR:
            engine.complete_action(_ctx(), id, {"error": output or "Unknown error"})
        elif state == states.CANCELLED:
            engine.complete_action(_ctx(), id, {"cancel": True})
        else:
            engine.on_action_update(_ctx(), id, state)
        row = db_api.get(models.ActionExecution, id)
        return rest_utils.json_response(rest_utils.to_json(_resource(row)))

    @rest_utils.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, id):
        """Delete a finished action execution that was run outside a workflow, when
        ``[api] allow_action_execution_deletion`` is on (403 otherwise)."""
        access.enforce("action_executions:delete")
        if not CONF.api.allow_action_execution_deletion:
            raise exc.NotAllowed("Action execution deletion is not allowed.")
        ex_service.delete_action_execution(id)
