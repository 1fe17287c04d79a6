// The browser lab's controller: loads sim-core (WebAssembly), the scenario and the labs;
// keeps the editor, the diagram, the trace controls and the URL in step. All simulation
// happens in the wasm module; the server only hands out files.

import init, { simulate, trace as walk, node_panel } from "./pkg/web_viz.js";
import { Diagram } from "./diagram.js";
import {
  allHops, renderHopDetail, renderHopList, renderNodePanel, renderProblems,
} from "./panels.js";

const $ = (id) => document.getElementById(id);

const app = {
  sources: new Map(), // menu key -> { name, yaml }
  key: "start",
  view: null, // the last scenario that computed
  trace: null,
  index: 0,
  playing: null,
  pickNext: "from",
  projector: false,
  yaml: "", // the scenario text last computed
  edited: false, // does it differ from the menu's source?
  timings: {},
};
window.calisim = app; // for the browser tests and the curious

let diagram;

async function main() {
  const t0 = performance.now();
  diagram = new Diagram($("diagram"), $("tooltip"), { onShapeClick });
  app.diagram = diagram;
  await init();
  const [start, labs] = await Promise.all([getJson("api/start.json"), getJson("api/labs.json")]);
  app.timings.wasmMs = performance.now() - t0;
  fillMenu(start, labs);
  bindControls();
  const wanted = await readHash();
  setProjector(wanted.view === "projector");
  const key = app.sources.has(wanted.s) ? wanted.s : "start";
  const source = app.sources.get(key);
  loadScenario(key, wanted.y ?? source.yaml);
  if (wanted.from && wanted.to) {
    setProbe(wanted);
    runTrace(Number(wanted.hop ?? 0));
  }
  app.timings.readyMs = performance.now() - t0;
  app.ready = true;
  document.body.dataset.ready = "true";
}

async function getJson(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

function fillMenu(start, labs) {
  const menu = $("lab-menu");
  const add = (key, label, source) => {
    app.sources.set(key, source);
    menu.append(new Option(label, key));
  };
  add("start", `Served: ${start.name}`, start);
  for (const lab of labs) {
    const n = String(lab.number).padStart(2, "0");
    add(`lab:${n}`, `Lab ${n} · ${lab.title}`, { ...lab.scenario, task: lab.readme_html });
    add(`lab:${n}:solution`, `Lab ${n} · ${lab.title} — solution`, { ...lab.solution, task: lab.readme_html });
  }
}

// ---- scenario: load, edit, recompute ------------------------------------------------

function loadScenario(key, yaml) {
  app.key = key;
  $("lab-menu").value = key;
  // The task is HTML the server rendered from the lab's Markdown (its own HTML escaped).
  const task = app.sources.get(key)?.task;
  if (task) $("task").innerHTML = task;
  else $("task").textContent = "This scenario is not one of the labs: pick a lab from the menu to read its task.";
  $("editor").value = yaml;
  recompute();
}

function recompute() {
  const source = app.sources.get(app.key);
  const t = performance.now();
  app.yaml = $("editor").value;
  // Known here, once per edit, so a step or trace does not compare the whole text again.
  app.edited = app.yaml !== source.yaml;
  const result = JSON.parse(simulate(source.name, app.yaml));
  app.timings.simulateMs = performance.now() - t;
  if (!result.ok) {
    showErrors(result.errors);
    return;
  }
  showErrors([]);
  app.view = result.view;
  $("scenario-title").textContent = `${result.view.name} — ${result.view.summary}`;
  diagram.draw(result.view.diagram);
  fillEndpoints(result.view.endpoints);
  fillNodes(result.view.nodes);
  renderProblems($("findings"), result.view.warnings, jumpToLine);
  $("findings-count").textContent = result.view.warnings.length ? `(${result.view.warnings.length})` : "";
  status(`computed in ${app.timings.simulateMs.toFixed(1)} ms`);
  if (app.trace) runTrace(app.index, { refocus: false }); // live: the same probe, edited cluster
}

function showErrors(errors) {
  $("canvas").classList.toggle("stale", errors.length > 0);
  renderProblems($("errors"), errors, jumpToLine);
  app.errorLines = new Set(errors.map((e) => e.origin?.line).filter(Boolean));
  updateGutter();
  if (errors.length) {
    status(`${errors.length} error(s) in the scenario — the drawing shows the last one that computed`);
    selectTab("editor");
  }
}

function updateGutter() {
  const lines = $("editor").value.split("\n").length;
  const marks = app.errorLines || new Set();
  let html = "";
  for (let i = 1; i <= lines; i++) {
    html += marks.has(i) ? `<span class="error-line">${i}</span>\n` : `${i}\n`;
  }
  $("editor-lines").innerHTML = html;
  $("editor-lines").scrollTop = $("editor").scrollTop;
}

function jumpToLine(line) {
  selectTab("editor");
  const editor = $("editor");
  const lines = editor.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(start, start + (lines[line - 1] || "").length);
  editor.scrollTop = Math.max(0, (line - 5) * lineHeight(editor));
}

function lineHeight(e) {
  return parseFloat(getComputedStyle(e).lineHeight) || 16;
}

// ---- endpoints and probes -------------------------------------------------------------

function fillEndpoints(endpoints) {
  const fill = (select, names) => {
    const keep = select.value;
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes(keep)) select.value = keep;
  };
  fill($("from"), endpoints.sources);
  fill($("to"), endpoints.destinations);
  if (!app.trace && $("from").value === $("to").value && endpoints.destinations.length > 1) {
    $("to").value = endpoints.destinations.find((d) => d !== $("from").value);
  }
}

