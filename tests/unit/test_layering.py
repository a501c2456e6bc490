"""The package layering of ARCHITECTURE.md holds: import-linter's contracts are kept."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# In a process of its own: the linter's console output setup would otherwise outlive
# it and swallow what later tests capture.
_LINT = ("import sys; from importlinter import cli; "
         "sys.exit(cli.lint_imports(config_filename=sys.argv[1], no_cache=True, "
         "no_logo=True))")


def test_import_contracts_are_kept():
    proc = subprocess.run([sys.executable, "-c", _LINT, str(ROOT / ".importlinter")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
