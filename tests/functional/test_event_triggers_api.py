"""/v2/event_triggers on the in-process service: CRUD, validation, and firing from
notifications sent on the in-process transport."""

import json
import time

import oslo_messaging as messaging
import pytest
from oslo_config import cfg
from oslo_context import context as oslo_context

from mistral_svc import config
from mistral_svc.scheduler import events
from mistral_svc.services import event_triggers
from tests.waiting import wait_for as _wait

CONF = config.CONF

WF = """\
version: '2.0'
{name}:
  input:
    - who
    - greeting: hello
  output:
    said: <% $.greeting %> <% $.who %>
  tasks:
    t:
      action: std.noop
"""

FIELDS = {"id", "name", "workflow_id", "workflow_input", "workflow_params", "exchange",
          "topic", "event", "scope", "project_id", "created_at", "updated_at"}


@pytest.fixture
def wf(api, unique):
    """A workflow's id."""
    (created,) = api.create_workflow(WF.format(name="et_wf_" + unique))
    return created["id"]


@pytest.fixture
def public_wf(api, unique):
    """The id of a public workflow: triggers of several projects may start it."""
    created = api.post_yaml("/v2/workflows?scope=public",
                            WF.format(name="et_pub_" + unique))["workflows"][0]
    return created["id"]


def _body(wf_id, unique, **extra):
    body = {"name": "et_" + unique, "workflow_id": wf_id, "exchange": "ex_" + unique,
            "topic": "notifications", "event": "compute.instance.create.end",
            "workflow_input": json.dumps({"who": "event"})}
    body.update(extra)
    return {k: v for k, v in body.items() if v is not None}


# -- CRUD ---------------------------------------------------------------------------


def test_create_get_list_update_delete(api, unique, wf):
    t = api.post("/v2/event_triggers", _body(
        wf, unique, workflow_params=json.dumps({"env": {"x": 1}})))
    assert set(t) == FIELDS
    assert t["name"] == "et_" + unique and t["workflow_id"] == wf
    assert (t["exchange"], t["topic"]) == ("ex_" + unique, "notifications")
    assert t["event"] == "compute.instance.create.end"
    assert json.loads(t["workflow_input"]) == {"who": "event"}
    assert json.loads(t["workflow_params"]) == {"env": {"x": 1}}
    assert t["scope"] == "private" and t["project_id"]
    assert t["created_at"] and t["updated_at"] is None

    url = "/v2/event_triggers/%s" % t["id"]
    assert api.get(url) == t
    assert api.get(url + "?fields=event") == {"id": t["id"], "event": t["event"]}
    assert api.get("/v2/event_triggers?exchange=ex_" + unique) == {
        "event_triggers": [t]}

    updated = api.put(url, {"name": "renamed_" + unique,
                            "workflow_input": json.dumps({"who": "someone"}),
                            "workflow_params": json.dumps({}),
                            # unchanged values of fixed fields are accepted
                            "exchange": t["exchange"]})
    assert updated["name"] == "renamed_" + unique
    assert json.loads(updated["workflow_input"]) == {"who": "someone"}
    assert json.loads(updated["workflow_params"]) == {}
    assert updated["event"] == t["event"] and updated["updated_at"]
    assert api.get(url) == updated

    api.delete(url)
    assert api.get(url, status=404)["faultstring"]
    api.delete(url, status=404)
    api.put(url, {"name": "x"}, status=404)


def test_name_is_optional(api, unique, wf):
    body = _body(wf, unique)
    del body["name"]
    del body["workflow_input"]
    body["workflow_input"] = json.dumps({"who": "x"})
    t = api.post("/v2/event_triggers", body)
    assert t["name"] == "" and json.loads(t["workflow_params"]) == {}
    api.delete("/v2/event_triggers/%s" % t["id"])


