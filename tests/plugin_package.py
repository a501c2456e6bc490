"""A real action package, built in a temporary directory for the tests.

It is what a user's package looks like once installed: a module with mistral-lib action
classes, and a ``.dist-info`` directory whose ``entry_points.txt`` registers them under
``mistral.actions`` (plus one entry whose module does not exist and one that is not a
class), and two expression functions under ``mistral.expression.functions``. Putting
the directory on ``sys.path`` (or ``PYTHONPATH`` for other processes) installs it, as
pip would for the purposes of entry-point discovery.
"""

import contextlib
import importlib
import os
import shutil
import sys
import tempfile

MODULE = "msvc_testpkg"

SOURCE = '''\
"""Actions of a package that is not part of mistral-svc."""

import os

from mistral_lib import actions


class GreetAction(actions.Action):
    """Greets someone and tells which execution asked.

    :param name: who to greet.
    :param greeting: the word to use.
    """

    def __init__(self, name, greeting="Hello"):
        super().__init__()
        self.name = name
        self.greeting = greeting

    def run(self, context):
        execution = context.execution
        return {
            "text": "%s, %s!" % (self.greeting, self.name),
            "workflow_execution_id": execution.workflow_execution_id,
            "task_execution_id": execution.task_execution_id,
            "action_execution_id": execution.action_execution_id,
            "callback_url": execution.callback_url,
            "pid": os.getpid(),
        }


class RefuseAction(actions.Action):
    """Fails with an error result."""

    def __init__(self, reason):
        super().__init__()
        self.reason = reason

    def run(self, context):
        return actions.Result(error={"refused": self.reason})


class WaitForCallbackAction(actions.Action):
    """Starts nothing; the result comes later through the API."""

    def run(self, context):
        return None

    def is_sync(self):
        return False


class NoLicenceAction(actions.Action):
    """Cannot even be created."""

    def __init__(self):
        raise RuntimeError("no licence for this action")

    def run(self, context):
        return None


class ExitAction(actions.Action):
    """Tries to stop the process it runs in."""

    def run(self, context):
        raise SystemExit(3)


def not_an_action():
    return None


def double(value):
    """An expression function: twice its argument."""
    return value * 2


def variable(context, name):
    """An expression function in Mistral's style: the context comes first."""
    data = context if isinstance(context, dict) else context["$"]
    return data.get(name)
'''

ENTRY_POINTS = """\
[mistral.actions]
testpkg.greet = msvc_testpkg:GreetAction
testpkg.refuse = msvc_testpkg:RefuseAction
testpkg.wait = msvc_testpkg:WaitForCallbackAction
testpkg.no_licence = msvc_testpkg:NoLicenceAction
testpkg.exit = msvc_testpkg:ExitAction
testpkg.gone = msvc_testpkg_missing.module:GoneAction
testpkg.not_a_class = msvc_testpkg:not_an_action

[mistral.expression.functions]
testpkg_double = msvc_testpkg:double
testpkg_var = msvc_testpkg:variable
env = msvc_testpkg:not_an_action
"""

NAMES = ("testpkg.greet", "testpkg.refuse", "testpkg.wait", "testpkg.no_licence",
         "testpkg.exit")


def build(root=None):
    """Write the package into ``root`` (a new temporary directory by default); returns
    the directory to put on the path."""
    root = root or tempfile.mkdtemp(prefix="msvc-testpkg-")
    os.makedirs(os.path.join(root, MODULE), exist_ok=True)
    with open(os.path.join(root, MODULE, "__init__.py"), "w") as f:
        f.write(SOURCE)
    info = os.path.join(root, "msvc_testpkg-1.0.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: msvc-testpkg\nVersion: 1.0\n")
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write(ENTRY_POINTS)
    return root


@contextlib.contextmanager
def installed():
    """The package on this process's ``sys.path`` and the catalogue reloaded; both
    undone on the way out."""
    from mistral_svc.actions import registry

    with built() as root:
        sys.path.insert(0, root)
        importlib.invalidate_caches()
        registry.reset()
        try:
            yield root
        finally:
            sys.path.remove(root)
            sys.modules.pop(MODULE, None)
            importlib.invalidate_caches()
            registry.reset()


@contextlib.contextmanager
def built():
    """The package in a temporary directory, removed on the way out."""
    root = build()
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
