"""A workflow spec as a graph the console draws: tasks as nodes, transitions as edges,
placed by grandalf's Sugiyama (layered) layout.

The answer is plain JSON: ``nodes`` (name, kind, action or sub-workflow, join,
with-items, box), ``edges`` (from, to, clause: on-success, on-error, on-complete, on-skip
or requires; the condition; the polyline to draw) and the drawing's ``width`` and
``height``. Engine commands used as targets (``fail``, ``succeed``, ``pause``...) are
small nodes of kind ``command``, one per task using them. Layouts are cached by the
definition's checksum.
"""

import collections
import threading

from grandalf import graphs, layouts, routing

from mistral_svc import lang

NODE_W, NODE_H = 170, 46
CMD_W, CMD_H = 70, 26
MARGIN = 24
CLAUSES = ("on-success", "on-error", "on-complete", "on-skip")
ENGINE_COMMANDS = ("fail", "succeed", "pause", "noop")
# Larger definitions are drawn in a grid: a layered layout of thousands of tasks in
# pure Python would cost the API seconds per request.
MAX_LAYOUT_NODES = 400

_CACHE_SIZE = 64
_cache = collections.OrderedDict()
_lock = threading.Lock()


class _View:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.xy = (0, 0)


def _edges(wf_spec):
    """(source, target, clause, condition) of every transition, commands included."""
    out = []
    if wf_spec.type == "reverse":
        for t in wf_spec.tasks.values():
            for dep in t.requires:
                out.append((dep, t.name, "requires", None))
        return out
    for t in wf_spec.tasks.values():
        for clause in CLAUSES:
            for tr in t.transitions(clause):
                out.append((t.name, tr["name"], clause, tr.get("condition")))
    return out


def _node(t):
    spec = t.to_dict()
    node = {"name": t.name, "kind": "workflow" if t.workflow else "action",
            "action": t.action, "workflow": t.workflow, "join": t.join,
            "with_items": bool(t.with_items)}
    if spec.get("type") == "workflow" or t.workflow:
        node["kind"] = "workflow"
    return node


def build(wf_spec):
    """The graph (nodes, edges, layout) of a ``WorkflowSpec``."""
    nodes = {name: _node(t) for name, t in wf_spec.tasks.items()}
    edges = []
    for src, dst, clause, condition in _edges(wf_spec):
        if dst not in nodes:
            if dst.split(" ")[0] not in ENGINE_COMMANDS or src not in nodes:
                continue
            cmd_id = "%s→%s" % (src, dst)
            nodes.setdefault(cmd_id, {"name": cmd_id, "kind": "command",
                                      "command": dst.split(" ")[0]})
            dst = cmd_id
        edges.append({"from": src, "to": dst, "clause": clause, "condition": condition})
    _layout(nodes, edges)
    width = max([n["x"] + n["w"] for n in nodes.values()] + [0]) + MARGIN
    height = max([n["y"] + n["h"] for n in nodes.values()] + [0]) + MARGIN
    return {"name": wf_spec.name, "type": wf_spec.type,
            "nodes": list(nodes.values()), "edges": edges,
            "width": width, "height": height}


def _size(node):
    return (CMD_W, CMD_H) if node["kind"] == "command" else (NODE_W, NODE_H)


def _layout(nodes, edges):
    if len(nodes) > MAX_LAYOUT_NODES:
        return _grid(nodes, edges)
    vertices = {}
    for name, node in nodes.items():
        v = graphs.Vertex(name)
        v.view = _View(*_size(node))
        vertices[name] = v
    pairs = {}
    for e in edges:
        key = (e["from"], e["to"])
        if key not in pairs and e["from"] != e["to"]:
            ge = graphs.Edge(vertices[e["from"]], vertices[e["to"]])
            ge.view = routing.EdgeViewer()
            pairs[key] = ge
    graph = graphs.Graph(list(vertices.values()), list(pairs.values()))
    offset_x = MARGIN
    for component in graph.C:
        sug = layouts.SugiyamaLayout(component)
        sug.xspace, sug.yspace = 30, 50
        sug.route_edge = routing.route_with_lines
        roots = [v for v in component.sV if not v.e_in()]
        sug.init_all(roots=roots or None)
        sug.draw()
        xs = [v.view.xy[0] - v.view.w / 2 for v in component.sV]
        ys = [v.view.xy[1] - v.view.h / 2 for v in component.sV]
        dx, dy = offset_x - min(xs), MARGIN - min(ys)
        right = offset_x
        for v in component.sV:
            node = nodes[v.data]
            node["w"], node["h"] = v.view.w, v.view.h
            node["x"] = round(v.view.xy[0] - v.view.w / 2 + dx, 1)
            node["y"] = round(v.view.xy[1] - v.view.h / 2 + dy, 1)
            right = max(right, node["x"] + node["w"])
        for e in component.sE:
            pts = getattr(e.view, "_pts", None) or [e.v[0].view.xy, e.v[1].view.xy]
            e.view.points = [[round(x + dx, 1), round(y + dy, 1)] for x, y in pts]
        offset_x = right + 60
    for e in edges:
        ge = pairs.get((e["from"], e["to"]))
        e["points"] = getattr(getattr(ge, "view", None), "points", None) or \
            _straight(nodes[e["from"]], nodes[e["to"]])


def _straight(a, b):
    return [[a["x"] + a["w"] / 2, a["y"] + a["h"]], [b["x"] + b["w"] / 2, b["y"]]]


def _grid(nodes, edges):
    per_row = 12
    for i, node in enumerate(nodes.values()):
        node["w"], node["h"] = _size(node)
        node["x"] = MARGIN + (i % per_row) * (NODE_W + 30)
        node["y"] = MARGIN + (i // per_row) * (NODE_H + 50)
    for e in edges:
        e["points"] = _straight(nodes[e["from"]], nodes[e["to"]])


def for_definition(definition, workflow_name=None):
    """The graph of one workflow of a definition text (the first one, or the one
    named ``workflow_name``); raises ``lang.DSLError`` for an invalid definition and
    ``KeyError`` when no workflow has that name."""
    key = (lang.checksum(definition), workflow_name)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    specs = lang.parse_workflows(definition)
    chosen = specs[0]
    if workflow_name is not None:
        short = workflow_name.split(".")[-1]
        matches = [s for s in specs if s["name"] in (workflow_name, short)]
        if not matches:
            raise KeyError(workflow_name)
        chosen = matches[0]
    result = build(lang.WorkflowSpec(chosen))
    with _lock:
        _cache[key] = result
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result
