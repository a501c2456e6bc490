"""Fixtures for driving our API with the official python-mistralclient."""

import pytest
from mistralclient.api import base, client

from tests.functional.server_fixture import mistral_server  # noqa: F401


@pytest.fixture
def mc(mistral_server):  # noqa: F811
    """A python-mistralclient v2 client without authentication."""
    return client.client(mistral_url=mistral_server.url)


@pytest.fixture
def api_error():
    """``with api_error(404) as err:`` expects the client to raise APIException."""

    def expect(code):
        return _Raises(code)

    return expect


class _Raises:
    def __init__(self, code):
        self.code = code
        self.exception = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        assert exc_type is not None, "expected an APIException %s" % self.code
        if not issubclass(exc_type, base.APIException):
            return False
        assert exc.error_code == self.code, (exc.error_code, exc.error_message)
        self.exception = exc
        self.message = str(exc.error_message)
        return True
