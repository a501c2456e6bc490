"""Resource sharing: a project shares its private workflow with another project.

A member record says "resource R of owner project P is shared with project M" and has a
status: ``pending`` when created, then ``accepted`` or ``rejected`` by the member.

Who may do what (``caller`` is the project making the request):

- share (create): the owner, for a private workflow only; the member starts pending;
- list: the owner sees every member, a member sees only its own record;
- show: the owner or that member;
- update the status: only the member itself (the owner cannot accept on its behalf);
- delete: the owner or that member.

Records that a caller may not see are reported as not found, so their existence does
not leak to other projects.
"""

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models

STATUSES = ("pending", "accepted", "rejected")
RESOURCE_TYPES = {"workflow": models.WorkflowDefinition}


def _model_of(resource_type):
    model = RESOURCE_TYPES.get(resource_type)
    if model is None:
        raise exc.InputError("Resource type %r can't be shared; supported: %s"
                             % (resource_type, ", ".join(sorted(RESOURCE_TYPES))))
    return model


def _not_found(resource_id, member_id):
    return exc.NotFound("Resource member not found [resource_id=%s, member_id=%s]"
                        % (resource_id, member_id))


def _query(session, resource_id, resource_type):
    return session.query(models.ResourceMember).filter(
        models.ResourceMember.resource_id == resource_id,
        models.ResourceMember.resource_type == resource_type)


def _visible_to(query, caller):
    return query.filter((models.ResourceMember.project_id == caller)
                        | (models.ResourceMember.member_id == caller))


def create(resource_id, resource_type, member_id, caller):
    """Share the resource with ``member_id``; Conflict (409) if it is shared already."""
    if not member_id:
        raise exc.InputError("Member id must be provided.")
    model = _model_of(resource_type)
    with db_api.transaction():
        resource = db_api.get(model, resource_id)
        if resource.project_id != caller:
            raise exc.NotAllowed("Only the owner of a resource can share it.")
        if resource.scope != "private":
            raise exc.InputError("Only private resource could be shared.")
        if member_id == caller:
            raise exc.InputError("A resource can't be shared with its own project.")
        return db_api.create(models.ResourceMember, {
            "resource_id": resource_id,
            "resource_type": resource_type,
            "project_id": caller,
            "member_id": member_id,
            "status": "pending",
        })


def list_(resource_id, resource_type, caller):
    """The member records of a resource that ``caller`` may see."""
    _model_of(resource_type)
    with db_api.transaction(read_only=True) as s:
        return (_visible_to(_query(s, resource_id, resource_type), caller)
                .order_by(models.ResourceMember.created_at).all())


def get(resource_id, resource_type, member_id, caller):
    """One member record, if ``caller`` is the owner or that member."""
    _model_of(resource_type)
    with db_api.transaction(read_only=True) as s:
        row = (_visible_to(_query(s, resource_id, resource_type), caller)
               .filter(models.ResourceMember.member_id == member_id).first())
    if row is None:
        raise _not_found(resource_id, member_id)
    return row


def update(resource_id, resource_type, member_id, status, caller):
    """Set the status of the caller's own membership."""
    if not status:
        raise exc.InputError("Status must be provided.")
    if status not in STATUSES:
        raise exc.InputError("Status must be one of: %s" % ", ".join(STATUSES))
    _model_of(resource_type)
    if member_id != caller:
        raise _not_found(resource_id, member_id)
    with db_api.transaction() as s:
        row = (_query(s, resource_id, resource_type)
               .filter(models.ResourceMember.member_id == member_id).first())
        if row is None:
            raise _not_found(resource_id, member_id)
        return db_api.update(row, {"status": status})


def delete(resource_id, resource_type, member_id, caller):
    """Remove a member record (by the owner, or by the member leaving the share)."""
    _model_of(resource_type)
    with db_api.transaction() as s:
        row = (_visible_to(_query(s, resource_id, resource_type), caller)
               .filter(models.ResourceMember.member_id == member_id).first())
        if row is None:
            raise _not_found(resource_id, member_id)
        s.delete(row)
