"""Ad-hoc actions: user-defined wrappers that run as another action.

An ad-hoc action names a ``base`` (a system, dynamic or another ad-hoc action), maps its
own input onto the base's input with ``base-input`` expressions, and may reshape the
base's result with ``output``. Resolution yields a chain, outermost first, ending at a
system action class. Everything here is pure: expressions are evaluated through the
``evaluate(data, ctx)`` callable the caller passes in.
"""

from mistral_svc.actions.base import ActionError, check_input
from mistral_svc.lang import inputs as lang_inputs

#: How deep ad-hoc actions may nest (a cycle is reported before this is reached).
MAX_DEPTH = 20


def check_spec_input(spec, params):
    """ActionError for parameters ``spec`` lacks or does not declare."""
    try:
        lang_inputs.check_declared(spec["name"], "AdHocAction", spec.get("input") or [],
                                   params)
    except lang_inputs.InputMismatch as e:
        raise ActionError(str(e))


def _with_defaults(spec, params):
    return lang_inputs.with_defaults(spec.get("input") or [], params)


class AdHocAction:
    """A resolved ad-hoc action: ``chain`` of specs (outermost first) and the system
    class ``base_cls`` (named ``base_name``) that finally runs."""

    def __init__(self, name, chain, base_cls, base_name):
        self.name = name
        self.chain = list(chain)
        self.base_cls = base_cls
        self.base_name = base_name

    @property
    def is_sync(self):
        return self.base_cls.is_sync

    def check_input(self, params):
        """ActionError unless ``params`` fit the outermost action's declared input."""
        check_spec_input(self.chain[0], params)

    def base_input(self, params, evaluate):
        """The input of the system action: each level's ``base-input`` evaluated
        against that level's input (defaults filled in), then checked against the
        system action's signature."""
        for i, spec in enumerate(self.chain):
            if i:
                check_spec_input(spec, params)
            template = spec.get("base-input")
            if template in (None, {}, ""):
                params = {}
                continue
            try:
                params = evaluate(template, _with_defaults(spec, params))
            except ActionError:
                raise
            except Exception as e:  # noqa: BLE001 - expression errors name the action
                raise ActionError("Failed to evaluate base-input of ad-hoc action %s: %s"
                                  % (spec["name"], e))
            if not isinstance(params, dict):
                raise ActionError("base-input of ad-hoc action %s must evaluate to a dict, "
                                  "got %s" % (spec["name"], type(params).__name__))
        check_input(self.base_cls, params)
        return params

    def outputs(self):
        """The ``output`` transformations, innermost first (the order they apply in)."""
        return [spec.get("output") for spec in reversed(self.chain)]


def transform(outputs, data, evaluate):
    """Apply ``output`` transformations in order, each with ``$`` = the previous
    result; a level without ``output`` passes the result through."""
    for output in outputs:
        if output is None:
            continue
        try:
            data = evaluate(output, data)
        except Exception as e:  # noqa: BLE001 - a bad output expression fails the action
            raise ActionError("Failed to evaluate the output of an ad-hoc action: %s" % e)
    return data


def build(name, namespace, lookup, system_get, other_get=None):
    """Resolve ``name`` (as seen from ``namespace``) into an AdHocAction, following bases
    through ``lookup(name, namespace)`` -> (spec, its namespace) or None and
    ``system_get(name)`` -> class or None. A base is looked up in the namespace of the
    ad-hoc action that names it. A base that is neither (a dynamic action, as in
    Mistral, where any provider's action can be a base) comes from
    ``other_get(name, namespace)`` -> catalogue entry or None, when given.

    System names are never ad-hoc names, so they end the walk without a lookup.
    Returns None if ``name`` is not an ad-hoc action; raises ActionError for a missing
    base or a cycle.
    """
    chain, seen = [], []
    current = name
    while True:
        cls = system_get(current)
        found = lookup(current, namespace) if cls is None else None
        if found is None:
            if not chain:
                return None
            if cls is None and other_get is not None:
                cls = other_get(current, namespace)
            if cls is None:
                raise ActionError("Failed to find action [action_name=%s] (base of ad-hoc "
                                  "action %s)" % (current, chain[-1]["name"]))
            return AdHocAction(name, chain, cls, current)
        spec, namespace = found
        if current in seen or len(chain) >= MAX_DEPTH:
            raise ActionError("Ad-hoc actions form a cycle: %s"
                              % " -> ".join(seen + [current]))
        seen.append(current)
        chain.append(spec)
        current = spec["base"]