def test_validation_errors(api, unique, wf):
    bad = [
        {"workflow_id": None},
        {"exchange": None},
        {"topic": ""},
        {"event": "   "},
        {"exchange": "x" * 256},
        {"workflow_input": json.dumps({"nobody": 1})},
        {"workflow_input": json.dumps({})},
        {"workflow_input": "{not json"},
        {"workflow_params": "[1, 2]"},
        {"scope": "everyone"},
    ]
    for extra in bad:
        err = api.post("/v2/event_triggers", _body(wf, unique, **extra), status=400)
        assert err["faultstring"], extra
    missing = api.post("/v2/event_triggers",
                       _body("00000000-0000-0000-0000-000000000000", unique), status=404)
    assert "not found" in missing["faultstring"]
    # As in Mistral, a workflow_id that is no UUID at all is bad input.
    api.post("/v2/event_triggers", _body("no-such-workflow", unique), status=400)
    assert api.get("/v2/event_triggers?exchange=ex_" + unique)["event_triggers"] == []

    t = api.post("/v2/event_triggers", _body(wf, unique))
    dup = api.post("/v2/event_triggers", _body(wf, unique, name="other"), status=409)
    assert "Duplicate" in dup["faultstring"]
    # The same event for another event type is another trigger.
    other = api.post("/v2/event_triggers", _body(wf, unique, event="other.event"))

    url = "/v2/event_triggers/%s" % t["id"]
    for fixed in ({"exchange": "other"}, {"topic": "other"}, {"event": "other"}):
        assert "Can not update" in api.put(url, fixed, status=400)["faultstring"]
    api.put(url, {"workflow_input": json.dumps({"nobody": 1})}, status=400)
    api.put(url, {"workflow_params": "[1]"}, status=400)
    api.put(url, {"scope": "everyone"}, status=400)
    api.put(url, {"workflow_id": "00000000-0000-0000-0000-000000000000"}, status=404)
    assert api.get(url) == t
    for row in (t, other):
        api.delete("/v2/event_triggers/%s" % row["id"])


def test_public_triggers_need_an_admin_with_auth_on(api, unique, public_wf):
    wf = public_wf
    CONF.set_override("auth_enable", True, group="pecan")
    try:
        user = {"X-Project-Id": "p_" + unique, "X-Roles": "member,reader"}
        admin = {"X-Project-Id": "p_" + unique, "X-Roles": "reader, Admin"}
        body = _body(wf, unique, scope="public")
        err = api.app.post_json("/v2/event_triggers", body, headers=user, status=403).json
        assert "event_triggers:publicize" in err["faultstring"]
        t = api.app.post_json("/v2/event_triggers", body, headers=admin, status=201).json
        assert t["scope"] == "public" and t["project_id"] == "p_" + unique
        private = api.app.post_json("/v2/event_triggers", _body(wf, unique, event="e2"),
                                    headers=user, status=201).json
        assert private["scope"] == "private" and private["project_id"] == "p_" + unique
        api.app.put_json("/v2/event_triggers/%s" % private["id"], {"scope": "public"},
                         headers=user, status=403)
    finally:
        CONF.clear_override("auth_enable", group="pecan")
    for row in (t, private):
        api.delete("/v2/event_triggers/%s" % row["id"])


def test_list_filters_sorting_and_pages(api, unique, wf):
    made = [api.post("/v2/event_triggers", _body(
        wf, unique, name="etl_%d_%s" % (i, unique), event="ev.%d" % i,
        workflow_params=json.dumps({"n": i}))) for i in range(3)]
    ids = [t["id"] for t in made]
    query = "/v2/event_triggers?exchange=ex_%s" % unique

    def ids_of(suffix):
        return [t["id"] for t in api.get(query + suffix)["event_triggers"]]

    assert ids_of("") == ids
    assert ids_of("&event=ev.1") == [ids[1]]
    assert ids_of("&name=etl_2_%s" % unique) == [ids[2]]
    assert ids_of("&event=in:ev.0,ev.2") == [ids[0], ids[2]]
    assert ids_of("&workflow_id=%s" % wf) == ids
    assert ids_of("&topic=nope") == []
    assert ids_of("&scope=private") == ids
    assert ids_of("&workflow_params=%s" % json.dumps({"n": 2})) == [ids[2]]
    assert ids_of("&sort_keys=name&sort_dirs=desc") == ids[::-1]

    first = api.get(query + "&limit=2")
    assert [t["id"] for t in first["event_triggers"]] == ids[:2]
    assert first["next"] and "marker=%s" % ids[1] in first["next"]
    assert "exchange=ex_" + unique in first["next"]
    rest = api.get(first["next"].split("/v2", 1)[1].join(["/v2", ""]))
    assert [t["id"] for t in rest["event_triggers"]] == ids[2:]
    assert "next" not in rest

    names = api.get(query + "&fields=name")["event_triggers"]
    assert names == [{"id": t["id"], "name": t["name"]} for t in made]
    api.get(query + "&sort_keys=nope", status=400)
    api.get(query + "&sort_dirs=sideways", status=400)
    api.get(query + "&limit=0", status=400)
    api.get(query + "&marker=00000000-0000-0000-0000-000000000000", status=404)
    for i in ids:
        api.delete("/v2/event_triggers/%s" % i)


# -- firing ---------------------------------------------------------------------------


