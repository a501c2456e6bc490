"""/v2/workflows/{id}/members: sharing a private workflow with other projects.

Sharing only means something when requests carry a project, so, as in upstream Mistral,
every members call answers 400 ("Resource sharing feature can only be supported with
authentication enabled.") unless ``[pecan] auth_enable`` is on. With auth on, the
caller's project is the one of the request context (what keystonemiddleware
validated). The resource must be named by its UUID, since names are not unique across
projects and namespaces.

The rules on who may list, share, accept and remove are in ``services.members``.
"""

import uuid

from pecan import rest
from wsme import types as wtypes

from mistral_svc import config, context, exceptions as exc
from mistral_svc.api import access, rest_utils
from mistral_svc.api.controllers.v2 import resources
from mistral_svc.db import api as db_api, models
from mistral_svc.services import members

CONF = config.CONF
# The project_id rows get while no project is known (the models' column default).
DEFAULT_PROJECT = context.DEFAULT_PROJECT_ID


def _caller():
    return context.caller_project() or DEFAULT_PROJECT


def _check(resource_id):
    """Refuse the call unless sharing can work: auth on, and a UUID for the resource."""
    if not CONF.pecan.auth_enable:
        raise exc.InputError(
            "Resource sharing feature can only be supported with authentication enabled.")
    try:
        uuid.UUID(resource_id)
    except ValueError:
        raise exc.InputError(
            "Only support UUID as resource identifier in resource sharing feature.")


def member_resource(row):
    """The API view of a member row."""
    return resources.Member.from_dict(row.to_dict())


class MembersController(rest.RestController):
    """Members of one shared resource; the resource id comes from the parent URL."""

    def __init__(self, resource_type):
        super().__init__()
        self.resource_type = resource_type

    @rest_utils.wsexpose(resources.Members, wtypes.text)
    def get_all(self, resource_id):
        """The members the caller may see: all of them for the owner, else its own."""
        access.enforce("members:list")
        _check(resource_id)
        rows = members.list_(resource_id, self.resource_type, _caller())
        return resources.Members(members=[member_resource(r) for r in rows])

    @rest_utils.wsexpose(resources.Member, wtypes.text, wtypes.text)
    def get_one(self, resource_id, member_id):
        """One member record."""
        access.enforce("members:get")
        _check(resource_id)
        return member_resource(
            members.get(resource_id, self.resource_type, member_id, _caller()))

    @rest_utils.wsexpose(resources.Member, wtypes.text, body=resources.Member,
                         status_code=201)
    def post(self, resource_id, body):
        """Share the resource with the project ``member_id`` (status ``pending``)."""
        access.enforce("members:create")
        _check(resource_id)
        member_id = body.to_dict().get("member_id") if body is not None else None
        row = members.create(resource_id, self.resource_type, member_id, _caller())
        return member_resource(db_api.get(models.ResourceMember, row.id))

    @rest_utils.wsexpose(resources.Member, wtypes.text, wtypes.text, body=resources.Member)
    def put(self, resource_id, member_id, body):
        """Accept or reject a share (by the member project itself)."""
        access.enforce("members:update")
        _check(resource_id)
        status = body.to_dict().get("status") if body is not None else None
        row = members.update(resource_id, self.resource_type, member_id, status, _caller())
        return member_resource(db_api.get(models.ResourceMember, row.id))

    @rest_utils.wsexpose(None, wtypes.text, wtypes.text, status_code=204)
    def delete(self, resource_id, member_id):
        """Stop sharing with ``member_id``."""
        access.enforce("members:delete")
        _check(resource_id)
        members.delete(resource_id, self.resource_type, member_id, _caller())
