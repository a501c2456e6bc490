"""Cron triggers: validation, storage, and the atomic claim of each firing.

A trigger names a workflow, its input and params, and when to start it: a cron
``pattern``, a ``first_execution_time``, or both, and optionally a count of executions
(``remaining_executions``). All times are naive UTC.

Firing is claimed by one conditional UPDATE that moves ``next_execution_time`` on (and
counts ``remaining_executions`` down) only if it still holds the slot the scheduler
read, so of any number of schedulers exactly one wins each slot. A trigger whose count
is used up stays listed with status COMPLETED; one with firings left is READY.
"""

import datetime

import croniter
import sqlalchemy as sa

from mistral_svc import exceptions as exc
from mistral_svc.db import api as db_api, models
from mistral_svc.services import definitions, trusts

READY = "READY"
COMPLETED = "COMPLETED"

# Mistral's format for first_execution_time; seconds are accepted too.
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")

# A first execution time this far in the past is still taken (and fires at once): the
# API takes minutes, so a client that sends "now" may land in the next minute.
# Anything older is most likely local time mistaken for UTC, and is refused.
PAST_TOLERANCE = datetime.timedelta(minutes=2)

_TRIGGERS = models.CronTrigger.__table__


def validate_pattern(pattern):
    """Raise InputError unless ``pattern`` is a cron expression croniter understands."""
    if not isinstance(pattern, str) or not croniter.croniter.is_valid(pattern):
        raise exc.InputError("The specified pattern is not valid: %s" % (pattern,))
    try:
        next_time(pattern, models.utcnow())
    except croniter.CroniterError:
        # A valid pattern no date matches (``0 0 31 2 *``) would fail every firing.
        raise exc.InputError("The specified pattern is not valid: %s (no date matches "
                             "it)" % (pattern,))


def next_time(pattern, after):
    """The first slot of ``pattern`` strictly after ``after`` (naive UTC)."""
    return croniter.croniter(pattern, after).get_next(datetime.datetime)


def parse_time(value):
    """A first execution time given as ``YYYY-MM-DD HH:MM`` (UTC), as a datetime."""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    for fmt in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(str(value).strip(), fmt)
        except ValueError:
            continue
    raise exc.InputError(
        "Invalid first_execution_time %r: expected 'YYYY-MM-DD HH:MM' (UTC)" % (value,))


def _schedule(pattern, first_time, count, now):
    """Validate when a trigger fires; returns (first time, next time, count)."""
    if not pattern and not first_time:
        raise exc.InputError("Pattern or first_execution_time must be specified.")
    if pattern:
        validate_pattern(pattern)
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise exc.InputError(
                "remaining_executions must be a positive integer, got %r" % (count,))
    if first_time:
        first_time = parse_time(first_time)
        if first_time < now - PAST_TOLERANCE:
            raise exc.InputError(
                "first_execution_time %s is in the past (times are UTC)"
                % first_time.strftime("%Y-%m-%d %H:%M"))
        if not pattern:
            if count is not None and count > 1:
                raise exc.InputError(
                    "A pattern is needed for more than one execution "
                    "(remaining_executions=%d)." % count)
            count = 1
        return first_time, first_time, count
    return None, next_time(pattern, now), count


def _json_object(value, field):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise exc.InputError("%s must be a JSON object" % field)
    return value


def create(name, workflow_name=None, workflow_id=None, workflow_namespace="",
           workflow_input=None, workflow_params=None, pattern=None,
           first_execution_time=None, remaining_executions=None, scope="private",
           project_id=None, now=None):
    """Validate and store a cron trigger; returns the new row.

    The workflow must exist and accept ``workflow_input`` (checked now, so that a
    trigger cannot be created that would fail on every firing).
    """
    if not name or not str(name).strip():
        raise exc.InputError("The name of a cron trigger must not be empty.")
    identifier = workflow_id or workflow_name
    if not identifier:
        raise exc.InputError("Workflow name or ID must be provided.")
    if scope not in ("private", "public"):
        raise exc.InputError("Scope must be one of the following: private, public")
    workflow_input = _json_object(workflow_input, "workflow_input")
    workflow_params = _json_object(workflow_params, "workflow_params")
    now = now or models.utcnow().replace(microsecond=0)
    first_time, next_at, count = _schedule(pattern, first_execution_time,
                                           remaining_executions, now)
    wf_def = db_api.get_by_id_or_name(models.WorkflowDefinition, identifier,
                                      workflow_namespace or "")
    definitions.check_workflow_input(wf_def, workflow_input)
    values = {
        "id": models.new_id(),
        "name": name,
        "pattern": pattern or None,
        "first_execution_time": first_time,
        "next_execution_time": next_at,
        "workflow_name": wf_def.name,
        "workflow_id": wf_def.id,
        "workflow_namespace": wf_def.namespace,
        "workflow_input": workflow_input,
        "workflow_params": workflow_params,
        "remaining_executions": count,
        "status": READY,
        "scope": scope,
        "project_id": project_id or db_api.owner_project(),
        "created_at": models.utcnow(),
    }
    values["trust_id"] = trusts.create_trust()
    try:
        with db_api.transaction() as session:
            # Mistral deletes a trigger once its count is used up, so its users expect
            # the name to be free again: a COMPLETED trigger gives way to a new one.
            done = (_TRIGGERS.c.name == name) & (
                _TRIGGERS.c.project_id == values["project_id"]) & (
                _TRIGGERS.c.status == COMPLETED)
            old_trusts = session.execute(
                sa.select(_TRIGGERS.c.trust_id).where(done)).scalars().all()
            session.execute(_TRIGGERS.delete().where(done))
            _check_not_a_twin(session, values)
            row = db_api.create(models.CronTrigger, values)
    except Exception:
        trusts.delete_trust(values["trust_id"])
        raise
    for trust_id in old_trusts:
        trusts.delete_trust(trust_id)
    return row


