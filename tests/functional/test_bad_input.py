"""Malformed requests to every collection get a 4xx with a JSON faultstring: never a
500, never a traceback."""

import itertools
import json

import pytest

COLLECTIONS = ["workflows", "executions", "tasks", "action_executions", "actions",
               "workbooks", "environments", "cron_triggers", "services"]
BODIES = ["", "{", "null", "[]", "123", '"str"', '{"a": 1}', "version: '2.0'\n", "a: [b",
          json.dumps({"workflow_name": 5, "input": "[1]"}),
          json.dumps({"name": None, "pattern": "bad"}), json.dumps({"state": 5}),
          json.dumps({"variables": "[1,2]", "name": "e"})]
CONTENT_TYPES = ["application/json", "text/plain"]
QUERIES = ["?limit=-1", "?limit=abc", "?marker=zzz", "?sort_keys=zzz", "?sort_dirs=up",
           "?created_at=gt:notadate", "?state=in:"]


def _check(response):
    assert response.status_int < 500, (response.request.method, response.request.url,
                                       response.text[:300])
    assert "Traceback" not in response.text
    if response.status_int >= 400 and response.content_type == "application/json":
        assert response.json.get("faultstring")


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_bad_bodies_and_queries(api, collection):
    app = api.app
    for method, body, ctype in itertools.product(("post", "put"), BODIES, CONTENT_TYPES):
        for url in ("/v2/%s" % collection, "/v2/%s/no-such-id" % collection):
            _check(getattr(app, method)(url, body.encode(), expect_errors=True,
                                        headers={"Content-Type": ctype}))
    for query in QUERIES:
        _check(app.get("/v2/%s%s" % (collection, query), expect_errors=True))
    _check(app.delete("/v2/%s/no-such-id" % collection, expect_errors=True))


def test_non_object_json_is_named(api):
    body = api.app.post("/v2/executions", b"[1, 2]", expect_errors=True,
                        headers={"Content-Type": "application/json"}).json
    assert body["faultstring"] == "The request body must be a JSON object"
