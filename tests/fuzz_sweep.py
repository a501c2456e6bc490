"""A bounded sweep of malformed requests over every operation of the API.

The operations come from the API's own OpenAPI document, so a new endpoint is swept
as soon as it exists. For each one the sweep sends, deterministically (a seeded
sample of a fixed list): whole bodies that are not what the endpoint reads, each
request field set to values of the wrong kind, each query parameter set to odd text,
against an existing item and a missing one. It records every answer and checks that:

- nothing is a 5xx, every 4xx is a JSON body with a ``faultstring``, no traceback;
- a refused write leaves the database as it was (row counts and last change of every
  table the API writes).

The same sweep runs on the embedded default (through webtest) and on the distributed
shape (over HTTP); ``Sweep.statuses`` lets a test compare the two.
"""

import json
import random
import re

import requests
import sqlalchemy as sa

from tests import waiting

SEED = 18
# Per operation: how many bodies and how many query variations are sent.
BODIES_PER_OPERATION = 14
QUERIES_PER_OPERATION = 8

DEEP = "[" * 5000 + "]" * 5000
WRONG_VALUES = [5, -1, 1.5, True, None, "", "x", [], {}, [1, "a"], {"a": {"b": 1}},
                "[1]", "{", '{"a": ', "null", "5", DEEP, 10 ** 30, "x" * 20000, "\u0000",
                "../../etc/passwd", "<% $.x %>", "{{ 7 * 7 }}"]
WHOLE_JSON_BODIES = [b"", b"{", b"null", b"[]", b"123", b'"s"', b'{"zzz": 1}',
                     DEEP.encode(), b'{"a": ' + DEEP.encode() + b"}", b"\xff\xfe\x00",
                     b'{"name": "\xff"}', b"{}" * 3]
TEXT_BODIES = [b"", b"x", b"version: '2.0'\n", b"a: [b",
               b"version: '2.0'\nwf:\n  vars: &a [*a]\n  tasks: {}\n",
               b"a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n",
               b"\xff\xfe", b"version: '2.0'\nwf:\n  tasks: 5\n", b"- 1\n- 2\n",
               b"version: '2.0'\n" + b"a:\n" * 300, b"{}",
               b"version: 2.0\nx: !!python/name:os.system\n"]
QUERY_VALUES = ["", "x", "-1", "0", "99999999999999999999", "__class__", "gt:x", "in:",
                "eq:", "has:%", "1e999", "true", "nin:a,b", "lte:2020-13-45", "%ff",
                "id,__dict__", "..", "'; DROP TABLE x; --"]
MISSING_IDS = ["no-such-id", "00000000-0000-0000-0000-000000000000", "%2e%2e", "x" * 300]
# Tables only background services change (a rejected request never touches them).
VOLATILE_TABLES = {"scheduled_jobs_v2"}


class Failure(AssertionError):
    pass


def fingerprint(engine):
    """Row count and newest created/updated time of every table the API writes."""
    from mistral_svc.db import models

    out = []
    with engine.connect() as conn:
        for table in sorted(models.Base.metadata.tables.values(), key=lambda t: t.name):
            if table.name in VOLATILE_TABLES:
                continue
            cols = [sa.func.count()]
            for name in ("created_at", "updated_at"):
                if name in table.c:
                    cols.append(sa.func.max(table.c[name]))
            out.append((table.name,) + tuple(conn.execute(sa.select(*cols)).one()))
    return tuple(out)