class _ContextSerializer(messaging.NoOpSerializer):
    """What OpenStack services do: a request context travels as its dict."""

    def serialize_context(self, ctxt):
        return ctxt.to_dict() if hasattr(ctxt, "to_dict") else dict(ctxt or {})


class Sender:
    """Sends notifications as an OpenStack service would: on its own control exchange,
    through a Notifier with the ``messaging`` driver."""

    def __init__(self, tmp_path, exchange, topic, url=None, publisher="compute.host1"):
        conf_file = tmp_path / ("sender-%s.conf" % exchange)
        conf_file.write_text("[DEFAULT]\ncontrol_exchange = %s\n" % exchange)
        self.conf = cfg.ConfigOpts()
        self.conf(args=[], default_config_files=[str(conf_file)])
        self.url = url or config.transport_url()
        self.transport = messaging.get_notification_transport(self.conf, url=self.url)
        self.notifier = messaging.Notifier(self.transport, publisher_id=publisher,
                                           driver="messaging", topics=[topic],
                                           serializer=_ContextSerializer())

    def info(self, event_type, payload, project_id="p1", user_id="u1"):
        ctxt = oslo_context.RequestContext(user_id=user_id, project_id=project_id)
        self.notifier.info(ctxt, event_type, payload)


def _event_engine(service):
    """The event engine the in-process scheduler runs."""
    for svc in service.services:
        for hook in getattr(svc, "_hooks", ()):
            if isinstance(hook, events.EventEngine):
                return hook
    raise AssertionError("the scheduler runs no event engine")


def _fired(api, trigger_id):
    return [ex for ex in api.get("/v2/executions?limit=1000")["executions"]
            if (ex.get("params") and json.loads(ex["params"]).get("event_trigger_id")
                == trigger_id)]


def test_a_notification_starts_the_workflow(api, unique, wf, service, tmp_path):
    exchange, topic = "ex_" + unique, "notifications_" + unique
    t = api.post("/v2/event_triggers", _body(
        wf, unique, topic=topic, workflow_params=json.dumps({"env": {"k": "v"}})))
    engine = _event_engine(service)
    _wait(lambda: (exchange, topic) in engine.listening())

    sender = Sender(tmp_path, exchange, topic)
    sender.info("compute.instance.delete.end", {"id": "other"})
    sender.info("compute.instance.create.end", {"id": "vm1"}, project_id="p9",
                user_id="u9")
    (ex,) = _wait(lambda: _fired(api, t["id"]))
    done = api.wait(ex["id"])
    assert done["state"] == "SUCCESS"
    assert json.loads(done["output"]) == {"said": "hello event"}
    assert done["workflow_id"] == wf
    assert done["description"] == "Workflow execution created by event trigger '(%s)'." % (
        t["id"])
    params = json.loads(done["params"])
    assert params["env"] == {"k": "v"}
    assert params["event_trigger_id"] == t["id"]
    event_params = params["event_params"]
    assert event_params["service"] == "compute.host1"
    assert (event_params["project_id"], event_params["user_id"]) == ("p9", "u9")
    assert event_params["timestamp"]

    # Only the matching event type fired, once.
    time.sleep(0.5)
    assert len(_fired(api, t["id"])) == 1

    # After deletion the pair is dropped and notifications start nothing.
    api.delete("/v2/event_triggers/%s" % t["id"])
    _wait(lambda: (exchange, topic) not in engine.listening())
    sender.info("compute.instance.create.end", {"id": "vm2"})
    time.sleep(0.5)
    assert len(_fired(api, t["id"])) == 1


def test_every_trigger_on_the_event_fires_and_updates_count_at_once(
        api, unique, wf, service, tmp_path):
    exchange, topic = "ex_" + unique, "notifications"
    (wf2,) = api.create_workflow(WF.format(name="et_wf2_" + unique))
    t1 = api.post("/v2/event_triggers", _body(wf, unique))
    t2 = api.post("/v2/event_triggers", _body(wf2["id"], unique,
                                              workflow_input=json.dumps({"who": "two"})))
    engine = _event_engine(service)
    _wait(lambda: (exchange, topic) in engine.listening())

    sender = Sender(tmp_path, exchange, topic)
    sender.info("compute.instance.create.end", {})
    first = _wait(lambda: _fired(api, t1["id"]))
    second = _wait(lambda: _fired(api, t2["id"]))
    assert json.loads(api.wait(second[0]["id"])["output"]) == {"said": "hello two"}
    api.wait(first[0]["id"])

    # An update is in force for the next notification.
    api.put("/v2/event_triggers/%s" % t1["id"],
            {"workflow_input": json.dumps({"who": "updated", "greeting": "hi"})})
    sender.info("compute.instance.create.end", {})
    fired = _wait(lambda: [e for e in _fired(api, t1["id"]) if e["id"] != first[0]["id"]])
    assert json.loads(api.wait(fired[0]["id"])["output"]) == {"said": "hi updated"}
    for row in (t1, t2):
        api.delete("/v2/event_triggers/%s" % row["id"])


