// The mistral-svc web console: plain JavaScript over the REST API v2.
"use strict";

(function () {
  const API = "/v2";
  // Final states of executions and tasks (a task whose revert ran ends REVERTED or
  // REVERT_FAILED).
  const FINAL = ["SUCCESS", "ERROR", "CANCELLED", "REVERTED", "REVERT_FAILED"];
  const POLL_MS = 700;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const main = document.getElementById("main");
  let timer = null;

  // ---- HTTP ---------------------------------------------------------------
  function token() { return sessionStorage.getItem("mistral-token") || ""; }

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  async function call(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (token()) headers["X-Auth-Token"] = token();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await resp.text();
    let data = {};
    try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { faultstring: text }; }
    if (resp.status === 401) { askForToken(); throw new HttpError(401, "Authentication required"); }
    if (!resp.ok) throw new HttpError(resp.status, data.faultstring || resp.statusText);
    return data;
  }
  const get = (path) => call("GET", path);

  function askForToken(message) {
    const form = document.getElementById("login");
    form.hidden = false;
    document.getElementById("login-error").textContent = message || "";
    document.getElementById("token").focus();
  }

  document.getElementById("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem("mistral-token", document.getElementById("token").value.trim());
    location.reload();
  });
  const logout = document.getElementById("logout");
  logout.hidden = !token();
  logout.addEventListener("click", () => { sessionStorage.removeItem("mistral-token"); location.reload(); });

  // ---- DOM helpers --------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    }
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  const badge = (state) => el("span", { class: "badge", "data-state": state || "" }, state || "—");
  const link = (href, text) => el("a", { href }, text);
  function pretty(value) {
    if (typeof value === "string") {
      try { value = JSON.parse(value); } catch (e) { return value; }
    }
    return JSON.stringify(value, null, 2);
  }
  function showError(where, err) {
    where.replaceChildren(el("p", { class: "error" }, err.message || String(err)));
  }
  function table(headers, rows) {
    return el("table", { class: "list" },
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))
        : el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "Nothing here yet."))));
  }

  // ---- Executions list ----------------------------------------------------
  async function executionsPage(params) {
    const state = params.get("state") || "";
    const wf = params.get("workflow_name") || "";
    const stateSel = el("select", { name: "state" },
      ["", "RUNNING", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"].map((s) =>
        el("option", { value: s, selected: s === state }, s || "any state")));
    const wfInput = el("input", { name: "workflow_name", value: wf, placeholder: "workflow name" });
    const filters = el("form", { class: "filters", method: "get", action: "/ui/executions" },
      stateSel, wfInput, el("button", { type: "submit" }, "Filter"));
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "Executions"), filters, body);
    const q = new URLSearchParams({ limit: "20", sort_keys: "created_at", sort_dirs: "desc" });
    if (state) q.set("state", state);
    if (wf) q.set("workflow_name", wf);
    if (params.get("marker")) q.set("marker", params.get("marker"));
    try {
      const data = await get(API + "/executions?" + q);
      const rows = data.executions.map((ex) => [
        link("/ui/executions/" + encodeURIComponent(ex.id), ex.id),
        ex.workflow_name, badge(ex.state), ex.created_at, ex.updated_at || "",
        ex.task_execution_id ? "sub-workflow" : "",
      ]);
      const pager = el("div", { class: "pager" });
      if (params.get("marker")) pager.append(link(location.pathname + "?" + withoutMarker(params), "« Newest"));
      if (data.next && data.executions.length) {
        const next = new URLSearchParams(params);
        next.set("marker", data.executions[data.executions.length - 1].id);
        pager.append(link("/ui/executions?" + next, "Older »"));
      }
      body.replaceChildren(table(["ID", "Workflow", "State", "Created", "Updated", ""], rows), pager);
    } catch (err) { showError(body, err); }
  }
  function withoutMarker(params) { const p = new URLSearchParams(params); p.delete("marker"); return p; }

  // ---- Graph drawing ------------------------------------------------------
  function drawGraph(graph, onSelect) {
    const root = svg("svg", { class: "graph", width: graph.width, height: graph.height,
                              viewBox: "0 0 " + graph.width + " " + graph.height });
    const defs = svg("defs");
    for (const [name, color] of [["on-success", "#1f9d55"], ["on-error", "#d64545"],
                                 ["on-complete", "#5b6575"], ["on-skip", "#b7791f"],
                                 ["requires", "#5b6575"]]) {
      defs.append(svg("marker", { id: "arrow-" + name, viewBox: "0 0 10 10", refX: 9, refY: 5,
                                  markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
                      svg("path", { d: "M0,0 L10,5 L0,10 z", fill: color })));
    }
    root.append(defs);
    const seen = {};
    for (const e of graph.edges) {
      const key = e.from + "\u0000" + e.to;
      const shift = (seen[key] = (seen[key] || 0) + 1) - 1;
      const d = e.points.map((p, i) => (i ? "L" : "M") + (p[0] + shift * 5) + "," + p[1]).join(" ");
      const path = svg("path", { class: "edge " + e.clause, d, "marker-end": "url(#arrow-" + e.clause + ")",
                                 "data-from": e.from, "data-to": e.to });
      path.append(svg("title", {}, e.clause + (e.condition ? " when " + e.condition : "")));
      root.append(path);
    }
    const nodes = {};
    for (const n of graph.nodes) {
      const isCmd = n.kind === "command";
      const attrs = { class: "node " + n.kind + (n.join ? " join" : ""),
                      transform: "translate(" + n.x + "," + n.y + ")" };
      if (!isCmd) { attrs["data-task-name"] = n.name; attrs["data-state"] = ""; }
      const g = svg("g", attrs, svg("rect", { width: n.w, height: n.h }));
      if (isCmd) {
        g.append(svg("text", { x: n.w / 2, y: n.h / 2 + 4, "text-anchor": "middle" }, n.command));
      } else {
        g.append(svg("text", { x: 10, y: 19 }, n.name.length > 24 ? n.name.slice(0, 23) + "…" : n.name));
        const sub = n.kind === "workflow" ? "↳ " + (n.workflow || "workflow")
          : (n.action || "") + (n.join ? "  · join " + n.join : "");
        g.append(svg("text", { x: 10, y: 35, class: "sub" }, sub.length > 30 ? sub.slice(0, 29) + "…" : sub));
        g.append(svg("text", { x: n.w - 8, y: 35, class: "progress", "text-anchor": "end" }, ""));
        g.append(svg("title", {}, n.name));
        g.addEventListener("click", () => onSelect && onSelect(n.name));
        nodes[n.name] = g;
      }
      root.append(g);
    }
    return { root, nodes, graphNodes: graph.nodes };
  }

  function legend() {
    const item = (cls, text) => el("span", {},
      svg("svg", { width: 28, height: 8, class: "graph" },
          svg("path", { class: "edge " + cls, d: "M0,4 L28,4" })), " " + text);
    return el("div", { class: "legend" }, item("on-success", "on-success"),
              item("on-error", "on-error"), item("on-complete", "on-complete"),
              item("on-skip", "on-skip"),
              el("span", {}, "dashed box: join"));
  }

  // A graph from the tasks alone, when the definition cannot be read any more.
  function fallbackGraph(tasks) {
    const names = [...new Set(tasks.map((t) => t.name))];
    const nodes = names.map((name, i) => ({ name, kind: "action", w: 170, h: 46,
                                            x: 24 + (i % 5) * 200, y: 24 + Math.floor(i / 5) * 96 }));
    return { nodes, edges: [], width: 24 + Math.min(names.length, 5) * 200,
             height: 24 + Math.ceil(names.length / 5) * 96 + 24 };
  }

  // ---- One execution ------------------------------------------------------
  async function executionPage(id) {
    const stateEl = el("span", { class: "badge", id: "execution-state", "data-execution-state": "" }, "…");
    const info = el("span", { class: "muted" });
    const btn = (label, state) => el("button", { id: "btn-" + label.toLowerCase(), disabled: true,
      onclick: () => setState(state) }, label);
    const pause = btn("Pause", "PAUSED"), resume = btn("Resume", "RUNNING"), cancel = btn("Cancel", "CANCELLED");
    const title = el("h1", {}, "Execution");
    const canvas = el("div", { class: "canvas" }, el("p", { class: "muted", style: "padding:10px" }, "Loading…"));
    const panel = el("aside", { class: "panel", id: "task-panel" },
                     el("p", { class: "muted" }, "Select a task to see its details."));
    const message = el("p", { class: "error", id: "message" });
    main.replaceChildren(title,
      el("div", { class: "exec-head" }, stateEl, el("span", { class: "mono" }, id), info,
         el("span", { class: "actions" }, pause, resume, cancel)),
      message, legend(), el("div", { class: "layout" }, canvas, panel));

    let drawn = null, selected = null, ex = null, tasks = [];
    const progress = {};

    async function setState(state) {
      message.textContent = "";
      try { await call("PUT", API + "/executions/" + encodeURIComponent(id), { state }); }
      catch (err) { message.textContent = err.message; }
      poll();
    }

    function latest() {
      const byName = {};
      for (const t of tasks) {
        const prev = byName[t.name];
        if (!prev || (t.created_at || "") >= (prev.created_at || "")) byName[t.name] = t;
      }
      return byName;
    }

    async function withItemsProgress(task) {
      const done = progress[task.id];
      if (done && done.final) return done;
      const data = await get(API + "/tasks/" + encodeURIComponent(task.id) + "/action_executions");
      const list = data.action_executions || [];
      const result = { done: list.filter((a) => FINAL.includes(a.state)).length, total: list.length,
                       final: FINAL.includes(task.state) };
      progress[task.id] = result;
      return result;
    }

    function render() {
      title.textContent = "Execution of " + ex.workflow_name;
      stateEl.textContent = ex.state;
      stateEl.setAttribute("data-execution-state", ex.state);
      info.textContent = "started " + ex.created_at + (ex.updated_at ? " · updated " + ex.updated_at : "");
      pause.disabled = ex.state !== "RUNNING";
      resume.disabled = ex.state !== "PAUSED";
      cancel.disabled = FINAL.includes(ex.state);
      const current = latest();
      for (const [name, g] of Object.entries(drawn.nodes)) {
        const t = current[name];
        g.setAttribute("data-state", t ? t.state : "");
        if (t) g.setAttribute("data-task-id", t.id);
        const p = t && progress[t.id];
        g.querySelector("text.progress").textContent = p && p.total ? p.done + "/" + p.total : "";
      }
    }

    async function poll() {
      try {
        ex = await get(API + "/executions/" + encodeURIComponent(id));
        tasks = (await get(API + "/executions/" + encodeURIComponent(id) + "/tasks")).tasks || [];
        if (!drawn) {
          let graph;
          try { graph = await get("/ui/api/executions/" + encodeURIComponent(id) + "/graph"); }
          catch (err) { if (err.status === 401) throw err; graph = fallbackGraph(tasks); }
          drawn = drawGraph(graph, select);
          canvas.replaceChildren(drawn.root);
        }
        const withItems = new Set((drawn.graphNodes || []).filter((n) => n.with_items).map((n) => n.name));
        for (const t of Object.values(latest())) {
          if (withItems.has(t.name) && t.state) await withItemsProgress(t);
        }
        render();
        if (selected) showTask(selected, true);
      } catch (err) {
        message.textContent = err.message;
      }
      clearTimeout(timer);
      if (!ex || !FINAL.includes(ex.state)) timer = setTimeout(poll, POLL_MS);
    }

    function select(name) {
      selected = name;
      for (const [n, g] of Object.entries(drawn.nodes)) g.classList.toggle("selected", n === name);
      showTask(name, false);
    }

    async function showTask(name, refresh) {
      const t = latest()[name];
      if (!t) {
        if (!refresh) panel.replaceChildren(el("h2", {}, name), el("p", { class: "muted" }, "This task has not run (yet)."));
        return;
      }
      if (refresh && panel.dataset.taskId === t.id && panel.dataset.state === t.state && FINAL.includes(t.state)) return;
      try {
        const [task, actions, children] = await Promise.all([
          get(API + "/tasks/" + encodeURIComponent(t.id)),
          get(API + "/tasks/" + encodeURIComponent(t.id) + "/action_executions"),
          t.type === "WORKFLOW" ? get(API + "/executions?task_execution_id=" + encodeURIComponent(t.id)) : null,
        ]);
        panel.dataset.taskId = t.id;
        panel.dataset.state = task.state;
        const rerun = el("button", { id: "btn-rerun", disabled: task.state !== "ERROR", onclick: async () => {
          try { await call("PUT", API + "/tasks/" + encodeURIComponent(t.id), { state: "RUNNING", reset: true }); }
          catch (err) { message.textContent = err.message; }
          poll();
        } }, "Rerun");
        const acts = actions.action_executions || [];
        panel.replaceChildren(el("div", {},
          el("h2", { "data-panel-task": name }, name, " ", badge(task.state)),
          el("dl", {}, el("dt", {}, "ID"), el("dd", { class: "mono" }, task.id),
             el("dt", {}, "Type"), el("dd", {}, task.type),
             el("dt", {}, "Started"), el("dd", {}, task.started_at || "—"),
             el("dt", {}, "Finished"), el("dd", {}, task.finished_at || "—")),
          rerun,
          task.state_info ? [el("h2", {}, "State info"), el("pre", { class: "state-info" }, task.state_info)] : null,
          acts.length ? [el("h2", {}, "Input"), el("pre", {}, pretty(acts[0].input || "{}"))] : null,
          el("h2", {}, "Result"), el("pre", { class: "result" }, pretty(task.result || "null")),
          el("h2", {}, "Published"), el("pre", {}, pretty(task.published || "{}")),
          children && children.executions.length ? [el("h2", {}, "Sub-workflow"),
            el("ul", {}, children.executions.map((c) => el("li", {},
              link("/ui/executions/" + encodeURIComponent(c.id), c.workflow_name + " " + c.id), " ", badge(c.state))))] : null,
          el("h2", {}, "Action executions (" + acts.length + ")"),
          acts.length ? table(["Name", "State", "Output"], acts.slice(0, 50).map((a) =>
            [a.name, badge(a.state), el("span", { class: "mono" }, String(a.output || "").slice(0, 120))]))
            : el("p", { class: "muted" }, "None.")));
      } catch (err) { showError(panel, err); }
    }

    poll();
  }

  // ---- Workflows ----------------------------------------------------------
  async function workflowsPage() {
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "Workflows"), body);
    try {
      const data = await get(API + "/workflows?sort_keys=name&sort_dirs=asc&limit=200");
      body.replaceChildren(table(["Name", "Namespace", "Input", "Scope", "Updated"],
        data.workflows.map((w) => [link("/ui/workflows/" + encodeURIComponent(w.id), w.name),
                                   w.namespace || "", w.input || "", w.scope, w.updated_at || w.created_at])));
    } catch (err) { showError(body, err); }
  }

  async function workflowPage(id) {
    const canvas = el("div", { class: "canvas" }, el("p", { class: "muted", style: "padding:10px" }, "Loading…"));
    const input = el("textarea", { id: "wf-input", placeholder: '{"name": "value"}' });
    const msg = el("p", { class: "error" });
    const start = el("button", { id: "btn-start", onclick: async () => {
      msg.textContent = "";
      try {
        const body = { workflow_id: id };
        if (input.value.trim()) body.input = JSON.stringify(JSON.parse(input.value));
        const ex = await call("POST", API + "/executions", body);
        location.href = "/ui/executions/" + encodeURIComponent(ex.id);
      } catch (err) { msg.textContent = err.message; }
    } }, "Start an execution");
    const title = el("h1", {}, "Workflow");
    main.replaceChildren(title, legend(),
      el("div", { class: "layout" }, canvas,
         el("aside", { class: "panel" }, el("h2", {}, "Input (JSON)"), input, start, msg)));
    try {
      const wf = await get(API + "/workflows/" + encodeURIComponent(id));
      title.textContent = "Workflow " + wf.name;
      const graph = await get("/ui/api/workflows/" + encodeURIComponent(id) + "/graph");
      canvas.replaceChildren(drawGraph(graph, null).root);
    } catch (err) { showError(canvas, err); }
  }

  // ---- Cron triggers ------------------------------------------------------
  async function cronPage() {
    const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "Cron triggers"), body);
    try {
      const data = await get(API + "/cron_triggers");
      body.replaceChildren(table(["Name", "Workflow", "Pattern", "Next execution", "Remaining"],
        data.cron_triggers.map((c) => [c.name, c.workflow_name, el("span", { class: "mono" }, c.pattern || ""),
                                       c.next_execution_time || "", c.remaining_executions ?? "∞"])));
    } catch (err) { showError(body, err); }
  }

  // ---- Routing ------------------------------------------------------------
  function route() {
    const path = location.pathname.replace(/\/+$/, "");
    const params = new URLSearchParams(location.search);
    let m;
    const nav = (name) => document.querySelectorAll("[data-nav]").forEach((a) =>
      a.classList.toggle("active", a.dataset.nav === name));
    if ((m = path.match(/^\/ui\/executions\/([^/]+)$/))) { nav("executions"); return executionPage(decodeURIComponent(m[1])); }
    if ((m = path.match(/^\/ui\/workflows\/([^/]+)$/))) { nav("workflows"); return workflowPage(decodeURIComponent(m[1])); }
    if (path === "/ui/workflows") { nav("workflows"); return workflowsPage(); }
    if (path === "/ui/cron_triggers") { nav("cron_triggers"); return cronPage(); }
    nav("executions");
    return executionsPage(params);
  }
  route();
})();
