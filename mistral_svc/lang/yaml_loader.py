"""YAML loading that remembers the line of every mapping key and sequence item.

A definition is composed into YAML nodes and checked before any data is built: an
alias shares its anchor's node, so a few bytes of anchors and aliases can stand for
billions of values. The document is refused (DSLError with the line) when it nests
deeper than ``MAX_DEPTH``, uses more than ``MAX_ALIASES`` aliases, would expand to more
than ``MAX_EXPANDED_NODES`` values, or holds an alias inside the very node it names
(``vars: &a [*a]``). Every walk of the nodes is iterative.
"""

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


#: Deepest nesting of mappings and sequences a definition may have.
MAX_DEPTH = 100
#: Most aliases (``*name``) a definition may use.
MAX_ALIASES = 1000
#: Most values a definition may stand for once its aliases are expanded.
MAX_EXPANDED_NODES = 200000


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return ()


def _line(node):
    return node.start_mark.line + 1


def check_nodes(root):
    """DSLError unless the node graph under ``root`` is a bounded tree (see module doc).

    One depth-first walk over distinct nodes: a node met again on the current path is a
    self-reference, a node met again elsewhere is an alias; expanded sizes are summed
    bottom-up, so the cost is linear in the document's text, not in its expansion."""
    size = {}  # id(node) -> number of values it expands to, once finished
    on_path = set()
    aliases = 0
    stack = [(root, 1, False)]
    while stack:
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_EXPANDED_NODES:
                raise DSLError("anchors and aliases expand to more than %d values"
                               % MAX_EXPANDED_NODES, line=_line(node))
            size[key] = total
            continue
        if key in on_path:
            raise DSLError("an alias refers to a node that contains it", line=_line(node))
        if key in size:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise DSLError("more than %d aliases" % MAX_ALIASES, line=_line(node))
            continue
        if depth > MAX_DEPTH:
            raise DSLError("nested deeper than %d levels" % MAX_DEPTH, line=_line(node))
        children = _children(node)
        if not children:
            size[key] = 1
            continue
        on_path.add(key)
        stack.append((node, depth, True))
        for child in reversed(children):
            if id(child) in on_path:
                raise DSLError("an alias refers to a node that contains it",
                               line=_line(node))
            stack.append((child, depth + 1, False))


def _index_lines(root, lines):
    work = [(root, ())]
    while work:
        node, path = work.pop()
        lines.setdefault(path, _line(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = path + (str(key_node.value),)
                # A key's line, not its value's (which may start on the next line).
                lines[child] = _line(key_node)
                work.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                work.append((item, path + (str(i),)))


def load(text):
    """Parse YAML ``text`` into a ``Located``; syntax errors become DSLError with a line."""
    if not isinstance(text, str) or not text.strip():
        raise DSLError("the definition is empty")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            check_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context, context_mark = getattr(e, "context", None), getattr(e, "context_mark", None)
        if context and context_mark and mark and context_mark.line != mark.line:
            # e.g. an unclosed quote: say where the quoted scalar began.
            problem = "%s (%s started on line %d)" % (problem, context,
                                                      context_mark.line + 1)
        raise DSLError("invalid YAML: %s" % problem, line=mark.line + 1 if mark else None)
    finally:
        loader.dispose()
    lines = {}
    if node is not None:
        _index_lines(node, lines)
    return Located(data, lines)
