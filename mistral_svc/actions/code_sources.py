"""Dynamic actions: classes defined in uploaded code sources.

Code sources are untrusted Python, so only executors run them. Everything the engine and
the API need to know beforehand is read from the source text without executing it:

- ``check_syntax``: upload refuses text that does not compile (with the line);
- ``analyse``: whether the class exists, its input (``__init__`` parameters), its
  docstring and whether it is asynchronous (``is_sync`` returning a literal False),
  following base classes defined in the same source.

The engine sends a dynamic action's code with its message (``payload``), so executors
need no database; they compile each (code source, version) once and keep the module
(``executor_descriptor``). A new version of the code source is used from the next run
on; an action already sent runs the version it was sent with.
"""

import ast
import collections
import json
import threading
import types

from mistral_svc.actions import base, descriptors, registry

#: Largest code source accepted (bytes of UTF-8).
MAX_CONTENT_BYTES = 1024 * 1024

#: Compiled modules an executor keeps (one per code source version).
MODULE_CACHE_SIZE = 128


class CodeError(Exception):
    """A code source that cannot be used; ``line`` is where, when known."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


def check_syntax(name, content):
    """Raise CodeError (message with the line) unless ``content`` compiles."""
    if not isinstance(content, str):
        raise CodeError("The content of a code source must be text")
    if len(content.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise CodeError("A code source may hold at most %d bytes" % MAX_CONTENT_BYTES)
    try:
        compile(content, "<code source %s>" % name, "exec", dont_inherit=True)
    except SyntaxError as e:
        where = " (line %d, column %d)" % (e.lineno, e.offset or 0) if e.lineno else ""
        detail = (e.text or "").strip()
        raise CodeError("Invalid Python in code source %s%s: %s%s" % (
            name, where, e.msg, (": %s" % detail[:200]) if detail else ""), e.lineno)
    except ValueError as e:  # e.g. NUL bytes
        raise CodeError("Invalid Python in code source %s: %s" % (name, e))


class ClassInfo:
    """What the source says about one class: input, docstring, synchronicity."""

    def __init__(self, is_sync=True, params=None, description=""):
        self.is_sync = is_sync
        #: ``(accepts any keyword, names, required names, display text)``, or None when
        #: ``__init__`` is inherited from outside the source (then unchecked here).
        self.params = params
        self.description = description

    @property
    def params_spec(self):
        return self.params[3] if self.params else ""


def _literal_bool(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _returns_literal_bool(func):
    body = [n for n in func.body
            if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return):
        return _literal_bool(body[0].value)
    return None


def _member(cls_node, name):
    """The statement of ``cls_node`` defining ``name`` (last wins), or None."""
    found = None
    for node in cls_node.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            found = node
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found = node
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and node.target.id == name):
            found = node
    return found


def _lineage(classes, node):
    """``node`` and its base classes defined in the same source, nearest first."""
    out, queue = [], [node]
    while queue:
        current = queue.pop(0)
        if current in out:
            continue
        out.append(current)
        for b in current.bases:
            if isinstance(b, ast.Name) and b.id in classes:
                queue.append(classes[b.id])
    return out


def _default_text(node):
    try:
        return json.dumps(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return ast.unparse(node)


def _signature(func):
    args = func.args
    positional = args.posonlyargs + args.args
    if positional and positional[0].arg in ("self", "cls"):
        positional = positional[1:]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    names, required, optional = [], [], []
    for arg, default in zip(positional, defaults):
        names.append(arg.arg)
        if default is None:
            required.append(arg.arg)
        else:
            optional.append("%s=%s" % (arg.arg, _default_text(default)))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        names.append(arg.arg)
        if default is None:
            required.append(arg.arg)
        else:
            optional.append("%s=%s" % (arg.arg, _default_text(default)))
    return (args.kwarg is not None, frozenset(names), tuple(required),
            ", ".join(required + optional))


def _module_names(tree):
    """Names a module binds outside its functions and classes (class and function
    definitions, imports, assignment targets), ``*`` for a star import."""
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        todo.extend(ast.iter_child_nodes(node))
    return names


def analyse(content, class_name):
    """ClassInfo of top-level class ``class_name``. A name the module binds otherwise
    (an import, an assignment) gets a ClassInfo that leaves the checks to the
    executor; CodeError when the module does not bind the name at all."""
    try:
        tree = ast.parse(content)
    except (SyntaxError, ValueError) as e:
        raise CodeError("The code source does not compile: %s" % e)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    node = classes.get(class_name)
    if node is None:
        bound = _module_names(tree)
        if class_name in bound or "*" in bound:
            return ClassInfo()
        raise CodeError("Class %s is not defined in the code source" % class_name)
    lineage = _lineage(classes, node)
    is_sync = True
    for cls_node in lineage:
        member = _member(cls_node, "is_sync")
        if member is None:
            continue
        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
            value = _returns_literal_bool(member)
        else:
            value = _literal_bool(member.value) if member.value is not None else None
        is_sync = True if value is None else value
        break
    params = None
    for cls_node in lineage:
        member = _member(cls_node, "__init__")
        if isinstance(member, ast.FunctionDef):
            params = _signature(member)
            break
    return ClassInfo(is_sync, params, ast.get_docstring(node) or "")


class DynamicAction:
    """What the engine resolves a dynamic action to: the definition, the code source
    version it saw and what the source says about the class. Quacks like a catalogue
    entry (``is_sync``, ``check_input``, ``params_spec``)."""

    def __init__(self, name, namespace, class_name, code_source_id, code_source_name,
                 version, content, info=None, error=None):
        self.name = name
        self.namespace = namespace
        self.class_name = class_name
        self.code_source_id = code_source_id
        self.code_source_name = code_source_name
        self.version = version
        self.content = content
        self.info = info or ClassInfo()
        self.error = error

    @property
    def is_sync(self):
        return self.info.is_sync

    @property
    def params_spec(self):
        return self.info.params_spec

    @property
    def description(self):
        return self.info.description

    @property
    def action_class_name(self):
        return "%s.%s" % (self.code_source_name, self.class_name)

    def check_input(self, params):
        if self.error:
            raise base.ActionError(self.error)
        if self.info.params is None:
            return  # inherited __init__: the executor checks the real class
        accepts_any, names, required, _ = self.info.params
        params = params or {}
        missing = [n for n in required if n not in params]
        unknown = [] if accepts_any else [n for n in params if n not in names]
        if missing or unknown:
            parts = []
            if missing:
                parts.append("missing=%s" % missing)
            if unknown:
                parts.append("unexpected=%s" % unknown)
            raise base.ActionError("Invalid input [name=%s, class=%s, %s]"
                                   % (self.name, self.class_name, ", ".join(parts)))

    def payload(self):
        """What travels to the executor in the action's message."""
        return {"name": self.name, "class_name": self.class_name,
                "code_source_id": self.code_source_id,
                "code_source_name": self.code_source_name, "version": self.version,
                "content": self.content}


