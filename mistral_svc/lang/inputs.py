"""The one check of given input against declared input, for workflows and actions."""


class InputMismatch(ValueError):
    """Input lacks a required parameter or carries one that is not declared."""


def check(name, class_name, names, required, given, accepts_any=False):
    """Raise InputMismatch unless ``given`` has every ``required`` parameter and, unless
    ``accepts_any``, only ``names``. The message has Mistral's shape:
    ``Invalid input [name=..., class=..., missing=[...], unexpected=[...]]``."""
    missing = [n for n in required if n not in given]
    unexpected = [] if accepts_any else [k for k in given if k not in names]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append("missing=%s" % missing)
        if unexpected:
            parts.append("unexpected=%s" % unexpected)
        raise InputMismatch("Invalid input [name=%s, class=%s, %s]"
                            % (name, class_name, ", ".join(parts)))


def check_declared(name, class_name, declared, given):
    """``check`` against a DSL ``input`` list (``[{"name", "default"?}]``)."""
    check(name, class_name, {p["name"] for p in declared},
          [p["name"] for p in declared if "default" not in p], given)


def with_defaults(declared, given):
    """``given`` completed with the defaults of the declared parameters it lacks."""
    full = {p["name"]: p.get("default") for p in declared}
    full.update(given)
    return full
