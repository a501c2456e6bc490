"""System actions in the database, so ``action-list`` shows them like upstream."""

import logging

from mistral_svc.actions import descriptors, registry
from mistral_svc.db import api as db_api, models

LOG = logging.getLogger(__name__)

def populate(reload=False):
    """Insert or refresh a row per system action (signatures and descriptions as the
    installed classes have them now; actions no provider offers any more are removed);
    returns how many there are. ``reload`` reads the providers again first."""
    if reload:
        registry.reset()
    catalogue = {name: desc for name, desc in registry.system_actions().items()
                 if not isinstance(desc, descriptors.BrokenAction)}
    with db_api.transaction() as session:
        existing = {
            r.name: r for r in session.query(models.ActionDefinition)
            .filter(models.ActionDefinition.is_system.is_(True))
        }
        taken = {
            r.name for r in session.query(models.ActionDefinition.name).filter(
                models.ActionDefinition.is_system.isnot(True),
                models.ActionDefinition.namespace == "",
                models.ActionDefinition.name.in_(list(catalogue) or [""]))
        }
        for name, cls in catalogue.items():
            if name in taken:
                # A package now offers a name an ad-hoc action already has.
                LOG.warning("system action %s not loaded: an ad-hoc action has its name",
                            name)
                continue
            values = {
                "name": name,
                "namespace": "",
                "input": cls.params_spec,
                "description": cls.description,
                "is_system": True,
                "action_class": (cls.action_class_name or "")[:255],
                "scope": "public",
                "attributes": {},
                "tags": [],
            }
            row = existing.pop(name, None)
            if row is None:
                session.add(models.ActionDefinition(id=models.new_id(),
                                                    created_at=models.utcnow(), **values))
            else:
                for k, v in values.items():
                    setattr(row, k, v)
        for row in existing.values():
            session.delete(row)
    return len(catalogue)