def test_listeners_in_one_pool_start_each_execution_once(api, unique, wf, service,
                                                          tmp_path):
    exchange, topic = "ex_" + unique, "notifications"
    t = api.post("/v2/event_triggers", _body(wf, unique))
    engine = _event_engine(service)
    _wait(lambda: (exchange, topic) in engine.listening())
    other = events.EventEngine()  # as a second scheduler would run it
    try:
        other.refresh()
        assert (exchange, topic) in other.listening()
        sender = Sender(tmp_path, exchange, topic)
        for i in range(6):
            sender.info("compute.instance.create.end", {"n": i})
        _wait(lambda: len(_fired(api, t["id"])) >= 6)
        time.sleep(0.5)
        assert len(_fired(api, t["id"])) == 6
    finally:
        other.stop()
    api.delete("/v2/event_triggers/%s" % t["id"])


def test_with_auth_only_the_senders_project_and_public_triggers_fire(
        api, unique, public_wf, service, tmp_path):
    wf = public_wf
    exchange, topic = "ex_" + unique, "notifications"
    CONF.set_override("auth_enable", True, group="pecan")
    try:
        made = {}
        for key, project, extra, roles in (("mine", "p_", {}, ""),
                                           ("theirs", "q_", {}, ""),
                                           ("public", "r_", {"scope": "public"}, "admin")):
            made[key] = api.app.post_json(
                "/v2/event_triggers", _body(wf, unique, **extra),
                headers={"X-Project-Id": project + unique, "X-Roles": roles}).json
        engine = _event_engine(service)
        _wait(lambda: (exchange, topic) in engine.listening())
        Sender(tmp_path, exchange, topic).info("compute.instance.create.end", {},
                                               project_id="p_" + unique)
        _wait(lambda: _fired(api, made["mine"]["id"]))
        _wait(lambda: _fired(api, made["public"]["id"]))
        time.sleep(0.5)
        assert _fired(api, made["theirs"]["id"]) == []
    finally:
        CONF.clear_override("auth_enable", group="pecan")
    for row in made.values():
        api.delete("/v2/event_triggers/%s" % row["id"])


# -- event definitions ------------------------------------------------------------------


def _event(event_type="compute.instance.create.end"):
    return event_triggers.notification_event(
        {"project_id": "p1", "user": "u1"}, "compute.host1", event_type,
        {"instance_id": "vm1", "flavor": {"ram": 512}}, {"timestamp": "2024-01-02 03:04:05"})


def test_default_event_params():
    assert event_triggers.EventConverter().convert(_event()) == {
        "service": "compute.host1", "project_id": "p1", "user_id": "u1",
        "timestamp": "2024-01-02 03:04:05"}


def test_event_definitions_file(tmp_path):
    path = tmp_path / "event_definitions.yaml"
    path.write_text(
        "- event_types: compute.instance.*\n"
        "  properties:\n"
        "    instance: <% $.payload.instance_id %>\n"
        "- event_types: [compute.instance.create.*, other.thing]\n"
        "  properties:\n"
        "    ram: '{{ _.payload.flavor.ram }}'\n"
        "    who: <% $.context.project_id %>\n"
    )
    converter = event_triggers.EventConverter.from_file(str(path))
    # The last matching definition wins.
    assert converter.convert(_event()) == {"ram": 512, "who": "p1"}
    assert converter.convert(_event("compute.instance.delete.end")) == {"instance": "vm1"}
    assert converter.convert(_event("image.upload"))["service"] == "compute.host1"


@pytest.mark.parametrize("text", [
    "- event_types: a\n",
    "- properties: {a: 1}\n",
    "{event_types: a, properties: {}}\n",
    "- event_types: a\n  properties: {x: <% $.( %>}\n",
    "- [unclosed\n",
])
def test_invalid_event_definitions_are_refused(tmp_path, text):
    path = tmp_path / "event_definitions.yaml"
    path.write_text(text)
    with pytest.raises(ValueError):
        event_triggers.EventConverter.from_file(str(path))
    CONF.set_override("event_definitions_cfg_file", str(path), group="event_engine")
    try:
        with pytest.raises(SystemExit):
            events.EventEngine()
    finally:
        CONF.clear_override("event_definitions_cfg_file", group="event_engine")
