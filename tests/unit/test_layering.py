"""The package layering of ARCHITECTURE.md holds: import-linter's contracts are kept."""

import pathlib

from importlinter import cli

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert cli.lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True,
                            no_logo=True) == cli.EXIT_STATUS_SUCCESS
