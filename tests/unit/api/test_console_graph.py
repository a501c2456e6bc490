"""The console's graph of a workflow: every task a node, every transition an edge."""

from mistral_svc.api.console import graph

DIRECT = """\
version: '2.0'
flow:
  tasks:
    a:
      action: std.noop
      on-success: [b, c]
      on-error: [fail]
    b:
      action: std.noop
      on-complete:
        - d: <% $.go %>
    c:
      with-items: x in [1, 2]
      action: std.noop
      on-success: [d]
    d:
      join: all
      workflow: child
other:
  tasks:
    only:
      action: std.noop
"""

REVERSE = """\
version: '2.0'
rev:
  type: reverse
  tasks:
    fetch:
      action: std.noop
    build:
      action: std.noop
      requires: [fetch]
"""


def _by_name(g):
    return {n["name"]: n for n in g["nodes"]}


def test_nodes_edges_and_layout_of_a_direct_workflow():
    g = graph.for_definition(DIRECT, "flow")
    nodes = _by_name(g)
    assert set(nodes) == {"a", "b", "c", "d", "a→fail"}
    assert nodes["c"]["with_items"] is True
    assert nodes["d"]["join"] == "all" and nodes["d"]["kind"] == "workflow"
    assert nodes["d"]["workflow"] == "child"
    assert nodes["a→fail"]["kind"] == "command"
    edges = {(e["from"], e["to"]): e for e in g["edges"]}
    assert edges[("a", "b")]["clause"] == "on-success"
    assert edges[("a", "a→fail")]["clause"] == "on-error"
    assert edges[("b", "d")]["clause"] == "on-complete"
    assert edges[("b", "d")]["condition"] == "<% $.go %>"
    # Layered: every transition points down, nodes do not overlap, all fit.
    for e in g["edges"]:
        assert nodes[e["from"]]["y"] < nodes[e["to"]]["y"]
        assert len(e["points"]) >= 2
    assert nodes["b"]["y"] == nodes["c"]["y"]
    assert abs(nodes["b"]["x"] - nodes["c"]["x"]) >= nodes["b"]["w"]
    for n in nodes.values():
        assert n["x"] + n["w"] <= g["width"] and n["y"] + n["h"] <= g["height"]


def test_the_named_workflow_of_a_definition():
    g = graph.for_definition(DIRECT, "other")
    assert [n["name"] for n in g["nodes"]] == ["only"]
    assert g["edges"] == []


def test_reverse_workflows_draw_requires():
    g = graph.for_definition(REVERSE)
    (edge,) = g["edges"]
    assert (edge["from"], edge["to"], edge["clause"]) == ("fetch", "build", "requires")


def test_big_definitions_fall_back_to_a_grid():
    tasks = "".join("    t%d:\n      action: std.noop\n      on-success: [t%d]\n" % (i, i + 1)
                    for i in range(graph.MAX_LAYOUT_NODES + 5))
    text = "version: '2.0'\nbig:\n  tasks:\n%s    t%d:\n      action: std.noop\n" % (
        tasks, graph.MAX_LAYOUT_NODES + 5)
    g = graph.for_definition(text)
    assert len(g["nodes"]) == graph.MAX_LAYOUT_NODES + 6
    assert len(g["edges"]) == graph.MAX_LAYOUT_NODES + 5


def test_an_on_skip_transition_is_an_edge_of_its_own():
    g = graph.for_definition("""\
version: '2.0'
skipflow:
  tasks:
    a:
      action: std.fail
      on-skip: [b]
    b:
      action: std.noop
""", "skipflow")
    assert [(e["from"], e["to"], e["clause"]) for e in g["edges"]] == [("a", "b", "on-skip")]
