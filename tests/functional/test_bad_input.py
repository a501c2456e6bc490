"""Malformed requests to every collection get a 4xx with a JSON faultstring: never a
500, never a traceback."""

import itertools
import json
import re

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


# A value of the wrong kind in each field a client sends as JSON-encoded text (or as a
# number): the 400 names the field.
WRONG_KIND = [
    ("post", "/v2/environments", {"name": "env_kind", "variables": 5}, "variables"),
    ("post", "/v2/executions", {"workflow_name": "wf", "input": 5}, "input"),
    ("post", "/v2/executions", {"workflow_name": "wf", "params": True}, "params"),
    ("post", "/v2/executions", {"workflow_name": "wf", "input": "[1]"}, "input"),
    ("put", "/v2/executions/no-such-id", {"params": 5}, "params"),
    ("post", "/v2/action_executions", {"name": "std.noop", "input": 5}, "input"),
    ("post", "/v2/action_executions", {"name": "std.noop", "params": 1.5}, "params"),
    ("put", "/v2/tasks/no-such-id", {"state": "RUNNING", "env": 5}, "env"),
    ("post", "/v2/cron_triggers", {"name": "ct_kind", "workflow_name": "wf",
                                   "pattern": "* * * * *", "workflow_input": 5},
     "workflow_input"),
    ("post", "/v2/cron_triggers", {"name": "ct_kind", "workflow_name": "wf",
                                   "pattern": "* * * * *", "remaining_executions": {"a": 1}},
     "remaining_executions"),
    ("post", "/v2/cron_triggers", {"name": "ct_kind", "workflow_name": "wf",
                                   "pattern": "* * * * *", "remaining_executions": 10 ** 30},
     "remaining_executions"),
    ("post", "/v2/event_triggers", {"name": "et_kind", "workflow_id": "wf",
                                    "workflow_params": 5}, "workflow_params"),
]


def _count(api, collection):
    return len(api.get("/v2/%s" % collection)[collection])


@pytest.mark.parametrize("method,url,body,field", WRONG_KIND,
                         ids=["%s %s %s" % (m, u, f) for m, u, _, f in WRONG_KIND])
def test_wrong_kind_of_value_names_the_field(api, method, url, body, field):
    collection = url.split("/")[2]
    before = _count(api, collection)
    r = getattr(api.app, method + "_json")(url, body, expect_errors=True)
    assert r.status_int == 400, r.text
    assert r.json["faultstring"].startswith("Invalid input for field/attribute %s." % field)
    assert _count(api, collection) == before


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def test_deeply_nested_bodies_are_refused(api):
    deep = "[" * 50000 + "]" * 50000
    before = _count(api, "environments")
    for body in (deep, '{"name": "deep", "variables": {"a": %s}}' % deep,
                 json.dumps({"name": "deep", "variables": deep}),
                 json.dumps({"name": "deep", "variables": {"a": _nested(150)}})):
        r = api.app.post("/v2/environments", body.encode(), expect_errors=True,
                         headers={"Content-Type": "application/json"})
        assert r.status_int == 400, r.text[:300]
        assert "nests deeper than 100 levels" in r.json["faultstring"]
    assert _count(api, "environments") == before


def test_nul_characters_are_refused_on_every_database(api):
    # PostgreSQL can neither store nor compare a NUL: refused alike everywhere.
    before = _count(api, "executions")
    r = api.app.post_json("/v2/executions", {"workflow_name": "\u0000"}, expect_errors=True)
    assert r.status_int == 400 and "workflow_name" in r.json["faultstring"]
    r = api.app.post_json("/v2/environments", {"name": "e", "variables": {"k\u0000": 1}},
                          expect_errors=True)
    assert r.status_int == 400 and "variables.k" in r.json["faultstring"]
    r = api.app.get("/v2/workflows?name=a%00b", expect_errors=True)
    assert r.status_int == 400 and "name" in r.json["faultstring"]
    r = api.app.get("/v2/workflows/a%00b", expect_errors=True)
    assert r.status_int == 400 and "NUL" in r.json["faultstring"]
    assert _count(api, "executions") == before


