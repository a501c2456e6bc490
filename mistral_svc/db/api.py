"""Repository functions: the only place that builds queries.

Every function runs inside the caller's transaction when one is open (see
``session.transaction``), else in a short one of its own.
"""

import datetime
import json

import sqlalchemy as sa
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import utils as db_utils

from mistral_svc import context, exceptions as exc
from mistral_svc.db import models, session as db_session

transaction = db_session.transaction

# Models another project may be given access to through resource members.
SHARED_TYPES = {models.WorkflowDefinition: "workflow"}
# Member records name two projects, the owner's and the member's: services.members
# decides who sees which.
_UNSCOPED = (models.ResourceMember,)


def owner_project():
    """The project a row created now belongs to: the caller's, else the default one."""
    return context.caller_project() or context.DEFAULT_PROJECT_ID


def _accepted_ids(model, project):
    """A subquery of the ids of ``model`` rows shared with ``project`` and accepted."""
    m = models.ResourceMember
    return (sa.select(m.resource_id)
            .where(m.resource_type == SHARED_TYPES[model], m.member_id == project,
                   m.status == "accepted"))


def scope_criterion(model, project=None):
    """The SQL condition limiting ``model`` to what the current context may see (None:
    nothing to limit). Own rows, public ones, and workflows shared with the project,
    as Mistral's secure queries; another project's rows are simply not found."""
    project = project or context.scope_project()
    if project is None or not hasattr(model, "project_id") or model in _UNSCOPED:
        return None
    crit = model.project_id == project
    if hasattr(model, "scope"):
        crit = crit | (model.scope == "public")
    if model in SHARED_TYPES:
        crit = crit | model.id.in_(_accepted_ids(model, project))
    return crit


def secure(query, model):
    """``query`` over ``model`` limited to the current context's view."""
    crit = scope_criterion(model)
    return query if crit is None else query.filter(crit)


def owned(query, model):
    """``query`` over ``model`` limited to the current project's own rows (names are
    unique per project: writes look only among their own)."""
    project = context.scope_project()
    if project is None or not hasattr(model, "project_id"):
        return query
    return query.filter(model.project_id == project)


def _visible(session, model, row):
    """Whether the current context may see ``row`` (loaded without the scope)."""
    project = context.scope_project()
    if project is None or not hasattr(model, "project_id") or model in _UNSCOPED:
        return True
    if row.project_id == project or getattr(row, "scope", None) == "public":
        return True
    if model in SHARED_TYPES:
        return session.execute(_accepted_ids(model, project)
                               .where(models.ResourceMember.resource_id == row.id)
                               ).first() is not None
    return False


def check_owner(row):
    """NotAllowed (403) unless the current context owns ``row`` (or is an admin): a
    public object of another project is readable, not changeable (as in Mistral)."""
    project = context.scope_project()
    if type(row) in _UNSCOPED:
        return
    if project is not None and getattr(row, "project_id", project) != project:
        raise exc.NotAllowed("Can not access %s resource of other projects, ID: %s"
                             % (type(row).__name__, row.id))

_OPS = {
    "eq": lambda c, v: c == v if v is not None else c.is_(None),
    "neq": lambda c, v: c != v if v is not None else c.isnot(None),
    "gt": lambda c, v: c > v,
    "gte": lambda c, v: c >= v,
    "lt": lambda c, v: c < v,
    "lte": lambda c, v: c <= v,
    "in": lambda c, v: c.in_(v),
    "nin": lambda c, v: ~c.in_(v),
    "has": lambda c, v: c.like("%%%s%%" % v),
}


def _apply_filters(query, model, filters):
    columns = sa.inspect(model).columns
    for key, cond in (filters or {}).items():
        if key.startswith("_") or key not in columns:
            raise exc.InputError("unknown filter field %r" % key)
        column = getattr(model, key)
        op, value = cond if isinstance(cond, tuple) else ("eq", cond)
        if op == "has" and not isinstance(column.type, sa.String):
            column = sa.cast(column, sa.String)
        elif isinstance(value, list):
            value = [_filter_value(column, key, v) for v in value]
        else:
            value = _filter_value(column, key, value)
        query = query.filter(_OPS[op](column, value))
    return query


