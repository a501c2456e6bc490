"""What one conductor step changed: new records, and the fields it set on loaded ones."""


class Delta:
    """Records created and fields changed, in the order the conductor made them.

    Setting a field through ``set`` is the only way the conductor changes a loaded
    record, so the engine writes exactly what changed (one UPDATE per record, or one
    executemany per group of records that changed the same fields)."""

    def __init__(self):
        self.created = []
        self._created_ids = set()
        self._changed = {}
        # The state each changed record had when the step first changed it.
        self._state_before = {}

    def add(self, record):
        """A new record, written whole."""
        self.created.append(record)
        self._created_ids.add(id(record))
        return record

    def set(self, record, **fields):
        if "state" in fields and id(record) not in self._state_before:
            self._state_before[id(record)] = record.state
        for name, value in fields.items():
            setattr(record, name, value)
        if id(record) in self._created_ids:
            return
        entry = self._changed.get(id(record))
        if entry is None:
            self._changed[id(record)] = (record, set(fields))
        else:
            entry[1].update(fields)

    def is_new(self, record):
        return id(record) in self._created_ids

    @property
    def changed(self):
        """``[(record, {field names})]`` of loaded records that changed."""
        return list(self._changed.values())

    def state_changes(self):
        """``[(record, old state, new state)]`` of every record whose state the step
        set (created records have None as their old state), in the order made."""
        out = [(r, None, r.state) for r in self.created if r.state is not None]
        for record, fields in self._changed.values():
            old = self._state_before.get(id(record))
            if "state" in fields and old != record.state:
                out.append((record, old, record.state))
        return out

    def __bool__(self):
        return bool(self.created or self._changed)

    def to_dict(self):
        """Plain data, for logs and the rehearsal suite's comparisons."""
        return {
            "created": [{"kind": r.kind, **r.to_dict()} for r in self.created],
            "changed": [{"kind": r.kind, "id": r.id,
                         "fields": {f: r.to_dict()[f] for f in sorted(fields)}}
                        for r, fields in self._changed.values()],
        }
