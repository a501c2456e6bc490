"""Semantic checks after the schema: references between tasks, cycles, expressions."""

from mistral_svc.lang import spec
from mistral_svc.lang.errors import DSLError


def _expressions():
    try:
        from mistral_svc import expressions
    except ImportError:  # pragma: no cover - the package always ships with expressions
        return None
    return expressions if hasattr(expressions, "validate") else None


def _check_expressions(value, located, path):
    """Raise DSLError for the first syntactically invalid expression inside ``value``."""
    exprs = _expressions()
    if exprs is None:
        return
    stack = [(value, path)]
    while stack:
        item, p = stack.pop()
        if isinstance(item, str):
            if "<%" in item or "{{" in item or "{%" in item:
                try:
                    exprs.validate(item)
                except Exception as e:  # noqa: BLE001 - any syntax error is a DSL error
                    raise DSLError(str(e), path=p, line=located.line(p))
        elif isinstance(item, dict):
            for k, v in item.items():
                stack.append((k, p))
                stack.append((v, p + (str(k),)))
        elif isinstance(item, list):
            for i, v in enumerate(item):
                stack.append((v, p + (str(i),)))


def _transition_path(located, path, task, clause, i):
    """Where transition ``i`` of a task's ``clause`` is written: in the task (list or
    advanced form) or, for a default clause, in task-defaults."""
    for base in (path + ("tasks", task, clause), path + ("task-defaults", clause)):
        if located.has(base):
            if located.has(base + ("next",)):
                return base + ("next", str(i))
            return base + (str(i),)
    return path + ("tasks", task, clause, str(i))


def _check_direct(wf, located, path):
    tasks = wf["tasks"]
    for name, task in tasks.items():
        for clause in spec.CLAUSES:
            c = task.get(clause)
            if not c:
                continue
            for i, tr in enumerate(c["next"]):
                target = tr["name"]
                if target in spec.ENGINE_COMMANDS or target.startswith(("<%", "{{")):
                    continue
                if target not in tasks:
                    p = _transition_path(located, path, name, clause, i)
                    raise DSLError("task %r transitions to unknown task %r" % (name, target),
                                   path=p, line=located.line(p))


def _check_reverse(wf, located, path):
    tasks = wf["tasks"]
    for name, task in tasks.items():
        for req in task.get("requires") or []:
            if req not in tasks:
                p = path + ("tasks", name, "requires")
                raise DSLError("task %r requires unknown task %r" % (name, req),
                               path=p, line=located.line(p))
    # Depth-first search for a cycle in "requires".
    state = {}

    def visit(n, trail):
        state[n] = 1
        for req in tasks[n].get("requires") or []:
            if state.get(req) == 1:
                cycle = trail[trail.index(req):] + [req] if req in trail else [n, req]
                p = path + ("tasks", n, "requires")
                raise DSLError("cycle in 'requires': %s" % " -> ".join(cycle),
                               path=p, line=located.line(p))
            if state.get(req) is None:
                visit(req, trail + [req])
        state[n] = 2

    for n in tasks:
        if state.get(n) is None:
            visit(n, [n])


def check_workflow(wf, located, path):
    """Check a normalised workflow dict; raise DSLError with path and line."""
    if wf["type"] == spec.DIRECT:
        _check_direct(wf, located, path)
    else:
        _check_reverse(wf, located, path)
    for key in ("output", "output-on-error", "vars"):
        _check_expressions(wf.get(key), located, path + (key,))
    for name, task in wf["tasks"].items():
        t_path = path + ("tasks", name)
        for key, value in task.items():
            if key in spec.CLAUSES and value:
                for i, tr in enumerate(value["next"]):
                    tr_path = _transition_path(located, path, name, key, i)
                    _check_expressions(tr["condition"], located, tr_path)
                    _check_expressions(tr["params"], located, tr_path)
                for pub, scope in (("publish", "branch"), ("publish-global", "global"),
                                   ("publish-atomic", "atomic")):
                    _check_expressions(value.get(pub), located,
                                       t_path + (key, "publish", scope))
            elif key not in ("name", "description", "tags"):
                k_path = t_path + (key,)
                if not located.has(k_path) and located.has(path + ("task-defaults", key)):
                    k_path = path + ("task-defaults", key)  # a default policy
                _check_expressions(value, located, k_path)