def _filter_value(column, key, value):
    """A filter's text as the column's type, so that every database compares it the
    same way (PostgreSQL refuses to compare a timestamp with arbitrary text)."""
    if value is None or not isinstance(value, str):
        return value
    kind = column.type
    try:
        if isinstance(kind, sa.DateTime):
            return datetime.datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        if isinstance(kind, sa.Boolean):
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value.lower() in ("true", "1")
        if isinstance(kind, sa.Integer):
            number = int(value)
            if abs(number) > 2 ** 31 - 1:
                raise ValueError(value)
            return number
    except ValueError:
        raise exc.InputError("Invalid value for the %s filter: %r" % (key, value[:80]))
    return value


def _tags_filter(rows, tags):
    if not tags:
        return rows
    want = set(tags)
    return [r for r in rows if want.issubset(set(r.tags or []))]


def get(model, id, for_update=False, columns=None):
    """The row of ``model`` with ``id``, or NotFound.

    ``columns`` names the deferred (large) columns to load with the row. Left None,
    a row used detached (outside a caller's transaction: API responses) comes with every
    column, and one inside a transaction with none of them (they load on first access).
    """
    session = db_session.current_session()
    if session is not None:
        # By primary key: a row this transaction already holds costs no query (the
        # ORM would not refresh its loaded attributes from a new SELECT anyway).
        row = session.get(model, id, with_for_update=True if for_update else None,
                          options=[sa.orm.undefer(getattr(model, c)) for c in columns or ()])
        if row is None or not _visible(session, model, row):
            raise exc.NotFound("%s not found [id=%s]" % (_label(model), id))
        return row
    with transaction(read_only=not for_update) as s:
        if columns is None:
            options = [sa.orm.undefer("*")]
        else:
            options = [sa.orm.undefer(getattr(model, c)) for c in columns]
        q = secure(s.query(model).filter(model.id == id).options(*options), model)
        if for_update:
            q = q.with_for_update()
        row = q.first()
        if row is None:
            raise exc.NotFound("%s not found [id=%s]" % (_label(model), id))
        return row


def find(model, **filters):
    """The first row matching equality ``filters``, or None."""
    with transaction() as s:
        return secure(s.query(model), model).filter_by(**filters).first()


def get_by_name(model, name, namespace="", project_id=None, exact=False):
    """A definition by name, preferring ``namespace`` then the default namespace; with
    ``exact`` only ``namespace`` itself (API lookups: a namespace given is not left)."""
    detached = db_session.current_session() is None
    with transaction(read_only=detached) as s:
        q = secure(s.query(model).filter(model.name == name), model)
        if detached:
            q = q.options(sa.orm.undefer("*"))
        if hasattr(model, "namespace"):
            q = q.filter(model.namespace.in_({namespace or ""} if exact
                                             else {namespace or "", ""}))
            rows = q.all()
            # The caller's own definition before a public or shared one of that name.
            own = context.scope_project()
            rows.sort(key=lambda r: (r.namespace != (namespace or ""),
                                     own is not None and r.project_id != own))
            row = rows[0] if rows else None
        else:
            own = context.scope_project()
            rows = q.all()
            rows.sort(key=lambda r: own is not None and r.project_id != own)
            row = rows[0] if rows else None
        if row is None:
            raise exc.NotFound(
                "%s not found [name=%s%s]" % (
                    _label(model), name, ", namespace=%s" % namespace if namespace else "")
            )
        return row


def get_by_id_or_name(model, identifier, namespace="", exact=False):
    """Look ``identifier`` up as an id first (UUID-shaped), then as a name."""
    if looks_like_uuid(identifier):
        try:
            return get(model, identifier)
        except exc.NotFound:
            pass
    return get_by_name(model, identifier, namespace, exact=exact)


def looks_like_uuid(value):
    """Whether ``value`` has the shape of a UUID (36 characters, four dashes)."""
    return isinstance(value, str) and len(value) == 36 and value.count("-") == 4


