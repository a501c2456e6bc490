"""Environments: named sets of variables that executions read through ``env()``.

An execution started with ``params.env`` set to an environment's name gets a copy of its
variables at start (the engine resolves the name), so later edits of the environment do
not change executions already running.
"""

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models

CREATE_KEYS = ("name", "description", "variables", "scope")
UPDATE_KEYS = ("description", "variables", "scope")


def _check_keys(data, allowed):
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise exc.InputError(
            "Please check your environment definition: only %s are allowed as keys, "
            "got %s" % (", ".join(allowed), ", ".join(unknown)))


def _check_variables(variables):
    if variables is not None and not isinstance(variables, dict):
        raise exc.InputError("Environment variables must be a JSON object")
    return variables


def create(data):
    """Create an environment from the request's fields; Conflict (409) on a taken name."""
    _check_keys(data, CREATE_KEYS)
    if not data.get("name"):
        raise exc.InputError("Name of the environment is not provided.")
    values = {
        "name": data["name"],
        "description": data.get("description"),
        "variables": _check_variables(data.get("variables")) or {},
        "scope": data.get("scope") or "private",
    }
    with db_api.transaction():
        return db_api.create(models.Environment, values)


def update(data):
    """Change the description, variables or scope of the environment named in ``data``.

    Fields left out of the request keep their values; ``variables`` is replaced whole.
    """
    name = data.get("name")
    if not name:
        raise exc.InputError("Name of the environment is not provided.")
    changes = {k: v for k, v in data.items() if k != "name"}
    _check_keys(changes, UPDATE_KEYS)
    if "variables" in changes:
        changes["variables"] = _check_variables(changes["variables"]) or {}
    with db_api.transaction():
        row = db_api.get_by_name(models.Environment, name)
        return db_api.update(row, changes)


def get(identifier):
    """An environment by name, or by id when ``identifier`` is UUID-shaped."""
    return db_api.get_by_id_or_name(models.Environment, identifier)


def delete(name):
    """Delete the environment ``name`` (executions keep their copy of its variables)."""
    with db_api.transaction():
        db_api.delete(db_api.get_by_name(models.Environment, name))
