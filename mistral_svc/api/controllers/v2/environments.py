"""/v2/environments: named variable sets for executions (``params.env``)."""

import json

import pecan
import wsme
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import environments


def environment_resource(row, fields=None):
    """The API view of an environment row (``variables`` travel as a JSON string)."""
    data = row.to_dict()
    if data.get("variables") is None and (not fields or "variables" in fields):
        data["variables"] = {}
    return resources.Environment.from_dict(data, fields)


def _request_fields(body):
    """The fields the client actually sent, with ``variables`` decoded.

    WSME drops keys it knows but that are read-only or unset; the raw body tells which
    keys were given, so ``id`` or ``created_at`` in a request is refused, like upstream.
    """
    try:
        raw = json.loads(pecan.request.body or b"{}")
    except ValueError:
        raise exc.InputError("The request body is not valid JSON")
    if not isinstance(raw, dict):
        raise exc.InputError("The request body must be a JSON object")
    typed = body.to_dict() if body is not None else {}
    return {k: typed.get(k, raw[k]) for k in raw}


class EnvironmentsController(rest.RestController):
    """Environments."""

    @rest_utils.wsexpose(resources.Environment, body=resources.Environment, status_code=201)
    def post(self, body):
        """Create an environment: ``name``, ``description``, ``variables``, ``scope``."""
        access.enforce("environments:create")
        fields = _request_fields(body)
        access.enforce_scope("environments", fields.get("scope"))
        row = environments.create(fields)
        env = environment_resource(db_api.get(models.Environment, row.id))
        # Mistral's answer to a create leaves out the columns the request did not set.
        for name in ("description", "updated_at"):
            if getattr(env, name) is None:
                setattr(env, name, wsme.Unset)
        return env

    @rest_utils.wsexpose(resources.Environment, body=resources.Environment)
    def put(self, body):
        """Update the environment named in the body."""
        access.enforce("environments:update")
        fields = _request_fields(body)
        access.enforce_scope("environments", fields.get("scope"))
        row = environments.update(fields)
        return environment_resource(db_api.get(models.Environment, row.id))

    @rest_utils.wsexpose(resources.Environment, wtypes.text, [wtypes.text])
    def get_one(self, identifier, fields=None):
        """An environment by name or id."""
        access.enforce("environments:get")
        fields = rest_utils.parse_fields(fields)
        return environment_resource(environments.get(identifier), fields)

    @rest_utils.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, name):
        """Delete an environment by name."""
        access.enforce("environments:delete")
        environments.delete(name)

    @rest_utils.wsexpose(resources.Environments, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, bool)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, description=None, variables=None, scope=None,
                project_id=None, created_at=None, updated_at=None, all_projects=False):
        """A page of environments matching the filters, with a ``next`` link."""
        access.enforce_listing("environments", all_projects, project_id)
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(name=name, description=description, scope=scope,
                                          project_id=project_id, created_at=created_at,
                                          updated_at=updated_at)
        if variables:
            # Stored as JSON: compare decoded values rather than text in SQL.
            try:
                wanted = json.loads(variables)
            except ValueError:
                raise exc.InputError("The variables filter must be JSON")
        rows = db_api.list_(models.Environment, filters, None if variables else limit,
                            marker, keys, dirs)
        if variables:
            rows = [r for r in rows if r.variables == wanted][: limit or None]
        return resources.Environments(
            environments=[environment_resource(r, fields) for r in rows],
            next=rest_utils.next_link("environments", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
