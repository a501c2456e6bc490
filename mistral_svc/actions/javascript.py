"""``std.javascript`` (alias ``std.js``): runs a JavaScript snippet in V8 (mini-racer)."""

import json

from mistral_svc.actions.base import Action, ActionError

#: Bounds of one evaluation, so a runaway script cannot hold an executor thread.
JS_TIMEOUT_SECONDS = 300
JS_MAX_MEMORY = 512 * 1024 * 1024

# The snippet is the body of a function; its return value leaves V8 as JSON text, so
# dates, arrays and objects arrive as plain data (undefined becomes null).
_WRAPPER = """(function () {
var $ = %s;
var __result = (function () {
%s
})();
return __result === undefined ? "null" : JSON.stringify(__result);
})()"""


def _engine():
    try:
        from py_mini_racer import MiniRacer
    except ImportError:  # pragma: no cover - mini-racer is a declared dependency
        raise ActionError("std.javascript needs the 'mini-racer' package on the executor")
    return MiniRacer()


class JavaScriptAction(Action):
    """Evaluates a JavaScript snippet and returns what it returns.

    :param script: the body of a function: use ``return`` to give the result.
    :param context: any JSON data, visible to the script as ``$``.
    """

    def __init__(self, script, context=None):
        self.script = script
        self.js_context = context

    def run(self, context):
        try:
            data = json.dumps(self.js_context)
        except (TypeError, ValueError) as e:
            raise ActionError("JavaScript context is not JSON data: %s" % e)
        code = _WRAPPER % (data, self.script)
        try:
            out = _engine().eval(code, timeout_sec=JS_TIMEOUT_SECONDS,
                                 max_memory=JS_MAX_MEMORY)
        except ActionError:
            raise
        except Exception as e:  # noqa: BLE001 - every JS failure is the action's error
            raise ActionError("JavaScriptAction failed: %s" % str(e).strip())
        if not isinstance(out, str):
            return None
        return json.loads(out)

