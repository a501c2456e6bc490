"""YAML loading that remembers the line of every mapping key and sequence item."""

import yaml

from mistral_svc.lang.errors import DSLError

try:  # The C loader is several times faster where libyaml is available.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """Safe loading, except that timestamps stay strings: definitions are stored and
    sent as JSON, which has no dates."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: loader.construct_scalar(node))


class Located:
    """Data parsed from YAML plus a map from key paths to 1-based line numbers."""

    def __init__(self, data, lines):
        self.data = data
        self._lines = lines

    def has(self, path):
        """True if ``path`` names a key or item of the document."""
        return tuple(str(p) for p in path) in self._lines

    def line(self, path):
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(str(p) for p in path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)


def _index_lines(node, path, lines):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = path + (key,)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, path + (str(i),), lines)


def load(text):
    """Parse YAML ``text`` into a ``Located``; syntax errors become DSLError with a line."""
    if not isinstance(text, str) or not text.strip():
        raise DSLError("the definition is empty")
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark and mark and context_mark.line != mark.line:
            # e.g. an unclosed quote: say where the quoted scalar began.
            problem = "%s (%s started on line %d)" % (problem, context,
                                                      context_mark.line + 1)
        raise DSLError("invalid YAML: %s" % problem, line=mark.line + 1 if mark else None)
    lines = {}
    if node is not None:
        _index_lines(node, (), lines)
    return Located(data, lines)
