"""Execution states change in one place: ``workflow.machines.transition``.

A state written anywhere else skips the legality check of the state machines, which is
how an execution ends up RUNNING forever. This test reads the package's source and fails
on any other write of a ``state`` attribute or field.
"""

import ast
import pathlib

import mistral_svc

PACKAGE = pathlib.Path(mistral_svc.__file__).parent
ALLOWED = {PACKAGE / "workflow" / "machines.py"}
# Packages that hold execution entities; elsewhere a "state" key is request or view data
# (a CLI's PUT body, the dict an expression's task() returns).
ENTITY_PACKAGES = ("engine", "db", "services", "scheduler", "executor", "workflow")
# What expressions see of a task (task(), tasks() filters) is built as plain dicts here.
VIEW_MODULES = {PACKAGE / "workflow" / "runtime.py"}


def _is_state_key(node):
    return isinstance(node, ast.Constant) and node.value == "state"


def state_writes(tree, check_keys):
    """Yield (line, source) of each write of a state outside the machines."""
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "state":
                yield node.lineno, ast.unparse(node)
            elif (check_keys and isinstance(target, ast.Subscript)
                  and _is_state_key(target.slice)):
                yield node.lineno, ast.unparse(node)
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) > 1
                    and _is_state_key(node.args[1])):
                yield node.lineno, ast.unparse(node)
            # delta.set(entity, state=...) records a state change for the writer.
            if (isinstance(func, ast.Attribute) and func.attr == "set"
                    and any(kw.arg == "state" for kw in node.keywords)):
                yield node.lineno, ast.unparse(node)


def test_states_change_only_through_the_machines():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED:
            continue
        package = path.relative_to(PACKAGE).parts[0]
        tree = ast.parse(path.read_text(), str(path))
        check_keys = package in ENTITY_PACKAGES and path not in VIEW_MODULES
        for line, source in state_writes(tree, check_keys):
            found.append("%s:%d: %s" % (path.relative_to(PACKAGE), line, source))
    assert found == [], "state written outside workflow/machines.py:\n" + "\n".join(found)


def test_the_scan_sees_each_kind_of_write():
    source = (
        "task_ex.state = 'SUCCESS'\n"
        "setattr(wf_ex, 'state', 'ERROR')\n"
        "delta.set(task_ex, state='RUNNING')\n"
        "row['state'] = 'PAUSED'\n"
    )
    lines = sorted(line for line, _ in state_writes(ast.parse(source), check_keys=True))
    assert lines == [1, 2, 3, 4]
