"""Parse DSL v2 text into normalised spec dicts (workflows, ad-hoc actions, workbooks).

Every public function either returns specs that the engine can run as they are, or raises
``DSLError`` with the path and line of the first problem.
"""

import re

from mistral_svc.lang import inline, schema, spec, yaml_loader
from mistral_svc.lang.errors import DSLError

_WITH_ITEMS = re.compile(r"^\s*([A-Za-z_][\w]*)\s+in\s+(.+?)\s*$", re.S)
_POLICY_KEYS = ("retry", "wait-before", "wait-after", "timeout", "pause-before",
                "concurrency", "safe-rerun", "fail-on")


def _err(located, path, message):
    return DSLError(message, path=path, line=located.line(path))


def _check_version(located, data):
    version = data.get("version")
    if version is None:
        raise _err(located, ("version",), "'version' is required and must be '2.0'")
    if str(version) not in ("2.0", "2"):
        raise _err(located, ("version",), "unsupported version %r (expected '2.0')" % version)


def _input_params(located, path, items):
    out, seen = [], set()
    for i, item in enumerate(items or []):
        if isinstance(item, dict):
            (name, default), = item.items()
            param = {"name": str(name), "default": default}
        else:
            param = {"name": str(item)}
        if param["name"] in seen:
            raise _err(located, path + (str(i),), "duplicate input %r" % param["name"])
        seen.add(param["name"])
        out.append(param)
    return out


def _transition(located, path, item):
    if isinstance(item, dict):
        (target, condition), = item.items()
        if condition is True or condition is None:
            condition = None
    else:
        target, condition = item, None
    try:
        name, params = inline.split(str(target))
    except ValueError as e:
        raise _err(located, path, str(e))
    return {"name": name, "condition": condition, "params": params}


def _clause(located, path, value):
    if value is None:
        return None
    publish = None
    if isinstance(value, dict):
        publish = value.get("publish")
        value = value.get("next") or []
    if isinstance(value, str):
        value = [value]
    next_ = [_transition(located, path + (str(i),), item) for i, item in enumerate(value)]
    out = {"next": next_}
    if publish:
        out["publish"] = publish.get("branch")
        out["publish-global"] = publish.get("global")
        out["publish-atomic"] = publish.get("atomic")
    return out


def _with_items(located, path, value):
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    out = []
    for i, clause in enumerate(items):
        m = _WITH_ITEMS.match(clause)
        if not m:
            raise _err(located, path + ((str(i),) if not isinstance(value, str) else ()),
                       "with-items must read '<var> in <list or expression>', got %r" % clause)
        var, expr = m.group(1), m.group(2)
        if not expr.startswith(("<%", "{{")):
            try:
                expr = yaml_loader.load(expr).data
            except DSLError:
                raise _err(located, path, "cannot read the list in with-items %r" % clause)
        out.append({"var": var, "expr": expr})
    return out


def _task(located, path, name, raw, defaults, wf_type):
    if name in spec.RESERVED_TASK_NAMES:
        raise _err(located, path, "task name %r is reserved" % name)
    if raw.get("action") and raw.get("workflow"):
        raise _err(located, path, "a task has either 'action' or 'workflow', not both")
    task = {"name": name}
    for key in ("description", "tags", "target", "keep-result", "publish",
                "publish-on-error"):
        if key in raw:
            task[key] = raw[key]
    for key in _POLICY_KEYS:
        if key in raw:
            task[key] = raw[key]
        elif key in defaults:
            task[key] = defaults[key]
    kind = "workflow" if raw.get("workflow") else "action"
    target = raw.get(kind) or "std.noop"
    try:
        target_name, params = inline.split(target)
    except ValueError as e:
        raise _err(located, path + (kind,), str(e))
    task[kind] = target_name
    task_input = raw.get("input")
    if isinstance(task_input, dict):
        params = dict(params, **task_input)
    elif task_input is not None:
        params = task_input  # one expression yielding the whole input dict
    task["input"] = params
    join = raw.get("join")
    if join is not None:
        task["join"] = 1 if join == "one" else join
    task["with-items"] = _with_items(located, path + ("with-items",), raw.get("with-items"))
    if wf_type == spec.DIRECT:
        for clause in spec.CLAUSES:
            value = raw.get(clause, defaults.get(clause))
            c_path = path + (clause,) if clause in raw else ("task-defaults", clause)
            task[clause] = _clause(located, c_path, value)
    else:
        req = raw.get("requires", defaults.get("requires")) or []
        task["requires"] = [req] if isinstance(req, str) else list(req)
    return task


