"""Namespaces: the same workflow name in several namespaces, each addressed on its own.

Through the API a namespace is exact: a workflow (or workbook) is looked up in the
namespace given, the default namespace when none is, and not found otherwise. Only
sub-workflow lookups fall back from the parent's namespace to the default one.
"""

import json

WF = """\
version: '2.0'
{name}:
  output:
    where: {where}
  tasks:
    t:
      action: std.noop
"""


def _create(api, name, where, namespace=""):
    url = "/v2/workflows" + ("?namespace=%s" % namespace if namespace else "")
    return api.post_yaml(url, WF.format(name=name, where=where))["workflows"][0]


def test_same_name_in_two_namespaces(api, unique):
    name, ns = "nswf_" + unique, "ns_" + unique
    default = _create(api, name, "default")
    in_ns = _create(api, name, "ns", ns)
    assert default["namespace"] == "" and in_ns["namespace"] == ns
    assert default["id"] != in_ns["id"]

    assert api.get("/v2/workflows/%s" % name)["id"] == default["id"]
    assert api.get("/v2/workflows/%s?namespace=%s" % (name, ns))["id"] == in_ns["id"]
    listed = api.get("/v2/workflows?name=%s&namespace=%s" % (name, ns))["workflows"]
    assert [w["id"] for w in listed] == [in_ns["id"]]
    both = api.get("/v2/workflows?name=%s" % name)["workflows"]
    assert sorted(w["namespace"] for w in both) == ["", ns]

    # A second one in the same namespace is a conflict.
    api.post_yaml("/v2/workflows?namespace=%s" % ns, WF.format(name=name, where="x"),
                  status=409)

    # Updates and deletes touch only the namespace named.
    api.put_yaml("/v2/workflows?namespace=%s" % ns, WF.format(name=name, where="ns2"))
    assert "ns2" in api.get("/v2/workflows/%s?namespace=%s" % (name, ns))["definition"]
    assert "default" in api.get("/v2/workflows/%s" % name)["definition"]
    api.delete("/v2/workflows/%s?namespace=%s" % (name, ns))
    api.get("/v2/workflows/%s?namespace=%s" % (name, ns), status=404)
    assert api.get("/v2/workflows/%s" % name)["id"] == default["id"]


def test_execution_runs_the_definition_of_its_namespace(api, unique):
    name, ns = "nsex_" + unique, "nsx_" + unique
    _create(api, name, "default")
    in_ns = _create(api, name, "ns", ns)

    ex = api.wait(api.start(name, {}, workflow_namespace=ns)["id"])
    assert ex["state"] == "SUCCESS", ex["state_info"]
    assert json.loads(ex["output"]) == {"where": "ns"}
    assert ex["workflow_namespace"] == ns and ex["workflow_id"] == in_ns["id"]
    tasks = api.tasks(ex["id"])
    assert tasks["t"]["workflow_namespace"] == ns

    ex = api.wait(api.start(name, {})["id"])
    assert json.loads(ex["output"]) == {"where": "default"}
    assert ex["workflow_namespace"] == ""


def test_namespace_given_through_the_api_does_not_fall_back(api, unique):
    name = "nsonly_" + unique
    _create(api, name, "default")
    other = "elsewhere_" + unique
    api.get("/v2/workflows/%s?namespace=%s" % (name, other), status=404)
    api.delete("/v2/workflows/%s?namespace=%s" % (name, other), status=404)
    api.start(name, {}, workflow_namespace=other, status=404)
    # Nothing was deleted from the default namespace.
    assert api.get("/v2/workflows/%s" % name)["namespace"] == ""


def test_execution_by_workflow_id_ignores_namespace_lookup(api, unique):
    name, ns = "nsid_" + unique, "nsid_ns_" + unique
    in_ns = _create(api, name, "ns", ns)
    ex = api.wait(api.post("/v2/executions", {"workflow_id": in_ns["id"]})["id"])
    assert ex["state"] == "SUCCESS" and ex["workflow_namespace"] == ns
    assert json.loads(ex["output"]) == {"where": "ns"}
