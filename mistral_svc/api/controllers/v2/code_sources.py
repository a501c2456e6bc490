"""/v2/code_sources: Python text that dynamic actions take their classes from.

As in Mistral, the text is the request body (``text/plain``) and the name, scope and
namespace are query parameters: ``POST ?name=`` creates, ``PUT ?identifier=`` replaces
the text (the version grows by one). Every operation is admin-only by default
(``api.access``).
"""

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import code_sources


def code_source_resource(row, fields=None):
    return resources.CodeSource.from_dict(row.to_dict(), fields)


def _scope(scope):
    if scope == "public":
        access.enforce("code_sources:publicize")
    return scope


class CodeSourcesController(rest.RestController):
    """Code sources."""

    @rest_utils.documented(body="text", returns=resources.CodeSource, status=201)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def post(self, name=None, scope="private", namespace=""):
        """Create the code source ``name`` with the request body as its content;
        201 with it (version 1). 400 with the line when the text does not compile."""
        access.enforce("code_sources:create")
        if not name:
            raise exc.InputError("Missing argument: name")
        row = code_sources.create_code_source(
            name, rest_utils.request_text(), namespace=namespace or "",
            scope=_scope(scope), project_id=access.caller_project())
        row = code_sources.get_code_source(row.id)
        return rest_utils.json_response(rest_utils.to_json(code_source_resource(row)),
                                        status=201)

    @rest_utils.documented(body="text", returns=resources.CodeSource)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def put(self, identifier=None, scope="private", namespace=""):
        """Replace the content (and scope) of code source ``identifier``."""
        access.enforce("code_sources:update")
        if not identifier:
            raise exc.InputError("Missing argument: identifier")
        row = code_sources.update_code_source(identifier, rest_utils.request_text(),
                                              namespace=namespace or "",
                                              scope=_scope(scope))
        row = code_sources.get_code_source(row.id)
        return rest_utils.json_response(rest_utils.to_json(code_source_resource(row)))

    @rest_utils.wsexpose(resources.CodeSource, wtypes.text, wtypes.text, [wtypes.text])
    def get_one(self, identifier, namespace="", fields=None):
        """A code source by id, or by name in ``namespace``."""
        access.enforce("code_sources:get")
        fields = rest_utils.parse_fields(fields)
        return code_source_resource(
            code_sources.get_code_source(identifier, namespace or ""), fields)

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, identifier, namespace=""):
        """Delete a code source (400 while dynamic actions use it)."""
        access.enforce("code_sources:delete")
        code_sources.delete_code_source(identifier, namespace or "")

    @rest_utils.wsexpose(resources.CodeSources, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, [wtypes.text], wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, bool, wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, tags=None, scope=None, project_id=None,
                created_at=None, updated_at=None, all_projects=False, namespace=None):
        """A page of code sources matching the filters, with a ``next`` link."""
        access.enforce("code_sources:list")
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(
            name=name, scope=scope, project_id=project_id, created_at=created_at,
            updated_at=updated_at, namespace=namespace)
        undefer = ("content",) if not fields or "content" in fields else ()
        tags = [t.strip() for item in tags or () for t in item.split(",") if t.strip()]
        rows = db_api.list_(models.CodeSource, filters, limit, marker, keys, dirs,
                            tags=tags, undefer=undefer)
        return resources.CodeSources(
            code_sources=[code_source_resource(r, fields) for r in rows],
            next=rest_utils.next_link("code_sources", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