@pytest.mark.parametrize("query", ["nulls=__class__", "nulls=id,__dict__", "nulls=nothing",
                                   "created_at=gt:yesterday", "updated_at=in:a,b",
                                   "state_info=has:x&created_at=lte:2020-13-01"])
def test_bad_filters_are_400(api, query):
    r = api.app.get("/v2/executions?" + query, expect_errors=True)
    assert r.status_int == 400, r.text
    assert r.json["faultstring"]


def test_filters_on_dates_and_numbers_still_work(api):
    assert api.get("/v2/executions?created_at=gt:2000-01-01T00:00:00")["executions"] is not None
    # Other modules' triggers share the database: only what the filter keeps is known.
    triggers = api.get("/v2/cron_triggers?remaining_executions=3")["cron_triggers"]
    assert all(t["remaining_executions"] == 3 for t in triggers)
    assert api.get("/v2/executions?created_at=has:20")["executions"] is not None


@pytest.fixture
def small_body_limit():
    from mistral_svc import config

    config.CONF.set_override("max_request_body_size", 2000, group="oslo_middleware")
    yield 2000
    config.CONF.clear_override("max_request_body_size", group="oslo_middleware")


def test_request_body_limit_is_a_json_413(api, small_body_limit):
    before = _count(api, "environments")
    big = json.dumps({"name": "big_env", "variables": {"v": "x" * small_body_limit}})
    r = api.app.post("/v2/environments", big.encode(), expect_errors=True,
                     headers={"Content-Type": "application/json"})
    assert r.status_int == 413 and r.content_type == "application/json"
    assert r.json["faultstring"] == ("Request is too large: larger than "
                                     "max_request_body_size (2000 bytes)")
    r = api.app.post("/v2/workflows", b"#" * 3000, expect_errors=True,
                     headers={"Content-Type": "text/plain"})
    assert r.status_int == 413 and "max_request_body_size" in r.json["faultstring"]
    assert _count(api, "environments") == before
    # Under the limit, the same request goes through.
    small = json.dumps({"name": "small_env_%d" % before, "variables": {"v": "x"}})
    api.post("/v2/environments", json.loads(small))


def test_request_body_limit_without_a_length(api, small_body_limit):
    import io

    import webob

    body = json.dumps({"name": "chunked_env", "variables": {"v": "x" * 3000}}).encode()
    req = webob.Request.blank("/v2/environments", method="POST")
    req.environ.update({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True,
                        "CONTENT_TYPE": "application/json"})
    req.environ.pop("CONTENT_LENGTH", None)
    resp = req.get_response(api.app.app)
    assert resp.status_int == 413
    assert "max_request_body_size" in json.loads(resp.body)["faultstring"]


@pytest.mark.parametrize("url,body,field", [
    ("/v2/environments", {"name": "e" * 300}, "name"),
])
def test_values_longer_than_their_column_name_it(api, url, body, field):
    # SQLite would store them; PostgreSQL and MariaDB refuse them without the column.
    collection = url.split("/")[2]
    before = _count(api, collection)
    r = api.app.post_json(url, body, expect_errors=True)
    assert r.status_int == 400, r.text
    assert re.fullmatch(r"%s is longer than \d+ characters" % field, r.json["faultstring"])
    assert _count(api, collection) == before


def test_an_unexpected_error_is_a_server_fault_without_its_internals(api, monkeypatch):
    from mistral_svc.api.controllers.v2 import executions

    def broken(*args, **kwargs):
        raise TypeError("internal detail: dict() argument after **")

    monkeypatch.setattr(executions.rest_utils, "parse_fields", broken)  # the API alone uses it
    r = api.app.get("/v2/executions/some-id", expect_errors=True)
    assert r.status_int == 500
    assert r.json["faultcode"] == "Server"
    assert r.json["faultstring"] == "Internal server error"
    assert "internal detail" not in r.text
