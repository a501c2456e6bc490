"""Event triggers: validation, storage, and what an execution started by one receives.

An event trigger starts a workflow whenever an oslo.messaging notification whose
``event_type`` equals the trigger's ``event`` arrives on the trigger's ``exchange`` and
``topic`` (for instance exchange ``nova``, topic ``notifications``, event
``compute.instance.create.end``). The listening is done by the scheduler (see
``mistral_svc.scheduler.events``); this module holds the rules both the API and the
listener follow.

Rules, as in Mistral:

- ``workflow_id``, ``exchange``, ``topic`` and ``event`` are required; ``name`` is
  optional and defaults to an empty string. The workflow must exist (404 otherwise) and
  accept ``workflow_input`` (400 otherwise), so that no trigger fails on every event.
- ``exchange``, ``topic`` and ``event`` cannot be changed by an update: delete the
  trigger and create another one.
- One trigger per (exchange, topic, event, workflow, project): a second one is a
  conflict (409).
- An execution started by a trigger gets the trigger's ``workflow_input`` as input, and
  its ``workflow_params`` plus ``event_params`` (what the notification carried, see
  :class:`EventConverter`) and ``event_trigger_id`` as params.
"""

import datetime
import fnmatch
import logging
import threading

import sqlalchemy as sa
import yaml
from oslo_db import exception as db_exc

from mistral_svc import exceptions as exc, expressions
from mistral_svc.db import api as db_api, models
from mistral_svc.services import definitions, trusts

LOG = logging.getLogger(__name__)

SCOPES = ("private", "public")
REQUIRED = ("workflow_id", "exchange", "topic", "event")
NOT_UPDATABLE = ("exchange", "topic", "event")
UPDATABLE = ("name", "workflow_id", "workflow_input", "workflow_params", "scope")

_MODEL = models.EventTrigger
_TABLE = _MODEL.__table__
# Column widths, so that an over-long value is a 400 and not a database error.
_WIDTHS = {name: _TABLE.c[name].type.length
           for name in ("name", "exchange", "topic", "event", "workflow_id")}

# Counts the trigger changes made in this process, so that a listener running in the
# same process (the embedded all-in-one service) picks a change up at once instead of
# at its next periodic refresh.
_changes = [0]
_changes_lock = threading.Lock()


def _changed():
    with _changes_lock:
        _changes[0] += 1


def generation():
    """A number that changes whenever this process creates, updates or deletes a
    trigger."""
    return _changes[0]


def _text(value, field, required):
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise exc.InputError("%s must be provided for an event trigger." % field)
        return ""
    if not isinstance(value, str):
        raise exc.InputError("%s must be a string" % field)
    width = _WIDTHS.get(field)
    if width and len(value) > width:
        raise exc.InputError("%s is longer than %d characters" % (field, width))
    return value


def _json_object(value, field):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise exc.InputError("%s must be a JSON object" % field)
    return value


def _scope(value):
    if value is None or value == "":
        return "private"
    if value not in SCOPES:
        raise exc.InputError("Scope must be one of the following: %s" % ", ".join(SCOPES))
    return value


def _workflow(workflow_id):
    """The workflow definition a trigger starts: by id, as Mistral looks it up. Like
    Mistral's API, an id that is not UUID-shaped is bad input (400), not a miss."""
    if not db_api.looks_like_uuid(workflow_id):
        raise exc.InputError(
            "Invalid input for field/attribute workflow_id. Value: '%s'. Expected a uuid "
            "but received %s." % (workflow_id, workflow_id))
    return db_api.get(models.WorkflowDefinition, workflow_id)



def _duplicate(values):
    return exc.Conflict(
        "Duplicate entry for event trigger: workflow %s already has a trigger on "
        "[exchange=%s, topic=%s, event=%s]"
        % (values["workflow_id"], values["exchange"], values["topic"], values["event"]))