class Sweep:
    """One sweep: ``send(method, path, query, body, content_type)`` answers
    ``(status, content_type, text)``; ``engine`` reads the service's database;
    ``items`` maps a collection name to an existing item's path segment."""

    def __init__(self, send, engine, items, doc):
        self.send = send
        self.engine = engine
        self.items = items
        self.doc = doc
        self.random = random.Random(SEED)
        self.statuses = {}
        self.failures = []
        self.count = 0

    def run(self):
        for path, item in sorted(self.doc["paths"].items()):
            if path in ("/", "/v2/openapi.json"):
                continue
            for verb, op in sorted(item.items()):
                self._operation(path, verb.upper(), op)
        return self

    def check(self):
        assert self.count > 0
        if self.failures:
            raise Failure("%d of %d requests failed:\n%s" % (
                len(self.failures), self.count, "\n".join(self.failures[:25])))

    # -- one operation --------------------------------------------------------------

    def _paths(self, path):
        """The operation's path on an existing item and on missing ones."""
        if "{" not in path:
            return [path]
        collection = path.split("/")[2]
        existing = self.items.get(collection, "none")
        out = [_fill(path, existing)]
        out += [_fill(path, self.random.choice(MISSING_IDS))]
        return out

    def _operation(self, path, method, op):
        body_spec = (op.get("requestBody") or {}).get("content") or {}
        queries = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        for url in self._paths(path):
            if "application/json" in body_spec:
                schema = self._resolve(body_spec["application/json"]["schema"])
                for body in self._json_bodies(schema):
                    self._request(method, url, "", body, "application/json")
            elif "text/plain" in body_spec:
                # Every text body, each time: the YAML bombs must meet every upload.
                for body in TEXT_BODIES:
                    ctype = self.random.choice(["text/plain", "application/json"])
                    self._request(method, url, "", body, ctype)
            for query in self._queries(queries):
                self._request(method, url, query, b"{}" if method in ("POST", "PUT")
                              else None, "application/json")

    def _resolve(self, schema):
        ref = schema.get("$ref")
        if ref:
            return self.doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return schema

    def _json_bodies(self, schema):
        fields = [n for n, p in (schema.get("properties") or {}).items()
                  if not p.get("readOnly")]
        candidates = [("body", b) for b in WHOLE_JSON_BODIES]
        candidates += [(f, v) for f in fields for v in WRONG_VALUES]
        picked = self.random.sample(candidates, min(BODIES_PER_OPERATION, len(candidates)))
        for field, value in picked:
            if field == "body":
                yield value
            else:
                yield json.dumps({field: value}).encode()

    def _queries(self, names):
        candidates = [(n, v) for n in names + ["zzz"] for v in QUERY_VALUES]
        picked = self.random.sample(candidates, min(QUERIES_PER_OPERATION, len(candidates)))
        for name, value in picked:
            yield "%s=%s" % (name, value.replace("&", "%26").replace("#", "%23")
                             .replace(" ", "%20").replace("'", "%27").replace(";", "%3B"))

    # -- one request ----------------------------------------------------------------

    def _request(self, method, url, query, body, ctype):
        writes = method != "GET"
        before = fingerprint(self.engine) if writes else None
        status, rtype, text = self.send(method, url, query, body, ctype)
        self.count += 1
        shown = "%s %s%s%s %r" % (method, url[:80], "?" if query else "", query[:60],
                                  (body or b"")[:60])
        self.statuses[(method, _shape(url, self.items), query, body, ctype)] = status
        if status >= 500:
            self.failures.append("%d %s: %s" % (status, shown, text[:200]))
        elif status >= 400:
            ok = "json" in (rtype or "")
            try:
                ok = ok and bool(json.loads(text).get("faultstring"))
            except (ValueError, AttributeError):
                ok = False
            if not ok:
                self.failures.append("%d without a JSON faultstring %s: %s"
                                     % (status, shown, text[:200]))
        if "Traceback" in text:
            self.failures.append("traceback in %s" % shown)
        if not writes:
            return
        if status >= 400:
            after = fingerprint(self.engine)
            if after != before:
                changed = [b[0] for b, a in zip(before, after) if a != b]
                self.failures.append("%d but %s changed: %s" % (status, changed, shown))
        else:
            self._settle()

    def _settle(self, timeout=15):
        """After an accepted write, wait until what it started is done: the database
        the same at two looks in a row."""
        last = [fingerprint(self.engine)]

        def still():
            now = fingerprint(self.engine)
            same, last[0] = now == last[0], now
            return same

        waiting.poll(still, timeout=timeout, interval=0.2)


