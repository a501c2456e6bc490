"""/v2/workbooks: workbooks uploaded as YAML text, with their workflows and actions."""

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import workbooks


def workbook_resource(row, fields=None):
    """The API view of a workbook row (``definition`` included unless left out)."""
    data = row.to_dict()
    if not fields or "definition" in fields:
        data["definition"] = row.definition
    return resources.Workbook.from_dict(data, fields)


def _fresh(row):
    # Read the committed row back: timestamps set by the database are then present.
    return db_api.get(models.Workbook, row.id)


def _scope(scope):
    if scope not in ("private", "public"):
        raise exc.InputError("Scope must be one of the following: private, public")
    return scope


class WorkbooksController(rest.RestController):
    """Workbooks: containers of workflows and ad-hoc actions defined in one text."""

    _custom_actions = {"validate": ["POST"]}

    @rest_utils.documented(body="text", returns=resources.Workbook, status=201)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def post(self, namespace="", scope="private", skip_validation=False):
        """Create a workbook from the YAML request body; 201 with the new workbook."""
        access.enforce("workbooks:create")
        access.enforce_scope("workbooks", scope)
        row = workbooks.create(rest_utils.request_text(), namespace=namespace,
                               scope=_scope(scope))
        return rest_utils.json_response(rest_utils.to_json(workbook_resource(_fresh(row))),
                                        status=201)

    @rest_utils.documented(body="text", returns=resources.Workbook)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def put(self, namespace="", scope="private", skip_validation=False):
        """Replace the workbook named in the YAML request body."""
        access.enforce("workbooks:update")
        access.enforce_scope("workbooks", scope)
        row = workbooks.update(rest_utils.request_text(), namespace=namespace,
                               scope=_scope(scope))
        return rest_utils.json_response(rest_utils.to_json(workbook_resource(_fresh(row))))

    @rest_utils.documented(body="text", returns=rest_utils.VALIDATION)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def validate(self):
        """Check a workbook text without storing anything."""
        return rest_utils.json_response(workbooks.validate(rest_utils.request_text()))

    @rest_utils.wsexpose(resources.Workbook, wtypes.text, wtypes.text, [wtypes.text])
    def get_one(self, name, namespace="", fields=None):
        """The workbook ``name`` in ``namespace`` (the default namespace if not given)."""
        access.enforce("workbooks:get")
        fields = rest_utils.parse_fields(fields)
        return workbook_resource(workbooks.get(name, namespace), fields)

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, name, namespace=""):
        """Delete a workbook; the workflows and actions it defined stay."""
        access.enforce("workbooks:delete")
        workbooks.delete(name, namespace)

    @rest_utils.wsexpose(resources.Workbooks, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text], wtypes.text, wtypes.text, [wtypes.text],
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text, bool,
                         wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, definition=None, tags=None, scope=None,
                project_id=None, created_at=None, updated_at=None, all_projects=False,
                namespace=None):
        """A page of workbooks matching the filters, with a ``next`` link."""
        access.enforce_listing("workbooks", all_projects, project_id)
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(name=name, definition=definition, scope=scope,
                                          project_id=project_id, created_at=created_at,
                                          updated_at=updated_at, namespace=namespace)
        undefer = ("definition",) if not fields or "definition" in fields else ()
        rows = db_api.list_(models.Workbook, filters, limit, marker, keys, dirs, tags=tags,
                            undefer=undefer)
        return resources.Workbooks(
            workbooks=[workbook_resource(r, fields) for r in rows],
            next=rest_utils.next_link("workbooks", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )
