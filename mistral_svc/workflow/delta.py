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
        # Every state change, in the order made: (record, old state, new state).
        self._states = []

    def add(self, record):
        """A new record, written whole."""
        self.created.append(record)
        self._created_ids.add(id(record))
        if record.state is not None:
            self._states.append((record, None, record.state))
        return record

    def set(self, record, **fields):
        if "state" in fields and fields["state"] != record.state:
            self._states.append((record, record.state, fields["state"]))
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
        """``[(record, old state, new state)]`` of every state change the step made,
        in order (a created record's old state is None)."""
        return list(self._states)

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
