"""/v2/actions: the action catalogue (system actions) and ad-hoc actions as YAML."""

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import actions as action_service


def action_resource(row, fields=None):
    """The API view of an action definition row."""
    data = row.to_dict()
    if not fields or "definition" in fields:
        data["definition"] = row.definition
    return resources.Action.from_dict(data, fields)


def _scope(scope):
    if scope not in ("private", "public"):
        raise exc.InputError("Scope must be one of the following: private, public")
    return scope


def _bool_filter(value):
    if value is None:
        return None
    op, raw = rest_utils.parse_filter(value)
    if isinstance(raw, list):
        return op, [str(v).lower() in ("1", "true", "yes") for v in raw]
    text = str(raw).lower()
    if text not in ("1", "0", "true", "false", "yes", "no"):
        raise exc.InputError("is_system must be true or false, got %r" % raw)
    return op, text in ("1", "true", "yes")


def _listing(rows):
    # Read the rows back once committed: timestamps are then those the database holds.
    body = resources.Actions(actions=[action_resource(db_api.get(models.ActionDefinition,
                                                                 r.id)) for r in rows])
    return rest_utils.to_json(body)


class ActionsController(rest.RestController):
    """Action definitions: every system action and the ad-hoc actions users upload."""

    _custom_actions = {"validate": ["POST"]}

    @rest_utils.documented(body="text", returns=resources.Actions, status=201)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def post(self, namespace="", scope="private"):
        """Create the ad-hoc actions of the YAML request body; 201 with them."""
        access.enforce("actions:create")
        access.enforce_scope("actions", scope)
        rows = action_service.create_actions(rest_utils.request_text(), namespace=namespace,
                                             scope=_scope(scope))
        return rest_utils.json_response(_listing(rows), status=201)

    @rest_utils.documented(body="text", returns=resources.Actions, item="identifier")
    @rest_utils.wrap_pecan
    @pecan.expose()
    def put(self, identifier=None, namespace="", scope="private"):
        """Replace ad-hoc actions with the YAML request body (all it names, or the one
        ``identifier``); 200 with ``{"actions": [...]}``."""
        access.enforce("actions:update")
        access.enforce_scope("actions", scope)
        rows = action_service.update_actions(rest_utils.request_text(), identifier=identifier,
                                             namespace=namespace, scope=_scope(scope))
        return rest_utils.json_response(_listing(rows))

    @rest_utils.documented(body="text", returns=rest_utils.VALIDATION)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def validate(self, namespace=""):
        """Check an ad-hoc action text without storing anything."""
        return rest_utils.json_response(
            action_service.validate(rest_utils.request_text(), namespace))

    @rest_utils.wsexpose(resources.Action, wtypes.text, wtypes.text, [wtypes.text])
    def get_one(self, identifier, namespace="", fields=None):
        """An action by id or name (``namespace`` first, then the default one); the
        namespace may also come as a second path segment, as python-mistralclient
        sends it."""
        access.enforce("actions:get")
        fields = rest_utils.parse_fields(fields)
        row = db_api.get_by_id_or_name(models.ActionDefinition, identifier, namespace or "")
        return action_resource(row, fields)

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, identifier, namespace=""):
        """Delete an ad-hoc action (system actions: 400)."""
        access.enforce("actions:delete")
        action_service.delete_action(identifier, namespace or "")

    @rest_utils.wsexpose(resources.Actions, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, [wtypes.text],
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="name", sort_dirs="asc",
                fields=None, name=None, scope=None, tags=None, created_at=None,
                updated_at=None, description=None, definition=None, is_system=None,
                input=None, namespace=None, project_id=None):
        """A page of actions matching the filters, with a ``next`` link."""
        access.enforce("actions:list")
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys or "name", sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(
            name=name, scope=scope, created_at=created_at, updated_at=updated_at,
            description=description, definition=definition, input=input,
            namespace=namespace, project_id=project_id)
        system = _bool_filter(is_system)
        if system is not None:
            filters["is_system"] = system
        rows = db_api.list_(models.ActionDefinition, filters, limit, marker, keys, dirs,
                            tags=tags,
                            undefer=("definition",) if not fields or "definition" in fields
                            else ())
        return resources.Actions(
            actions=[action_resource(r, fields) for r in rows],
            next=rest_utils.next_link("actions", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
