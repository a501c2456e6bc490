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


def _retry(located, path, value):
    """The one-line retry form ``count=10 delay=5 break-on=<% ... %>`` as a mapping;
    a whole-expression retry is left for the engine to evaluate."""
    if value.lstrip().startswith(("<%", "{{")):
        return value
    try:
        _, params = inline.split("retry " + value)
    except ValueError as e:
        raise _err(located, path, str(e))
    schema.check(params, schema.RETRY_MAPPING, located, path)
    return params


def _revert(located, path, value):
    """The ``revert`` key normalised: ``{"action"|"workflow": name, "input": {...}}``
    (the one-line form names an action with inline parameters)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"action": value}
    if value.get("action") and value.get("workflow"):
        raise _err(located, path, "a revert has either 'action' or 'workflow', not both")
    if not (value.get("action") or value.get("workflow")):
        raise _err(located, path, "a revert names an 'action' or a 'workflow'")
    kind = "workflow" if value.get("workflow") else "action"
    try:
        target_name, params = inline.split(value[kind])
    except ValueError as e:
        raise _err(located, path + (kind,), str(e))
    rev_input = value.get("input")
    if isinstance(rev_input, dict):
        params = {**rev_input, **params}
    elif rev_input is not None:
        params = rev_input  # one expression yielding the whole input
    return {kind: target_name, "input": params}


def _task(located, path, name, raw, defaults, wf_type):
    if raw.get("action") and raw.get("workflow"):
        raise _err(located, path, "a task has either 'action' or 'workflow', not both")
    task = {"name": name}
    for key in ("description", "tags", "target", "keep-result", "publish",
                "publish-on-error", "publish-on-skip"):
        if key in raw:
            task[key] = raw[key]
    defaults_path = path[:-2] + ("task-defaults",)
    for key in _POLICY_KEYS:
        if key in raw:
            task[key] = raw[key]
        elif key in defaults:
            task[key] = defaults[key]
    if isinstance(task.get("retry"), str):
        r_path = path + ("retry",) if "retry" in raw else defaults_path + ("retry",)
        task["retry"] = _retry(located, r_path, task["retry"])
    kind = "workflow" if raw.get("workflow") else "action"
    target = raw.get(kind) or "std.noop"
    try:
        target_name, params = inline.split(target)
    except ValueError as e:
        raise _err(located, path + (kind,), str(e))
    task[kind] = target_name
    task_input = raw.get("input")
    if isinstance(task_input, dict):
        # Inline parameters win over the input block, as Mistral merges them.
        params = {**task_input, **params}
    elif task_input is not None:
        params = task_input  # one expression yielding the whole input dict
    task["input"] = params
    join = raw.get("join")
    if join is not None:
        task["join"] = 1 if join == "one" else join
    task["with-items"] = _with_items(located, path + ("with-items",), raw.get("with-items"))
    if raw.get("revert") is not None:
        task["revert"] = _revert(located, path + ("revert",), raw["revert"])
    if wf_type == spec.DIRECT:
        for clause in spec.CLAUSES:
            if clause in raw:
                task[clause] = _clause(located, path + (clause,), raw[clause])
                continue
            c = _clause(located, defaults_path + (clause,), defaults.get(clause))
            if c:
                # A default transition never leads a task to itself.
                c["next"] = [tr for tr in c["next"] if tr["name"] != name]
            task[clause] = c if c and (c["next"] or len(c) > 1) else None
    else:
        if "requires" in raw:
            req = raw["requires"] or []
            task["requires"] = [req] if isinstance(req, str) else list(req)
        else:
            req = defaults.get("requires") or []
            # A default requirement never makes a task require itself.
            task["requires"] = [r for r in ([req] if isinstance(req, str) else req)
                                if r != name]
    return task


def _check_type_keys(located, path, raw, wf_type):
    """``requires`` belongs to reverse workflows, ``on-*`` clauses to direct ones."""
    wrong = spec.CLAUSES if wf_type == spec.REVERSE else ("requires",)
    for key in wrong:
        if key in raw:
            raise _err(located, path + (key,),
                       "%r is not allowed in a %s workflow" % (key, wf_type))


def _workflow(located, path, name, raw):
    schema.check(raw, schema.WORKFLOW, located, path)
    wf_type = raw.get("type", spec.DIRECT)
    defaults = raw.get("task-defaults") or {}
    _check_type_keys(located, path + ("task-defaults",), defaults, wf_type)
    for t_name, t_raw in raw["tasks"].items():
        _check_type_keys(located, path + ("tasks", str(t_name)), t_raw or {}, wf_type)
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
    from mistral_svc.lang import validation

    # Malformed expressions are refused at upload, with their line, not at first run.
    validation._check_expressions(raw.get("base-input"), located, path + ("base-input",))
    validation._check_expressions(raw.get("output"), located, path + ("output",))
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


def _qualify(name, prefix, local_names):
    """``<prefix>.<name>`` when ``name`` is one of the workbook's own definitions."""
    return "%s.%s" % (prefix, name) if name in local_names else name


def _qualify_references(wb_name, workflows, actions):
    """Point short references at the workbook's own workflows and actions.

    Inside a workbook ``workflow: wf2`` and ``action: my_action`` (and an ad-hoc
    action's ``base``) mean the workbook's ``<wb>.wf2`` / ``<wb>.my_action`` first and a
    global definition of that name otherwise. Since a workbook's definitions are stored
    together with it, that choice is made here once instead of at every task run.
    Expressions (dynamic names) are left as they are.
    """
    prefix = wb_name + "."
    wf_names = {wf["name"][len(prefix):] for wf in workflows}
    action_names = {a["name"][len(prefix):] for a in actions}
    for wf in workflows:
        for task in wf["tasks"].values():
            for holder in (task, task.get("revert") or {}):
                if holder.get("workflow"):
                    holder["workflow"] = _qualify(holder["workflow"], wb_name, wf_names)
                elif holder.get("action"):
                    holder["action"] = _qualify(holder["action"], wb_name, action_names)
    for action in actions:
        # An action based on its own short name means the global action of that name.
        others = action_names - {action["name"][len(prefix):]}
        action["base"] = _qualify(action["base"], wb_name, others)


def parse_workbook(text):
    """Parse a workbook; its workflows and actions are named ``<workbook>.<name>``, and
    tasks (and ad-hoc action bases) naming a workflow or action of the same workbook by
    its short name refer to the qualified one."""
    located = yaml_loader.load(text)
    data = located.data
    if not isinstance(data, dict):
        raise _err(located, (), "a workbook definition must be a YAML mapping")
    _check_version(located, data)
    schema.check(data, schema.WORKBOOK, located)
    wb_name = str(data["name"])
    workflows = [
        _workflow(located, ("workflows", str(n)), "%s.%s" % (wb_name, n), raw)
        for n, raw in (data.get("workflows") or {}).items()
    ]
    actions = [
        _action(located, ("actions", str(n)), "%s.%s" % (wb_name, n), raw)
        for n, raw in (data.get("actions") or {}).items()
    ]
    _qualify_references(wb_name, workflows, actions)
    return {
        "name": wb_name,
        "description": data.get("description"),
        "tags": data.get("tags") or [],
        "workflows": workflows,
        "actions": actions,
    }
