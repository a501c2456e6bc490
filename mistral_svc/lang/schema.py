"""JSON schemas of DSL v2 documents: workflows, tasks, ad-hoc actions and workbooks.

The schemas check shape (which keys exist, their types); meaning (references between
tasks, cycles, expression syntax) is checked afterwards in ``validation``.
"""

import jsonschema

from mistral_svc.lang.errors import DSLError

_EXPR = {"type": "string", "pattern": r"^\s*(<%.*%>|\{\{.*\}\})\s*$"}
_NON_NEG_INT_OR_EXPR = {"oneOf": [{"type": "integer", "minimum": 0}, _EXPR]}
_BOOL_OR_EXPR = {"oneOf": [{"type": "boolean"}, _EXPR]}
_ANY_DICT = {"type": "object"}
_STR_OR_EXPR = {"type": "string"}

_TRANSITION_ITEM = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "additionalProperties": {"type": ["string", "boolean", "null"]},
        },
    ]
}
_TRANSITION_LIST = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": _TRANSITION_ITEM},
    ]
}
_TRANSITIONS = {
    "oneOf": [
        _TRANSITION_LIST,
        {
            # The "advanced publishing" form: publish (branch/global/atomic) plus next.
            "type": "object",
            "properties": {
                "publish": {
                    "type": "object",
                    "properties": {
                        "branch": _ANY_DICT,
                        "global": _ANY_DICT,
                        "atomic": _ANY_DICT,
                    },
                    "additionalProperties": False,
                },
                "next": _TRANSITION_LIST,
            },
            "additionalProperties": False,
        },
    ]
}

RETRY_MAPPING = {
    "type": "object",
    "properties": {
        "count": _NON_NEG_INT_OR_EXPR,
        "delay": _NON_NEG_INT_OR_EXPR,
        "break-on": _STR_OR_EXPR,
        "continue-on": _STR_OR_EXPR,
    },
    "required": ["count"],
    "additionalProperties": False,
}
# A mapping, a whole expression, or the one-line form "count=10 delay=5 break-on=...".
_RETRY = {"oneOf": [{"type": "string", "minLength": 1}, RETRY_MAPPING]}

# Compensation: what undoes a task. A mapping naming an action or a workflow with its
# input, or the one-line form "std.echo output=undo" (an action with inline input).
REVERT_MAPPING = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "minLength": 1},
        "workflow": {"type": "string", "minLength": 1},
        "input": {"oneOf": [_ANY_DICT, _EXPR]},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}
_REVERT = {"oneOf": [{"type": "string", "minLength": 1}, REVERT_MAPPING]}

_POLICIES = {
    "retry": _RETRY,
    "wait-before": _NON_NEG_INT_OR_EXPR,
    "wait-after": _NON_NEG_INT_OR_EXPR,
    "timeout": _NON_NEG_INT_OR_EXPR,
    "pause-before": _BOOL_OR_EXPR,
    "concurrency": _NON_NEG_INT_OR_EXPR,
    "safe-rerun": _BOOL_OR_EXPR,
    "fail-on": {"oneOf": [{"type": "boolean"}, _STR_OR_EXPR]},
}