function fillNodes(nodes) {
  const select = $("node-select");
  const keep = select.value;
  select.replaceChildren(...nodes.map((n) => new Option(n, n)));
  if (nodes.includes(keep)) select.value = keep;
  showNode(select.value);
}

function showNode(name) {
  if (!name) return;
  const r = JSON.parse(node_panel(name));
  if (r.ok) renderNodePanel($("node-panel"), r.panel);
}

function setProbe(p) {
  for (const k of ["from", "to", "proto", "port", "size"]) {
    if (p[k] !== undefined && p[k] !== null) $(k).value = p[k];
  }
}

function probe() {
  return {
    from: $("from").value,
    to: $("to").value,
    proto: $("proto").value,
    port: Number($("port").value) || 80,
    size: Number($("size").value) || 84,
  };
}

function runTrace(index = 0, { refocus = true } = {}) {
  stop();
  const t = performance.now();
  const result = JSON.parse(walk(JSON.stringify(probe())));
  app.timings.traceMs = performance.now() - t;
  if (!result.ok) {
    app.trace = null;
    $("verdict").dataset.verdict = "error";
    $("verdict").textContent = result.error;
    $("hop-list").replaceChildren();
    $("hop-detail").replaceChildren();
    diagram.showTrace([], 0);
    return;
  }
  app.trace = result.trace;
  if (refocus) diagram.focusOn(result.trace.hops);
  showVerdict(result.trace);
  selectTab("trace");
  show(index);
  status(`computed in ${(app.timings.simulateMs ?? 0).toFixed(1)} ms · trace in ${app.timings.traceMs.toFixed(1)} ms`);
  if (app.timings.firstTraceMs === undefined) app.timings.firstTraceMs = performance.now();
}

function showVerdict(t) {
  const v = $("verdict");
  v.dataset.verdict = t.verdict;
  const what = `${t.from} → ${t.to} (${t.proto}${t.port ? "/" + t.port : ""})`;
  if (t.verdict === "delivered") {
    const via = encapsulation(t);
    const reply = t.reply ? `; reply ${t.reply.verdict}` : "";
    v.textContent = `Delivered: ${what}, ${t.hops.length} hops, ${via}${reply}`;
  } else {
    const last = t.hops[t.hops.length - 1];
    v.textContent = `Dropped at ${last ? last.at : t.from}: ${t.reason ?? ""}`;
  }
}

function encapsulation(t) {
  const outer = t.hops.find((h) => h.packet.outer);
  return outer ? `via ${outer.packet.outer.kind.toUpperCase()}` : "no encapsulation";
}

/// Shows hop `i` of the request-then-reply list.
function show(i) {
  const entries = allHops(app.trace);
  if (!entries.length) return;
  app.index = Math.max(0, Math.min(i, entries.length - 1));
  const requestLength = app.trace.hops.length;
  const inReply = app.index >= requestLength;
  const hops = inReply ? app.trace.reply.hops : app.trace.hops;
  diagram.showTrace(hops, inReply ? app.index - requestLength : app.index);
  renderHopList($("hop-list"), app.trace, app.index, (n) => { stop(); show(n); });
  renderHopDetail($("hop-detail"), entries[app.index], app.index, entries.length);
  $("hop-list").querySelector(".current")?.scrollIntoView({ block: "nearest" });
  afterPaint(writeHash); // the URL can wait for the frame: history.replaceState costs ~5 ms
}

function step(delta) {
  stop();
  if (app.trace) show(app.index + delta);
}

function play() {
  if (app.playing) return stop();
  if (!app.trace) runTrace();
  if (!app.trace) return;
  if (app.index >= allHops(app.trace).length - 1) show(0);
  $("play-btn").textContent = "❚❚";
  app.playing = setInterval(() => {
    if (app.index >= allHops(app.trace).length - 1) return stop();
    show(app.index + 1);
  }, 700);
}

function stop() {
  if (app.playing) clearInterval(app.playing);
  app.playing = null;
  $("play-btn").textContent = "▶";
}

