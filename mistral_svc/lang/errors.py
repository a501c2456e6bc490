"""The one error the language layer raises: what is wrong, where, and on which line."""


class DSLError(Exception):
    """An invalid definition. ``path`` is the list of keys to the offending value and
    ``line`` its 1-based line in the YAML text (None when unknown)."""

    def __init__(self, message, path=(), line=None):
        self.message = message
        self.path = tuple(str(p) for p in path)
        self.line = line
        super().__init__(str(self))

    def __str__(self):
        where = []
        if self.path:
            where.append("path=" + ".".join(self.path))
        if self.line:
            where.append("line %d" % self.line)
        suffix = " [%s]" % ", ".join(where) if where else ""
        return "Invalid DSL: %s%s" % (self.message, suffix)