def _label(model):
    return {
        models.WorkflowDefinition: "Workflow",
        models.Workbook: "Workbook",
        models.ActionDefinition: "Action",
        models.WorkflowExecution: "Execution",
        models.TaskExecution: "Task execution",
        models.ActionExecution: "Action execution",
        models.Environment: "Environment",
        models.CronTrigger: "Cron trigger",
        models.EventTrigger: "Event trigger",
        models.ResourceMember: "Member",
    }.get(model, model.__name__)


def _split_json_filters(model, filters):
    """Filters on JSON columns, taken out of ``filters``: their stored text differs
    between databases, so they are compared as parsed JSON after the query."""
    filters = dict(filters or {})
    json_filters = {}
    for key in list(filters):
        column = getattr(model, key, None)
        if column is not None and isinstance(getattr(column, "type", None), models.JSON):
            json_filters[key] = filters.pop(key)
    return filters, json_filters


def _json_matches(stored, cond, field):
    op, value = cond if isinstance(cond, tuple) else ("eq", cond)
    if op not in ("eq", "neq"):
        raise exc.InputError("%s can only be filtered for equality" % field)
    try:
        wanted = json.loads(value) if isinstance(value, str) else value
    except (ValueError, RecursionError):
        raise exc.InputError("%s filter must be JSON" % field)
    same = (stored or {}) == (wanted or {})
    return same if op == "eq" else not same


def list_(model, filters=None, limit=None, marker=None, sort_keys=None, sort_dirs=None,
          tags=None, undefer=()):
    """Rows of ``model`` matching ``filters``, sorted and paginated in SQL.

    ``marker`` is the id of the last row of the previous page. Filters on JSON columns
    (and ``tags``) are applied to the rows after the query, so a page is cut only then.
    """
    filters, json_filters = _split_json_filters(model, filters)
    post_filtered = bool(tags or json_filters)
    sort_keys = list(sort_keys or ["created_at"])
    sort_dirs = list(sort_dirs or ["asc"] * len(sort_keys))
    for k in sort_keys:
        if not hasattr(model, k):
            raise exc.InputError("unknown sort key %r" % k)
    if "id" not in sort_keys:
        sort_keys.append("id")
        sort_dirs.append(sort_dirs[0] if sort_dirs else "asc")
    with transaction(read_only=True) as s:
        q = _apply_filters(secure(s.query(model), model), model, filters)
        for col in set(undefer) | set(json_filters):
            q = q.options(sa.orm.undefer(getattr(model, col)))
        marker_row = None
        if marker:
            marker_row = secure(s.query(model), model).filter(model.id == marker).first()
            if marker_row is None:
                raise exc.NotFound("%s not found [id=%s]" % (_label(model), marker))
        try:
            q = db_utils.paginate_query(q, model, None if post_filtered else limit,
                                        sort_keys, marker=marker_row, sort_dirs=sort_dirs)
        except db_utils.InvalidSortKey as e:
            raise exc.InputError(str(e))
        rows = q.all()
        if not post_filtered:
            return rows
        rows = _tags_filter(rows, tags)
        for field, cond in json_filters.items():
            rows = [r for r in rows if _json_matches(getattr(r, field), cond, field)]
        return rows[: limit or None]


def check_lengths(model, values):
    """An InputError naming the first text value longer than its column allows (only
    some databases refuse it, and then without naming the column)."""
    columns = sa.inspect(model).columns
    for key, value in values.items():
        column = columns.get(key)
        length = getattr(getattr(column, "type", None), "length", None)
        if isinstance(value, str) and length and len(value) > length:
            raise exc.InputError("%s is longer than %d characters" % (key, length))


def create(model, values):
    """Insert a row; a duplicate unique key becomes Conflict (409)."""
    check_lengths(model, values)
    try:
        if (hasattr(model, "project_id") and not values.get("project_id")
                and context.caller_project()):
            values = dict(values, project_id=context.caller_project())
        with transaction() as s:
            row = model(**values)
            s.add(row)
            s.flush()
            return row
    except db_exc.DBDuplicateEntry:
        raise exc.Conflict(
            "Duplicate entry for %s: %s" % (
                _label(model), values.get("name") or values.get("member_id") or values.get(
                    "id"))
        )