def _workflow(located, path, name, raw):
    schema.check(raw, schema.WORKFLOW, located, path)
    wf_type = raw.get("type", spec.DIRECT)
    defaults = raw.get("task-defaults") or {}
    tasks = {}
    for t_name, t_raw in raw["tasks"].items():
        tasks[str(t_name)] = _task(located, path + ("tasks", str(t_name)), str(t_name),
                                   t_raw or {}, defaults, wf_type)
    wf = {
        "name": name,
        "version": "2.0",
        "type": wf_type,
        "description": raw.get("description"),
        "tags": raw.get("tags") or [],
        "input": _input_params(located, path + ("input",), raw.get("input")),
        "output": raw.get("output"),
        "output-on-error": raw.get("output-on-error"),
        "vars": raw.get("vars") or {},
        "tasks": tasks,
    }
    from mistral_svc.lang import validation

    validation.check_workflow(wf, located, path)
    return wf


def parse_workflows(text):
    """Parse a workflow file: ``version: '2.0'`` and one key per workflow."""
    located = yaml_loader.load(text)
    data = located.data
    if not isinstance(data, dict):
        raise _err(located, (), "a workflow definition must be a YAML mapping")
    _check_version(located, data)
    workflows = []
    for name, raw in data.items():
        if name == "version":
            continue
        if not isinstance(raw, dict):
            raise _err(located, (str(name),), "workflow %r must be a mapping" % name)
        workflows.append(_workflow(located, (str(name),), str(name), raw))
    if not workflows:
        raise _err(located, (), "no workflow is defined")
    return workflows


def _action(located, path, name, raw):
    schema.check(raw, schema.ACTION, located, path)
    try:
        base, base_params = inline.split(raw["base"])
    except ValueError as e:
        raise _err(located, path + ("base",), str(e))
    base_input = raw.get("base-input")
    if isinstance(base_input, dict):
        base_input = dict(base_params, **base_input)
    elif base_input is None:
        base_input = base_params
    return {
        "name": name,
        "version": "2.0",
        "description": raw.get("description"),
        "tags": raw.get("tags") or [],
        "base": base,
        "base-input": base_input,
        "input": _input_params(located, path + ("input",), raw.get("input")),
        "output": raw.get("output"),
    }


def parse_actions(text):
    """Parse an ad-hoc action file: ``version: '2.0'`` and one key per action."""
    located = yaml_loader.load(text)
    data = located.data
    if not isinstance(data, dict):
        raise _err(located, (), "an action definition must be a YAML mapping")
    _check_version(located, data)
    actions = []
    for name, raw in data.items():
        if name == "version":
            continue
        if not isinstance(raw, dict):
            raise _err(located, (str(name),), "action %r must be a mapping" % name)
        actions.append(_action(located, (str(name),), str(name), raw))
    if not actions:
        raise _err(located, (), "no action is defined")
    return actions


def parse_workbook(text):
    """Parse a workbook; its workflows and actions are named ``<workbook>.<name>``."""
    located = yaml_loader.load(text)
    data = located.data
    if not isinstance(data, dict):
        raise _err(located, (), "a workbook definition must be a YAML mapping")
    _check_version(located, data)
    schema.check(data, schema.WORKBOOK, located)
    wb_name = data["name"]
    workflows = [
        _workflow(located, ("workflows", str(n)), "%s.%s" % (wb_name, n), raw)
        for n, raw in (data.get("workflows") or {}).items()
    ]
    actions = [
        _action(located, ("actions", str(n)), "%s.%s" % (wb_name, n), raw)
        for n, raw in (data.get("actions") or {}).items()
    ]
    return {
        "name": wb_name,
        "description": data.get("description"),
        "tags": data.get("tags") or [],
        "workflows": workflows,
        "actions": actions,
    }
