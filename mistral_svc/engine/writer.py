"""Store a conductor step's delta with SQLAlchemy Core, in as few statements as it takes.

New records go in one multi-row INSERT per table; changed records in one executemany
UPDATE per table and set of changed fields (a batch of results that each finished an
action and advanced its task is two statements, whatever its size). The ORM's unit of
work is not involved: its bookkeeping cost more than the statements themselves.

Every row is checked against ``[engine] execution_field_size_limit_kb``
(``limits``): a step with a field too large to store raises SizeLimitExceeded, and its
transaction is rolled back. A state_info is stored with its credentials masked
(``redaction.mask_text``): it quotes errors, and errors quote URLs and parameters.
"""

import sqlalchemy as sa

from mistral_svc import redaction
from mistral_svc.db import models
from mistral_svc.engine import limits


def _masked(row):
    info = row.get("state_info")
    if info:
        row["state_info"] = redaction.mask_text(info)
    return row

TABLES = {
    "workflow": models.WorkflowExecution.__table__,
    "task": models.TaskExecution.__table__,
    "action": models.ActionExecution.__table__,
}


def write(session, delta):
    """INSERT what ``delta`` created and UPDATE what it changed."""
    limit = limits.limit_kb()
    created = {}
    for record in delta.created:
        row = _masked(record.to_row())
        limits.check_row(row, limit)
        created.setdefault(record.kind, []).append(row)
    # Parents first: nothing depends on it, but it reads naturally in a log.
    for kind in ("workflow", "task", "action"):
        if kind in created:
            session.execute(TABLES[kind].insert(), created[kind])
    groups = {}
    for record, fields in delta.changed:
        key = (record.kind, tuple(sorted(fields)))
        groups.setdefault(key, []).append(record)
    now = models.utcnow()
    for (kind, fields), rows in groups.items():
        table = TABLES[kind]
        columns = [type(rows[0]).column_of(f) for f in fields]
        stmt = (table.update().where(table.c.id == sa.bindparam("b_id"))
                .values({c: sa.bindparam("b_" + c) for c in columns + ["updated_at"]}))
        params = []
        for record in rows:
            values = _masked(record.to_row(fields))
            limits.check_row(values, limit)
            item = {"b_" + c: values[c] for c in columns}
            item["b_id"] = record.id
            item["b_updated_at"] = now
            record.updated_at = now
            params.append(item)
        session.execute(stmt, params)
