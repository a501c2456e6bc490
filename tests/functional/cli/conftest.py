"""Fixtures for driving the ``mistral-svc`` command against a running server.

Commands run in-process through ``mistral_svc.cli.shell.main`` with their output
captured, so a test sees exactly what a user's terminal would: stdout, stderr and the
exit status.
"""

import json

import pytest
import yaml

from mistral_svc.cli import shell
from tests.functional.server_fixture import mistral_server  # noqa: F401


class Result:
    """What one command printed and returned."""

    def __init__(self, argv, code, out, err):
        self.argv = argv
        self.code = code
        self.out = out
        self.err = err

    def __repr__(self):
        return "<%s: exit %s\nstdout:\n%s\nstderr:\n%s>" % (
            " ".join(self.argv), self.code, self.out, self.err)

    @property
    def json(self):
        return json.loads(self.out)

    @property
    def yaml(self):
        return yaml.safe_load(self.out)

    @property
    def lines(self):
        return [line for line in self.out.splitlines() if line.strip()]

    @property
    def values(self):
        """``-f value`` output, one list of cells per line."""
        return [line.split(" ") for line in self.lines]

    @property
    def table_headers(self):
        return table_cells(self.lines[1])

    @property
    def table_rows(self):
        """Rows of a table (multi-line cells are kept as their first line)."""
        rows = []
        for line in self.lines[3:]:
            if line.startswith("+"):
                continue
            cells = table_cells(line)
            if cells[0] == "" and rows:  # continuation of a wrapped cell
                continue
            rows.append(cells)
        return rows

    def table_dicts(self):
        return [dict(zip(self.table_headers, row)) for row in self.table_rows]

    def show_fields(self):
        """A ShowOne table (``Field | Value``) as a dict of first lines."""
        assert self.table_headers == ["Field", "Value"], self
        fields = {}
        for line in self.lines[3:]:
            if line.startswith("+"):
                continue
            key, value = table_cells(line)
            if key:
                fields[key] = value
        return fields


def table_cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@pytest.fixture
def mistral(mistral_server, capsys):  # noqa: F811
    """Run ``mistral-svc <args>`` against the test server.

    ``expect`` is the exit status the command must end with (None: do not check).
    """

    def run(*args, expect=0, url=True):
        argv = [str(a) for a in args]
        if url:
            argv = ["--os-mistral-url", mistral_server.url] + argv
        capsys.readouterr()
        code = shell.main(argv)
        out, err = capsys.readouterr()
        result = Result(argv, code, out, err)
        if expect is not None:
            assert code == expect, result
        return result

    return run


@pytest.fixture
def definition_file(tmp_path):
    """Write text to a file in the test's directory; returns its path."""
    counter = [0]

    def write(text, suffix=".yaml"):
        counter[0] += 1
        path = tmp_path / ("definition_%d%s" % (counter[0], suffix))
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