function onShapeClick(shape, event) {
  if (shape.kind === "pod") {
    const which = event.shiftKey ? "to" : app.pickNext;
    $(which).value = shape.label;
    app.pickNext = which === "from" ? "to" : "from";
    status(`${which}: ${shape.label}${which === "from" ? " — now click the destination" : " — press Trace"}`);
  } else if (shape.kind === "node") {
    $("node-select").value = shape.label;
    showNode(shape.label);
    selectTab("node");
  }
}

// ---- URL state: scenario (by menu key, or the edited text itself) and the trace ---------

/// Runs `f` once the next frame is on screen (a task queued from requestAnimationFrame
/// runs after that frame's paint); calls made before then run it once.
function afterPaint(f) {
  if (afterPaint.pending.has(f)) return;
  afterPaint.pending.add(f);
  requestAnimationFrame(() => setTimeout(() => {
    afterPaint.pending.delete(f);
    f();
  }));
}
afterPaint.pending = new Set();

/// Projector mode: larger panel type, heavier lines, darker greys; kept in the URL so a
/// trainer's shared link opens the same way.
function setProjector(on) {
  app.projector = on;
  document.body.classList.toggle("projector", on);
  $("projector-btn").setAttribute("aria-pressed", String(on));
}

async function writeHash() {
  const p = new URLSearchParams();
  p.set("s", app.key);
  if (app.projector) p.set("view", "projector");
  if (app.edited) p.set("y", await pack(app.yaml));
  if (app.trace) {
    const q = probe();
    for (const k of ["from", "to", "proto", "port", "size"]) p.set(k, q[k]);
    p.set("hop", app.index);
  }
  history.replaceState(null, "", `#${p}`);
}

async function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const out = Object.fromEntries(p.entries());
  if (out.y) {
    try {
      out.y = await unpack(out.y);
    } catch {
      delete out.y;
    }
  }
  return out;
}

/// deflate-raw + base64url: an edited scenario fits in a link.
async function pack(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function unpack(packed) {
  const bin = atob(packed.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

// ---- controls ---------------------------------------------------------------------------

function selectTab(name) {
  for (const b of document.querySelectorAll("#tabs button")) {
    b.classList.toggle("active", b.dataset.tab === name);
  }
  for (const t of document.querySelectorAll(".tab")) {
    t.classList.toggle("active", t.id === `tab-${name}`);
  }
  document.body.dataset.tab = name;
}

function status(message) {
  $("status").textContent = message;
}

function bindControls() {
  $("lab-menu").addEventListener("change", (e) => {
    app.trace = null;
    $("hop-list").replaceChildren();
    $("hop-detail").replaceChildren();
    $("verdict").dataset.verdict = "none";
    $("verdict").textContent = "Pick a source and a destination, then Trace.";
    loadScenario(e.target.value, app.sources.get(e.target.value).yaml);
    writeHash();
  });
  $("trace-btn").addEventListener("click", () => runTrace());
  $("prev-btn").addEventListener("click", () => step(-1));
  $("next-btn").addEventListener("click", () => step(1));
  $("play-btn").addEventListener("click", play);
  $("share-btn").addEventListener("click", async () => {
    await writeHash();
    try {
      await navigator.clipboard.writeText(location.href);
      status("link copied: it opens this scenario and this trace on a machine running calisim serve");
    } catch {
      status(`share this link: ${location.href}`);
    }
  });
  $("node-select").addEventListener("change", (e) => showNode(e.target.value));
  for (const b of document.querySelectorAll("#tabs button")) {
    b.addEventListener("click", () => selectTab(b.dataset.tab));
  }
  let timer = null;
  $("editor").addEventListener("input", () => {
    updateGutter();
    clearTimeout(timer);
    timer = setTimeout(() => { recompute(); writeHash(); }, 250);
  });
  $("editor").addEventListener("scroll", () => {
    $("editor-lines").scrollTop = $("editor").scrollTop;
  });
  $("zoom-in").addEventListener("click", () => diagram.zoom(1 / 1.25));
  $("zoom-out").addEventListener("click", () => diagram.zoom(1.25));
  $("zoom-fit").addEventListener("click", () => diagram.fit());
  $("projector-btn").addEventListener("click", () => { setProjector(!app.projector); writeHash(); });
  document.addEventListener("keydown", (e) => {
    const typing = ["TEXTAREA", "INPUT", "SELECT"].includes(document.activeElement?.tagName);
    if (typing && e.key !== "Escape") return;
    switch (e.key) {
      case "ArrowRight": step(1); break;
      case "ArrowLeft": step(-1); break;
      case " ": play(); break;
      case "Enter": runTrace(); break;
      case "+": case "=": diagram.zoom(1 / 1.25); break;
      case "-": diagram.zoom(1.25); break;
      case "0": diagram.fit(); break;
      case "p": setProjector(!app.projector); writeHash(); break;
      case "Escape": document.activeElement?.blur(); return;
      default: return;
    }
    e.preventDefault();
  });
}

main().catch((e) => {
  status(`the lab failed to start: ${e.message}`);
  document.body.dataset.ready = "failed";
  throw e;
});