# --- executor side -----------------------------------------------------------------------

_modules = collections.OrderedDict()
_modules_lock = threading.Lock()


def _compile_module(name, content):
    module = types.ModuleType(name)
    module.__file__ = "<code source %s>" % name
    code = compile(content, module.__file__, "exec", dont_inherit=True)
    exec(code, module.__dict__)  # noqa: S102 - running code sources is the feature
    return module


def load_module(payload):
    """The module of a code source version (compiled once per executor process while
    it loads); ActionError when its code fails to load."""
    key = (payload.get("code_source_id"), payload.get("version"))
    with _modules_lock:
        cached = _modules.get(key)
        if cached is not None:
            _modules.move_to_end(key)
    if cached is not None:
        return cached
    name = payload.get("code_source_name") or "code_source"
    try:
        module = _compile_module(name, payload.get("content") or "")
    except (Exception, SystemExit) as e:  # noqa: BLE001 - user code, any error
        # Not kept: the cause may be on this host (a missing package) and go away.
        raise base.ActionError("Failed to load code source %s (version %s): %s: %s"
                               % (name, payload.get("version"), type(e).__name__, e))
    with _modules_lock:
        _modules[key] = module
        while len(_modules) > MODULE_CACHE_SIZE:
            _modules.popitem(last=False)
    return module


def executor_descriptor(action_name, payload):
    """The catalogue entry of a dynamic action, from the code in its message."""
    if not registry.provider_enabled("dynamic"):
        raise base.ActionError(
            "Dynamic actions are disabled on this executor ([action_providers]); "
            "action %s was not run" % action_name)
    if payload.get("error"):
        raise base.ActionError(payload["error"])
    module = load_module(payload)
    class_name = payload.get("class_name")
    cls = getattr(module, class_name or "", None)
    if not isinstance(cls, type):
        raise base.ActionError("Class %s is not defined in code source %s (version %s)"
                               % (class_name, payload.get("code_source_name"),
                                  payload.get("version")))
    return descriptors.PythonAction(action_name, cls)