def _fill(path, value):
    return re.sub(r"{[^}]*}", value, path)


def _shape(url, items):
    """The URL with the existing items' ids as names, the same on every deployment."""
    for collection, value in items.items():
        url = url.replace("/%s/%s" % (collection, value), "/%s/<item>" % collection)
    return url


SETUP_WORKFLOW = """\
version: '2.0'
fuzz_wf:
  input:
    - name: x
  tasks:
    one:
      action: std.noop
"""

SETUP_ACTION = """\
version: '2.0'
fuzz_action:
  base: std.noop
"""

SETUP_WORKBOOK = """\
version: '2.0'
name: fuzz_wb
workflows:
  wb_wf:
    tasks:
      one:
        action: std.noop
"""


class Http:
    """``send`` and ``call`` for ``Sweep`` and ``setup_items`` over HTTP to ``base``
    (``http://host:port``)."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def send(self, method, path, query, body, ctype):
        url = self.base + path + ("?" + query if query else "")
        headers = {"Content-Type": ctype} if body is not None else {}
        r = self.session.request(method, url, data=body, headers=headers, timeout=120)
        return r.status_code, r.headers.get("Content-Type", ""), r.text

    def call(self, method, path, json=None, data=None):
        kwargs = {"json": json} if json is not None else {}
        if data is not None:
            kwargs = {"data": data.encode(), "headers": {"Content-Type": "text/plain"}}
        r = self.session.request(method, self.base + path, timeout=60, **kwargs)
        assert r.status_code < 300, (method, path, r.status_code, r.text[:300])
        return r.json()

    def sweep(self, engine_url, items=None):
        """Set up the items (unless given), run the sweep, return it (not yet
        checked)."""
        items = items or setup_items(self.call)
        engine = sa.create_engine(engine_url)
        try:
            return Sweep(self.send, engine, items, self.call("GET", "/v2/openapi.json")).run()
        finally:
            engine.dispose()


def setup_items(call):
    """Create one item of each collection; ``call(method, path, json=None, data=None)``
    answers the decoded JSON. Returns the collection -> item map for ``Sweep``."""
    call("POST", "/v2/workflows", data=SETUP_WORKFLOW)
    call("POST", "/v2/actions", data=SETUP_ACTION)
    call("POST", "/v2/workbooks", data=SETUP_WORKBOOK)
    env = call("POST", "/v2/environments", json={"name": "fuzz_env",
                                                 "variables": json.dumps({"a": 1})})
    ex = call("POST", "/v2/executions", json={"workflow_name": "fuzz_wf"})
    waiting.wait_for(lambda: call("GET", "/v2/executions/%s" % ex["id"])["state"]
                     in ("SUCCESS", "ERROR"), message="the setup execution never finished")
    task = call("GET", "/v2/executions/%s/tasks" % ex["id"])["tasks"][0]
    action_ex = call("GET", "/v2/tasks/%s/action_executions" % task["id"])[
        "action_executions"][0]
    cron = call("POST", "/v2/cron_triggers", json={
        "name": "fuzz_cron", "workflow_name": "fuzz_wf", "pattern": "0 0 1 1 *"})
    event = call("POST", "/v2/event_triggers", json={
        "name": "fuzz_event", "workflow_id": ex["workflow_id"], "exchange": "x",
        "topic": "t", "event": "e"})
    return {"workflows": "fuzz_wf", "actions": "fuzz_action", "workbooks": "fuzz_wb",
            "environments": env["name"], "executions": ex["id"], "tasks": task["id"],
            "action_executions": action_ex["id"], "cron_triggers": cron["name"],
            "event_triggers": event["id"], "code_sources": "none",
            "dynamic_actions": "none"}
