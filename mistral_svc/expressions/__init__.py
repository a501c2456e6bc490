"""YAQL and Jinja2 expressions of the Mistral workflow language.

``<% ... %>`` is YAQL with the data context as ``$``; ``{{ ... }}`` / ``{% ... %}``
is Jinja2 with the data context as ``_``. Both languages also offer Mistral's
functions (``task()``, ``tasks()``, ``execution()``, ``executions()``, ``env()``,
``global()``, ``json_dump()``, ``json_parse()``, ``yaml_dump()``, ``yaml_parse()``,
``uuid()``...). The package does no I/O: execution state comes from the
:class:`Runtime` the caller passes in.
"""

from mistral_svc.expressions.api import (
    configure,
    evaluate,
    evaluate_recursively,
    has_expressions,
    load_plugin_functions,
    validate,
    validate_recursively,
)
from mistral_svc.expressions.base import (
    DEFAULT_LIMIT_ITERATORS,
    DEFAULT_MEMORY_QUOTA,
    ExpressionError,
    ExpressionSyntaxError,
    Runtime,
)
from mistral_svc.expressions.functions import FUNCTIONS

__all__ = [
    "DEFAULT_LIMIT_ITERATORS",
    "DEFAULT_MEMORY_QUOTA",
    "FUNCTIONS",
    "ExpressionError",
    "ExpressionSyntaxError",
    "Runtime",
    "configure",
    "evaluate",
    "evaluate_recursively",
    "has_expressions",
    "load_plugin_functions",
    "validate",
    "validate_recursively",
]