def create(name, workflow_id, exchange, topic, event, workflow_input=None,
           workflow_params=None, scope="private", project_id=None):
    """Validate and store an event trigger; returns the new row (see module rules)."""
    values = {
        "id": models.new_id(),
        "name": _text(name, "name", required=False),
        "workflow_id": _text(workflow_id, "workflow_id", required=True),
        "exchange": _text(exchange, "exchange", required=True),
        "topic": _text(topic, "topic", required=True),
        "event": _text(event, "event", required=True),
        "workflow_input": _json_object(workflow_input, "workflow_input"),
        "workflow_params": _json_object(workflow_params, "workflow_params"),
        "scope": _scope(scope),
        "project_id": project_id or db_api.owner_project(),
        "created_at": models.utcnow(),
    }
    definitions.check_workflow_input(_workflow(values["workflow_id"]),
                                     values["workflow_input"])
    values["trust_id"] = trusts.create_trust()
    try:
        row = db_api.create(_MODEL, values)
    except exc.Conflict:
        trusts.delete_trust(values["trust_id"])
        raise _duplicate(values)
    except Exception:
        trusts.delete_trust(values["trust_id"])
        raise
    _changed()
    return row


def get(trigger_id):
    """A trigger by id, or NotFound."""
    return db_api.get(_MODEL, trigger_id)


def update(trigger_id, values):
    """Change a trigger's name, workflow, input, params or scope; returns the row.

    ``values`` holds only the fields the caller sent. Sending ``exchange``, ``topic``
    or ``event`` with a value other than the stored one is refused (400).
    """
    with db_api.transaction():
        row = db_api.get(_MODEL, trigger_id, for_update=True)
        for field in NOT_UPDATABLE:
            if values.get(field) not in (None, "", getattr(row, field)):
                raise exc.InputError(
                    "Can not update fields %s of event trigger." % list(NOT_UPDATABLE))
        new = {}
        if "name" in values:
            new["name"] = _text(values["name"], "name", required=False)
        if values.get("workflow_id") not in (None, ""):
            new["workflow_id"] = _text(values["workflow_id"], "workflow_id", required=True)
        if "workflow_input" in values:
            new["workflow_input"] = _json_object(values["workflow_input"], "workflow_input")
        if "workflow_params" in values:
            new["workflow_params"] = _json_object(values["workflow_params"],
                                                  "workflow_params")
        if values.get("scope") not in (None, ""):
            new["scope"] = _scope(values["scope"])
        if "workflow_id" in new or "workflow_input" in new:
            definitions.check_workflow_input(_workflow(new.get("workflow_id", row.workflow_id)),
                         new.get("workflow_input", row.workflow_input or {}))
        if new:
            new["updated_at"] = models.utcnow()
            try:
                db_api.update(row, new)
            except db_exc.DBDuplicateEntry:
                raise _duplicate({"workflow_id": new.get("workflow_id", row.workflow_id),
                                  "exchange": row.exchange, "topic": row.topic,
                                  "event": row.event})
    _changed()
    return get(trigger_id)


def delete(trigger_id):
    """Delete a trigger (and its trust); executions it started stay."""
    row = get(trigger_id)
    db_api.delete(row)
    trusts.delete_trust(row.trust_id)
    _changed()




def list_(filters, limit=None, marker=None, sort_keys=None, sort_dirs=None):
    """Triggers matching ``filters`` (``{field: (op, value)}``), paginated; the JSON
    fields are compared as parsed JSON by ``db_api.list_``."""
    return db_api.list_(_MODEL, filters, limit, marker, sort_keys, sort_dirs)


# --- what the listener needs -----------------------------------------------------------


def subscriptions():
    """``{(exchange, topic): {event, ...}}`` over every trigger of every project."""
    with db_api.transaction(read_only=True) as session:
        rows = session.execute(
            sa.select(_TABLE.c.exchange, _TABLE.c.topic, _TABLE.c.event).distinct()
        ).all()
    out = {}
    for exchange, topic, event in rows:
        out.setdefault((exchange, topic), set()).add(event)
    return out


def matching(exchange, topic, event, project_id=None, projects_apply=False):
    """The triggers a notification of type ``event`` on ``exchange``/``topic`` fires.

    With ``projects_apply`` (authentication on), only the triggers of the project the
    notification was sent for, and public triggers, fire; otherwise every trigger on
    the event does, since no trigger then belongs to a real project.
    """
    with db_api.transaction(read_only=True) as session:
        query = (session.query(_MODEL)
                 .filter(_MODEL.exchange == exchange)
                 .filter(_MODEL.topic == topic)
                 .filter(_MODEL.event == event))
        if projects_apply:
            query = query.filter(sa.or_(_MODEL.scope == "public",
                                        _MODEL.project_id == (project_id or "")))
        return query.order_by(_MODEL.created_at, _MODEL.id).all()