def _check_not_a_twin(session, values):
    """As in Mistral, two triggers may not fire the same workflow with the same input,
    params, pattern, first time and count in one project (409). Like the unique key
    Mistral enforces this with, a field left empty (no count, say) never matches."""
    same = ("workflow_id", "pattern", "first_execution_time", "remaining_executions",
            "project_id")
    if any(values[k] is None for k in same):
        return
    query = session.query(models.CronTrigger).filter(
        *[getattr(models.CronTrigger, k) == values[k] for k in same])
    for row in query:
        if ((row.workflow_input or {}) == values["workflow_input"]
                and (row.workflow_params or {}) == values["workflow_params"]):
            raise exc.Conflict(
                "Duplicate entry for cron trigger %s: cron trigger %s already starts "
                "workflow %s with the same input, params, pattern, first execution time "
                "and count" % (values["name"], row.name, values["workflow_name"]))



def get(identifier):
    """A trigger by id or name, or NotFound."""
    return db_api.get_by_id_or_name(models.CronTrigger, identifier)


def delete(identifier):
    """Delete a trigger by id or name (and its trust); executions it started stay."""
    row = get(identifier)
    db_api.delete(row)
    trusts.delete_trust(row.trust_id)




def list_(filters, limit=None, marker=None, sort_keys=None, sort_dirs=None):
    """Triggers matching ``filters`` (``{field: (op, value)}``), paginated; the JSON
    fields are compared as parsed JSON by ``db_api.list_``."""
    filters = dict(filters or {})
    if "remaining_executions" in filters:
        filters["remaining_executions"] = _int_filter(filters["remaining_executions"])
    return db_api.list_(models.CronTrigger, filters, limit, marker, sort_keys, sort_dirs)


def _int_filter(cond):
    op, value = cond
    try:
        if isinstance(value, list):
            return op, [int(v) for v in value]
        return op, None if value is None else int(value)
    except ValueError:
        raise exc.InputError("remaining_executions must be an integer, got %r" % (value,))



# --- firing -------------------------------------------------------------------------------


def due(now, limit):
    """READY triggers whose next execution time has come, soonest first."""
    with db_api.transaction(read_only=True) as session:
        return (
            session.query(models.CronTrigger)
            .filter(models.CronTrigger.status == READY)
            .filter(models.CronTrigger.next_execution_time <= now)
            .order_by(models.CronTrigger.next_execution_time)
            .limit(limit)
            .all()
        )


def advance(trigger, now):
    """Claim the firing of ``trigger``'s current slot; True if this caller won it.

    The next slot is the first one after ``now`` (or after the current slot, if that
    lies ahead): after downtime a trigger fires once for all the slots it missed, not
    once per slot. The last permitted firing leaves the trigger COMPLETED.
    """
    values = {"updated_at": models.utcnow()}
    remaining = trigger.remaining_executions
    if remaining is not None:
        remaining -= 1
        values["remaining_executions"] = remaining
    if trigger.pattern:
        values["next_execution_time"] = next_time(
            trigger.pattern, max(now, trigger.next_execution_time))
    if (remaining is not None and remaining <= 0) or not trigger.pattern:
        values["status"] = COMPLETED
    with db_api.transaction() as session:
        result = session.execute(
            _TRIGGERS.update()
            .where(_TRIGGERS.c.id == trigger.id)
            .where(_TRIGGERS.c.status == READY)
            .where(_TRIGGERS.c.next_execution_time == trigger.next_execution_time)
            .values(**values)
        )
        return result.rowcount == 1


def execution_params(trigger):
    """The params of an execution the trigger starts: its own, plus its id."""
    params = dict(trigger.workflow_params or {})
    params["cron_trigger_id"] = trigger.id
    return params
