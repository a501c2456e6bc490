"""/v2/dynamic_actions: actions whose class is defined in a code source.

The body is JSON (``name``, ``class_name``, ``code_source_id`` or ``code_source_name``,
``scope``, ``namespace``); ``PUT`` names the action by ``id`` or ``name`` in the body,
as Mistral's client sends it. Admin-only by default (``api.access``).
"""

import json

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import code_sources


def dynamic_action_resource(row, fields=None):
    return resources.DynamicAction.from_dict(row.to_dict(), fields)


def _body(body):
    """The fields the client sent (WSME fills defaults in for the others)."""
    try:
        raw = json.loads(pecan.request.body or b"{}")
    except ValueError:
        raise exc.InputError("The request body is not valid JSON")
    typed = body.to_dict() if body is not None else {}
    return {k: typed.get(k) for k in raw if k in typed}


def _check_scope(scope):
    if scope == "public":
        access.enforce("dynamic_actions:publicize")


class DynamicActionsController(rest.RestController):
    """Dynamic actions."""

    @rest_utils.wsexpose(resources.DynamicAction, body=resources.DynamicAction,
                         status_code=201)
    def post(self, body):
        """Create a dynamic action; 201 with it."""
        access.enforce("dynamic_actions:create")
        data = _body(body)
        _check_scope(data.get("scope"))
        row = code_sources.create_dynamic_action(
            data.get("name"), data.get("class_name"),
            data.get("code_source_id") or data.get("code_source_name"),
            namespace=data.get("namespace") or "", scope=data.get("scope") or "private",
            project_id=access.caller_project())
        return dynamic_action_resource(db_api.get(models.DynamicActionDefinition, row.id))

    @rest_utils.wsexpose(resources.DynamicAction, body=resources.DynamicAction)
    def put(self, body):
        """Change the class, code source or scope of the action named in the body."""
        access.enforce("dynamic_actions:update")
        data = _body(body)
        _check_scope(data.get("scope"))
        row = code_sources.update_dynamic_action(
            data.get("id") or data.get("name"), namespace=data.get("namespace") or "",
            class_name=data.get("class_name"),
            code_source=data.get("code_source_id") or data.get("code_source_name"),
            scope=data.get("scope"))
        return dynamic_action_resource(db_api.get(models.DynamicActionDefinition, row.id))

    @rest_utils.wsexpose(resources.DynamicAction, wtypes.text, wtypes.text, [wtypes.text])
    def get_one(self, identifier, namespace="", fields=None):
        """A dynamic action by id, or by name in ``namespace``."""
        access.enforce("dynamic_actions:get")
        fields = rest_utils.parse_fields(fields)
        return dynamic_action_resource(
            code_sources.get_dynamic_action(identifier, namespace or ""), fields)

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, identifier, namespace=""):
        """Delete a dynamic action."""
        access.enforce("dynamic_actions:delete")
        code_sources.delete_dynamic_action(identifier, namespace or "")

    @rest_utils.wsexpose(resources.DynamicActions, wtypes.text, int, wtypes.text,
                         wtypes.text, [wtypes.text], wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, bool, wtypes.text,
                         wtypes.text, wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, scope=None, project_id=None, created_at=None,
                updated_at=None, all_projects=False, namespace=None, class_name=None,
                code_source_name=None):
        """A page of dynamic actions matching the filters, with a ``next`` link."""
        access.enforce("dynamic_actions:list")
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(
            name=name, scope=scope, project_id=project_id, created_at=created_at,
            updated_at=updated_at, namespace=namespace, class_name=class_name,
            code_source_name=code_source_name)
        rows = db_api.list_(models.DynamicActionDefinition, filters, limit, marker, keys,
                            dirs)
        return resources.DynamicActions(
            dynamic_actions=[dynamic_action_resource(r, fields) for r in rows],
            next=rest_utils.next_link("dynamic_actions", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