def execution_params(trigger, event_params):
    """The params of an execution ``trigger`` starts for an event."""
    params = dict(trigger.workflow_params or {})
    params["event_params"] = event_params
    params["event_trigger_id"] = trigger.id
    return params


def execution_description(trigger):
    """The description of an execution ``trigger`` starts (fits the 255-wide column)."""
    return "Workflow execution created by event trigger '(%s)'." % trigger.id


# --- from a notification to event_params -------------------------------------------------


def notification_event(ctxt, publisher_id, event_type, payload, metadata):
    """A notification as the dict event definitions are evaluated against."""
    ctxt = dict(ctxt or {})
    timestamp = (metadata or {}).get("timestamp") or ctxt.get("timestamp")
    if timestamp is None:
        timestamp = models.utcnow()
    if isinstance(timestamp, datetime.datetime):
        timestamp = timestamp.isoformat(sep=" ")
    return {
        "event_type": event_type,
        "payload": payload,
        "publisher": publisher_id,
        "timestamp": timestamp,
        "context": ctxt,
    }


def context_project(ctxt):
    """The project a notification's context names (keys differ between services)."""
    ctxt = ctxt or {}
    for key in ("project_id", "project", "tenant_id", "tenant"):
        if ctxt.get(key):
            return ctxt[key]
    return None


def _context_user(ctxt):
    for key in ("user_id", "user"):
        if ctxt.get(key):
            return ctxt[key]
    return None


class EventDefinition:
    """One entry of the event definitions file."""

    def __init__(self, cfg):
        if not isinstance(cfg, dict):
            raise ValueError("an event definition must be a mapping, got %r" % (cfg,))
        try:
            event_types = cfg["event_types"]
            self.properties = cfg["properties"]
        except KeyError as e:
            raise ValueError("event definition without %s" % e.args[0])
        self.event_types = [event_types] if isinstance(event_types, str) else event_types
        if not isinstance(self.event_types, list) or not all(
                isinstance(t, str) for t in self.event_types):
            raise ValueError("event_types must be a string or a list of strings")
        if not isinstance(self.properties, dict):
            raise ValueError("properties must be a mapping")
        expressions.validate_recursively(self.properties)

    def matches(self, event_type):
        """True if ``event_type`` matches one of the definition's fnmatch patterns."""
        return any(fnmatch.fnmatchcase(event_type, t) for t in self.event_types)

    def convert(self, event):
        """Evaluate the definition's properties against ``event``."""
        return expressions.evaluate_recursively(self.properties, event)


class EventConverter:
    """Turns notifications into ``event_params``.

    Without a matching definition the params are the ones Mistral gives by default:
    ``service`` (the publisher), ``project_id`` and ``user_id`` (from the
    notification's context) and ``timestamp``. With definitions loaded from a file
    (``[event_engine] event_definitions_cfg_file``), the last one whose
    ``event_types`` match is evaluated instead, its expressions seeing the
    notification as ``$.publisher``, ``$.event_type``, ``$.payload``, ``$.context``
    and ``$.timestamp``.
    """

    def __init__(self, definitions=()):
        # The last definition in the file wins, so look from the end.
        self.definitions = list(reversed(list(definitions)))

    @classmethod
    def from_file(cls, path):
        """Load definitions from a YAML file; raises ValueError if it is invalid."""
        if not path:
            return cls()
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except OSError as e:
            raise ValueError("cannot read event definitions %s: %s" % (path, e))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
            raise ValueError("invalid YAML in event definitions %s%s" % (path, where))
        if data is None:
            return cls()
        if not isinstance(data, list):
            raise ValueError("event definitions %s must be a list" % path)
        try:
            return cls(EventDefinition(d) for d in data)
        except (ValueError, expressions.ExpressionError) as e:
            raise ValueError("invalid event definition in %s: %s" % (path, e))

    def convert(self, event):
        """The ``event_params`` of ``event`` (see :func:`notification_event`)."""
        for definition in self.definitions:
            if definition.matches(event["event_type"] or ""):
                return definition.convert(event)
        ctxt = event["context"]
        return {
            "service": event["publisher"],
            "project_id": context_project(ctxt),
            "user_id": _context_user(ctxt),
            "timestamp": event["timestamp"],
        }
