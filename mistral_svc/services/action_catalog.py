"""System actions in the database, so ``action-list`` shows them like upstream."""

from mistral_svc.actions import registry
from mistral_svc.db import api as db_api, models


def populate():
    """Insert or refresh a row per system action; returns how many there are."""
    catalogue = registry.system_actions()
    with db_api.transaction() as session:
        existing = {
            r.name: r for r in session.query(models.ActionDefinition)
            .filter(models.ActionDefinition.is_system.is_(True))
        }
        for name, cls in catalogue.items():
            values = {
                "name": name,
                "namespace": "",
                "input": cls.signature(),
                "description": cls.description(),
                "is_system": True,
                "action_class": "%s.%s" % (cls.__module__, cls.__name__),
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
