"""Mistral's X-Target-* headers: a malformed set is a client error (400), never more."""

import base64
import json

import pytest

from mistral_svc.api import auth


def _environ(catalog_text):
    return {"HTTP_X_TARGET_AUTH_URI": "http://keystone.example/v3",
            "HTTP_X_TARGET_AUTH_TOKEN": "t",
            "HTTP_X_TARGET_SERVICE_CATALOG": base64.b64encode(catalog_text.encode()).decode()}


def test_a_service_catalog_is_read_from_base64_json():
    catalog = [{"type": "compute", "endpoints": []}]
    assert auth.target_params(_environ(json.dumps(catalog)))["service_catalog"] == catalog


@pytest.mark.parametrize("text, message", [
    ("[" * 50000 + "]" * 50000, "nests deeper"),  # past the interpreter's recursion limit
    ("{not json", "is not valid JSON"),
])
def test_a_malformed_service_catalog_is_a_value_error(text, message):
    # The Gate answers ValueError with a 400; anything else would be a 503 and a traceback.
    with pytest.raises(ValueError, match="X-Target-Service-Catalog " + message):
        auth.target_params(_environ(text))