TASK = {
    "type": "object",
    "properties": dict(
        _POLICIES,
        **{
            "name": {"type": "string"},
            "description": {"type": "string"},
            "action": {"type": "string", "minLength": 1},
            "workflow": {"type": "string", "minLength": 1},
            "input": {"oneOf": [_ANY_DICT, _EXPR]},
            "publish": {"oneOf": [_ANY_DICT, _EXPR]},
            "publish-on-error": {"oneOf": [_ANY_DICT, _EXPR]},
            "publish-on-skip": {"oneOf": [_ANY_DICT, _EXPR]},
            "on-success": _TRANSITIONS,
            "on-error": _TRANSITIONS,
            "on-complete": _TRANSITIONS,
            "on-skip": _TRANSITIONS,
            "join": {
                "oneOf": [
                    {"enum": ["all", "one"]},
                    {"type": "integer", "minimum": 1},
                ]
            },
            "requires": {
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
            "with-items": {
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
            "keep-result": _BOOL_OR_EXPR,
            "revert": _REVERT,
            "target": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "policies": {"type": "object"},
        },
    ),
    "additionalProperties": False,
}

_INPUT_LIST = {
    "type": "array",
    "items": {
        "oneOf": [
            {"type": "string", "minLength": 1},
            {"type": "object", "minProperties": 1, "maxProperties": 1},
        ]
    },
    "uniqueItems": True,
}

TASK_DEFAULTS = {
    "type": "object",
    "properties": dict(
        _POLICIES,
        **{
            "on-success": _TRANSITIONS,
            "on-error": _TRANSITIONS,
            "on-complete": _TRANSITIONS,
            "on-skip": _TRANSITIONS,
            "requires": {
                "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
        },
    ),
    "additionalProperties": False,
}

WORKFLOW = {
    "type": "object",
    "properties": {
        "version": {"type": ["string", "number"]},
        "name": {"type": "string"},
        "type": {"enum": ["direct", "reverse"]},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "input": _INPUT_LIST,
        "output": {},
        "output-on-error": {},
        "vars": _ANY_DICT,
        "task-defaults": TASK_DEFAULTS,
        "tasks": {"type": "object", "minProperties": 1, "additionalProperties": TASK},
    },
    "required": ["tasks"],
    "additionalProperties": False,
}

ACTION = {
    "type": "object",
    "properties": {
        "version": {"type": ["string", "number"]},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "base": {"type": "string", "minLength": 1},
        "base-input": {},
        "input": _INPUT_LIST,
        "output": {},
    },
    "required": ["base"],
    "additionalProperties": False,
}

WORKBOOK = {
    "type": "object",
    "properties": {
        "version": {"type": ["string", "number"]},
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "workflows": {"type": "object", "additionalProperties": WORKFLOW},
        "actions": {"type": "object", "additionalProperties": ACTION},
    },
    "required": ["name"],
    "additionalProperties": False,
}

_VALIDATORS = {}


def _validator(schema):
    key = id(schema)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = jsonschema.Draft7Validator(schema)
    return _VALIDATORS[key]


def _describe(err):
    """A short message for the most specific error jsonschema found."""
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        return "unexpected key(s): %s" % ", ".join(map(str, extra))
    if err.validator == "required":
        return err.message.replace("is a required property", "is required")
    if err.validator == "oneOf" and err.context:
        best = jsonschema.exceptions.best_match(err.context)
        return "%s (value %s)" % (_short(best.message), _short(repr(err.instance)))
    return _short(err.message)


# Errors that only say "this alternative has another type": they explain nothing when
# the value fits another alternative of a oneOf.
_MISMATCH = ("type", "enum", "pattern", "const")


def _fits(err):
    """True if ``err`` comes from a oneOf alternative whose shape fits the value."""
    if err.relative_path:
        return True
    if err.validator in _MISMATCH:
        return False
    if err.validator in ("oneOf", "anyOf") and err.context:
        return any(_fits(e) for e in err.context)
    return True


def _specific(err):
    """Inside a oneOf, the error of the alternative that fits the value (a mapping
    missing a key, a number below its minimum) rather than "is not a string"."""
    while err.validator in ("oneOf", "anyOf") and err.context:
        fitting = [e for e in err.context if _fits(e)]
        if not fitting:
            break
        err = max(fitting, key=lambda e: len(e.absolute_path))
    return err


def _short(text, limit=160):
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check(data, schema, located, base_path=()):
    """Validate ``data`` against ``schema``; raise DSLError naming the path and line."""
    errors = sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = _specific(errors[0])
    path = tuple(base_path) + tuple(str(p) for p in err.absolute_path)
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        if extra:
            path = path + (str(extra[0]),)
    raise DSLError(_describe(err), path=path, line=located.line(path))