def update(row, values):
    """Write ``values`` to ``row``; returns the row. NotAllowed (403) for a row of
    another project (a public one).

    As in Mistral, an update that changes something stamps ``updated_at``, and one
    that changes nothing (a definition uploaded again unchanged) writes nothing and
    leaves ``updated_at`` as it was.
    """
    check_owner(row)
    check_lengths(type(row), values)
    with transaction() as s:
        s.add(row)
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if (changed and "updated_at" not in values
                and hasattr(type(row), "updated_at")):
            changed["updated_at"] = models.utcnow()
        for k, v in changed.items():
            setattr(row, k, v)
        s.flush()
        return row


def delete(row):
    """Delete ``row``; NotAllowed (403) for a row of another project (a public one)."""
    check_owner(row)
    with transaction() as s:
        s.delete(row)


# --- execution-specific queries ------------------------------------------------------------


def lock_workflow_execution(wf_ex_id):
    """The workflow execution row, locked for the rest of the transaction.

    Every handler that changes an execution takes this lock first, so work on one
    execution is serialised while different executions proceed in parallel.
    """
    # The data context is read by nearly every handler: load it with the lock.
    return get(models.WorkflowExecution, wf_ex_id, for_update=True, columns=("context",))


def _detached_safe(q, detached):
    """Rows used outside a transaction (API responses) load every column up front."""
    return q.options(sa.orm.undefer("*")) if detached else q


def task_executions(wf_ex_id, name=None, states_in=None, undefer=()):
    detached = db_session.current_session() is None
    with transaction() as s:
        q = secure(s.query(models.TaskExecution), models.TaskExecution).filter(
            models.TaskExecution.workflow_execution_id == wf_ex_id
        )
        if name is not None:
            q = q.filter(models.TaskExecution.name == name)
        if states_in:
            q = q.filter(models.TaskExecution.state.in_(states_in))
        for col in undefer:
            q = q.options(sa.orm.undefer(getattr(models.TaskExecution, col)))
        return _detached_safe(q, detached).order_by(models.TaskExecution.created_at).all()


def action_executions(task_ex_id, undefer=()):
    detached = db_session.current_session() is None
    with transaction() as s:
        q = secure(s.query(models.ActionExecution), models.ActionExecution).filter(
            models.ActionExecution.task_execution_id == task_ex_id
        )
        for col in undefer:
            q = q.options(sa.orm.undefer(getattr(models.ActionExecution, col)))
        return _detached_safe(q, detached).order_by(models.ActionExecution.created_at).all()


def action_executions_with_tasks(ids):
    """``{id: (action execution, its task execution or None)}`` for the action
    executions with ``ids`` (the tasks' ``in_context`` loaded too).

    One joined query for a single id (a chain's hop); for more, two queries, because the
    items of a with-items task share their task, whose context a join would return, and
    psycopg2 decode, once per item."""
    a, t = models.ActionExecution, models.TaskExecution
    ids = set(ids)
    with transaction() as s:
        if len(ids) == 1:
            q = (s.query(a, t).outerjoin(t, t.id == a.task_execution_id)
                 .options(sa.orm.undefer(t.in_context)).filter(a.id.in_(ids)))
            return {x.id: (x, task_ex) for x, task_ex in q}
        actions = s.query(a).filter(a.id.in_(ids)).all()
        task_ids = {x.task_execution_id for x in actions if x.task_execution_id}
        tasks = {}
        if task_ids:
            q = s.query(t).options(sa.orm.undefer(t.in_context)).filter(t.id.in_(task_ids))
            tasks = {row.id: row for row in q}
        return {x.id: (x, tasks.get(x.task_execution_id)) for x in actions}


def child_workflow_executions(task_ex_id):
    detached = db_session.current_session() is None
    with transaction() as s:
        q = secure(s.query(models.WorkflowExecution), models.WorkflowExecution).filter(
            models.WorkflowExecution.task_execution_id == task_ex_id)
        return _detached_safe(q, detached).order_by(models.WorkflowExecution.created_at).all()


def workflow_executions_by_ids(ids):
    """The workflow executions with ``ids`` (any order); detached, with every column."""
    detached = db_session.current_session() is None
    with transaction() as s:
        q = s.query(models.WorkflowExecution).filter(models.WorkflowExecution.id.in_(ids))
        return _detached_safe(q, detached).all()
