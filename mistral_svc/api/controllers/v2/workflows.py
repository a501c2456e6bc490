"""/v2/workflows: definitions uploaded as YAML text."""

import pecan
from pecan import rest
from wsme import types as wtypes

from mistral_svc import exceptions as exc, lang
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import members as members_ctrl, resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import definitions


def workflow_resource(row, fields=None):
    data = row.to_dict()
    # A row just inserted has not loaded updated_at back; it is null until an update.
    data.setdefault("updated_at", None)
    if not fields or "definition" in fields:
        data["definition"] = row.definition
    if not fields or "interface" in fields:
        spec = row.spec or {}
        data["interface"] = {
            "input": [p["name"] if "default" not in p else {p["name"]: p["default"]}
                      for p in spec.get("input") or []],
            "output": list((spec.get("output") or {}).keys())
            if isinstance(spec.get("output"), dict) else [],
        }
    return resources.Workflow.from_dict(data, fields)


def _loaded_columns(fields=None):
    """The deferred columns ``workflow_resource`` reads for ``fields`` (all if None)."""
    wanted = {"definition": "definition", "interface": "spec"}
    return tuple(col for field, col in wanted.items() if not fields or field in fields)


def _scope(scope):
    if scope not in ("private", "public"):
        raise exc.InputError("Scope must be one of the following: private, public")
    return scope


def _bool(value):
    return str(value).lower() in ("1", "true", "yes")


class WorkflowsController(rest.RestController):
    """Workflow definitions."""

    _custom_actions = {"validate": ["POST"]}
    members = members_ctrl.MembersController("workflow")

    @rest_utils.documented(body="text", returns=resources.Workflows, status=201)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def post(self, namespace="", scope="private", skip_validation=False):
        access.enforce("workflows:create")
        access.enforce_scope("workflows", scope)
        text = rest_utils.request_text()
        rows = definitions.create_workflows(text, namespace=namespace, scope=_scope(scope),
                                            skip_validation=_bool(skip_validation))
        body = resources.Workflows(workflows=[workflow_resource(r) for r in rows])
        return rest_utils.json_response(rest_utils.to_json(body), status=201)

    @rest_utils.documented(body="text", returns=[resources.Workflows, resources.Workflow],
                           item="identifier")
    @rest_utils.wrap_pecan
    @pecan.expose()
    def put(self, identifier=None, namespace="", scope="private", skip_validation=False):
        access.enforce("workflows:update")
        access.enforce_scope("workflows", scope)
        text = rest_utils.request_text()
        rows = definitions.update_workflows(text, identifier=identifier, namespace=namespace,
                                            scope=_scope(scope),
                                            skip_validation=_bool(skip_validation))
        if identifier:
            return rest_utils.json_response(rest_utils.to_json(workflow_resource(rows[0])))
        body = resources.Workflows(workflows=[workflow_resource(r) for r in rows])
        return rest_utils.json_response(rest_utils.to_json(body))

    @rest_utils.documented(body="text", returns=rest_utils.VALIDATION)
    @rest_utils.wrap_pecan
    @pecan.expose()
    def validate(self):
        try:
            lang.parse_workflows(rest_utils.request_text())
        except (lang.DSLError, exc.InputError) as e:
            return rest_utils.json_response({"valid": False, "error": str(e)})
        return rest_utils.json_response({"valid": True})

    @rest_utils.wsexpose(resources.Workflow, wtypes.text, wtypes.text, [wtypes.text])
    def get_one(self, identifier, namespace="", fields=None):
        access.enforce("workflows:get")
        fields = rest_utils.parse_fields(fields)
        row = db_api.get_by_id_or_name(models.WorkflowDefinition, identifier, namespace,
                                       exact=True)
        return workflow_resource(row, fields)

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, identifier, namespace=""):
        access.enforce("workflows:delete")
        definitions.delete_workflow(identifier, namespace)

    @rest_utils.wsexpose(resources.Workflows, wtypes.text, int, wtypes.text, wtypes.text,
                         [wtypes.text],
              wtypes.text, wtypes.text, wtypes.text, [wtypes.text], wtypes.text, wtypes.text,
              wtypes.text, wtypes.text, bool, wtypes.text)
    def get_all(self, marker=None, limit=None, sort_keys="created_at", sort_dirs="asc",
                fields=None, name=None, input=None, definition=None, tags=None, scope=None,
                project_id=None, created_at=None, updated_at=None, all_projects=False,
                namespace=None):
        access.enforce_listing("workflows", all_projects, project_id)
        limit, keys, dirs = rest_utils.list_args(limit, sort_keys, sort_dirs)
        fields = rest_utils.parse_fields(fields)
        filters = rest_utils.filters_from(name=name, input=input, scope=scope,
                                          project_id=project_id, created_at=created_at,
                                          updated_at=updated_at, namespace=namespace)
        rows = db_api.list_(models.WorkflowDefinition, filters, limit, marker, keys, dirs,
                            tags=tags,
                            undefer=_loaded_columns(fields))
        return resources.Workflows(
            workflows=[workflow_resource(r, fields) for r in rows],
            next=rest_utils.next_link("workflows", rows, limit, {
                "sort_keys": ",".join(keys), "sort_dirs": ",".join(dirs),
                "fields": ",".join(fields) if fields else None}),
        )

