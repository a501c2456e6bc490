"""The malformed-request sweep (tests/fuzz_sweep.py) on the embedded default, a server
of its own (so that no other test's work runs beside it): no 5xx, JSON errors, nothing
half-written after a refused request. The distributed shape runs it in
tests/integration/test_fuzz_distributed.py."""

import os

import pytest

from tests import fuzz_sweep
from tests.functional.server_fixture import Server


@pytest.fixture(scope="module")
def own_server():
    server = Server().start()
    yield server
    server.stop()


def test_sweep_of_every_operation(own_server):
    http = fuzz_sweep.Http(own_server.url[: -len("/v2")])
    db = "sqlite:///" + os.path.join(own_server.state_dir, "mistral.sqlite")
    http.sweep(db).check()
