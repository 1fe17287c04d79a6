// The cluster diagram: draws the layout sim-core computed (shapes, buses, wires) as SVG,
// and shows a trace on it: the path so far, the packet at the current hop, the tunnel it
// is inside. Pure drawing: the page decides what to show.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function text(parent, x, y, content, cls) {
  const t = el("text", { x, y, class: cls }, parent);
  t.textContent = content;
  return t;
}

/// Shortens a label to `n` characters (the whole name is in the tooltip).
function clip(label, n) {
  return label.length > n ? `${label.slice(0, n - 1)}…` : label;
}

/// Below this many screen pixels per drawing unit, labels (11-13 units) are hidden.
const FAR_SCALE = 0.3;

/// Corner radius of a shape's box, by kind.
function radius(kind) {
  return kind === "router" ? 22 : kind === "device" ? 4 : 8;
}

function contains(outer, inner) {
  return inner.x >= outer.x && inner.y >= outer.y
    && inner.x + inner.w <= outer.x + outer.w && inner.y + inner.h <= outer.y + outer.h;
}

/// `view`'s size, centred on `box`.
function centred(view, box) {
  return { x: box.x + box.w / 2 - view.w / 2, y: box.y + box.h / 2 - view.h / 2, w: view.w, h: view.h };
}

export class Diagram {
  constructor(svg, tooltip, handlers) {
    this.svg = svg;
    this.tooltip = tooltip;
    this.handlers = handlers; // { onPlaceClick(shape, event) }
    this.shapes = new Map();
    this.buses = new Map();
    this.view = null;
    // A trace is drawn on a second SVG above the drawing, in a layer of its own: marks on
    // the places passed, the trail, the tunnel, the packet. The drawing itself never
    // changes while tracing, so Chromium keeps its 12,000 elements painted.
    this.top = el("svg", { id: `${svg.id}-top`, "aria-hidden": "true" });
    svg.after(this.top);
    this.installZoom();
    // The camera follows the element's size (the window, the side panel).
    new ResizeObserver(([entry]) => {
      this.px = { w: entry.contentRect.width, h: entry.contentRect.height };
      if (this.view) this.applyView();
    }).observe(svg);
  }

  /// Draws a new layout; keeps the zoom when the drawing keeps its size.
  draw(diagram) {
    this.pending = null;
    this.pixels(); // measured while the element is still cheap to lay out
    const sameSize = this.size && this.size.w === diagram.width && this.size.h === diagram.height;
    this.svg.replaceChildren();
    this.shapes.clear();
    this.buses.clear();
    this.size = { w: diagram.width, h: diagram.height };
    this.camera = el("g", { class: "camera" }, this.svg);
    this.top.replaceChildren();
    this.topCamera = el("g", { class: "camera" }, this.top);
    const layers = {};
    this.packet = null;
    for (const name of ["buses", "wires", "places", "devices"]) {
      layers[name] = el("g", { class: `layer-${name}` }, this.camera);
    }
    for (const name of ["marks", "overlay", "packet"]) {
      layers[name] = el("g", { class: `layer-${name}` }, this.topCamera);
    }
    this.layers = layers;
    for (const bus of diagram.buses) this.drawBus(bus);
    for (const wire of diagram.wires) {
      el("polyline", {
        points: wire.points.map((p) => p.join(",")).join(" "),
        class: `wire wire-${wire.kind}`,
      }, layers.wires);
    }
    for (const shape of diagram.shapes) this.drawShape(shape);
    if (!sameSize || !this.view) this.fit();
    else this.applyView();
  }

  drawBus(bus) {
    const g = el("g", { class: "bus", "data-id": bus.id }, this.layers.buses);
    for (const s of bus.segments) {
      el("line", { x1: s.x1, y1: s.y, x2: s.x2, y2: s.y, class: "bus-line" }, g);
    }
    if (bus.trunk) {
      const [x, y1, y2] = bus.trunk;
      el("line", { x1: x, y1, x2: x, y2, class: "bus-line" }, g);
    }
    const last = bus.segments[bus.segments.length - 1];
    text(g, last.x2 - 4, last.y + 16, bus.label, "bus-label end");
    this.hover(g, bus.info);
    this.buses.set(bus.id, { bus, g });
  }

  drawShape(shape) {
    const layer = shape.kind === "device" ? this.layers.devices : this.layers.places;
    const g = el("g", {
      class: `shape ${shape.kind} ${shape.device ? "dev-" + shape.device : ""}`,
      "data-id": shape.id,
    }, layer);
    el("rect", { x: shape.x, y: shape.y, width: shape.w, height: shape.h, rx: radius(shape.kind) }, g);
    if (shape.kind === "device") {
      if (shape.w > 20) {
        text(g, shape.x + shape.w / 2, shape.y + shape.h / 2 + 4, shape.label, "dev-label middle");
      }
      if (shape.detail) {
        text(g, shape.x + shape.w + 6, shape.y + shape.h / 2 + 4, shape.detail, "addr");
      }
    } else if (shape.kind === "pod") {
      text(g, shape.x + 8, shape.y + 13, clip(shape.label, 21), "pod-label");
      text(g, shape.x + 8, shape.y + 26, shape.detail, "addr");
    } else if (shape.kind === "router" || shape.kind === "external") {
      text(g, shape.x + shape.w / 2, shape.y + 19, shape.label, "place-label middle");
      text(g, shape.x + shape.w / 2, shape.y + 35, shape.detail, "addr middle");
    } else {
      text(g, shape.x + 10, shape.y + 20, shape.label, "place-label");
      text(g, shape.x + 10, shape.y + 36, shape.detail, "addr");
    }
    this.hover(g, shape.info);
    g.addEventListener("click", (e) => {
      e.stopPropagation();
      this.handlers.onShapeClick?.(shape, e);
    });
    this.shapes.set(shape.id, { shape, g });
  }

  hover(g, lines) {
    g.addEventListener("mouseenter", (e) => {
      this.tooltip.textContent = lines.join("\n");
      this.tooltip.hidden = false;
      this.moveTooltip(e);
    });
    g.addEventListener("mousemove", (e) => this.moveTooltip(e));
    g.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
  }

  moveTooltip(e) {
    const box = this.svg.parentElement.getBoundingClientRect();
    this.tooltip.style.left = `${e.clientX - box.left + 14}px`;
    this.tooltip.style.top = `${e.clientY - box.top + 14}px`;
  }

  /// What a hop's shape id names: the shape itself, else the place holding the device
  /// (`kind:name|device`); or a network's bus.
  placeOf(id) {
    const base = id.split("|")[0];
    const shape = (this.shapes.get(id) || this.shapes.get(base))?.shape;
    const bus = shape ? undefined : (this.buses.get(id) || this.buses.get(base))?.bus;
    return { shape, bus };
  }

  /// The point a hop happens at: its device, else its place; on a network, the point of
  /// the bus nearest to where the packet was.
  position(shapeId, previous) {
    const { shape: s, bus } = this.placeOf(shapeId);
    if (s) return { x: s.x + s.w / 2, y: s.y + s.h / 2 };
    if (!bus) return previous || { x: 0, y: 0 };
    const from = previous || { x: 0, y: 0 };
    let best = null;
    for (const seg of bus.segments) {
      const p = { x: Math.min(Math.max(from.x, seg.x1), seg.x2), y: seg.y };
      const d = Math.hypot(p.x - from.x, p.y - from.y);
      if (!best || d < best.d) best = { ...p, d };
    }
    return best;
  }

  /// Shows hops[0..=index]: the trail, the places passed, the packet where it is now.
  showTrace(hops, index) {
    const overlay = this.layers.overlay;
    overlay.replaceChildren();
    this.layers.marks.replaceChildren();
    if (!hops || hops.length === 0) {
      this.layers.packet.replaceChildren();
      this.packet = null;
      return;
    }
    const points = [];
    const marks = new Map(); // place -> "on-path", "current" or "dropped"
    let previous = null;
    hops.forEach((hop, i) => {
      const p = this.position(hop.shape, previous);
      points.push(p);
      previous = p;
      if (i < index) marks.set(hop.shape, marks.get(hop.shape) ?? "on-path");
      if (i === index) marks.set(hop.shape, hop.action === "drop" ? "dropped" : "current");
    });
    for (const [id, state] of marks) this.mark(id, state);
    const trail = this.trail(hops, points);
    el("polyline", { points: trail.map((p) => `${p.x},${p.y}`).join(" "), class: "trail-all" }, overlay);
    el("polyline", {
      points: trail.filter((p) => p.hop <= index).map((p) => `${p.x},${p.y}`).join(" "),
      class: "trail",
    }, overlay);
    this.drawTunnel(hops, index, points);
    const here = points[index];
    // One step along the same trace glides; a new trace or a jump puts the packet there.
    const glide = this.packet && this.packetHops === hops && Math.abs(index - this.packetIndex) === 1;
    this.packetHops = hops;
    this.packetIndex = index;
    this.movePacket(here, hops[index], glide);
    this.follow(here);
  }

  /// Marks a place on the trace's layer: the outline of a shape, or a bus traced over.
  mark(id, state) {
    const { shape: s, bus } = this.placeOf(id);
    if (s) {
      el("rect", {
        x: s.x, y: s.y, width: s.w, height: s.h, rx: radius(s.kind), class: `mark ${state}`, "data-id": s.id,
      }, this.layers.marks);
      return;
    }
    if (!bus) return;
    const g = el("g", { class: `mark bus-mark ${state}`, "data-id": bus.id }, this.layers.marks);
    for (const seg of bus.segments) el("line", { x1: seg.x1, y1: seg.y, x2: seg.x2, y2: seg.y }, g);
    if (bus.trunk) {
      const [x, y1, y2] = bus.trunk;
      el("line", { x1: x, y1, x2: x, y2 }, g);
    }
  }

  /// The packet: a dot, in its outer envelope while encapsulated, crossed out when dropped.
  movePacket(at, hop, glide) {
    this.packet ??= el("g", {}, this.layers.packet);
    const g = this.packet;
    const outer = hop.packet.outer;
    g.setAttribute("class", `packet ${hop.action === "drop" ? "dead" : ""} ${outer ? "encapsulated " + outer.kind : ""}`);
    g.replaceChildren();
    if (outer) el("rect", { x: -15, y: -11, width: 30, height: 22, rx: 4, class: "packet-outer" }, g);
    el("circle", { r: 8, class: "packet-inner" }, g);
    if (hop.action === "drop") text(g, 0, 4, "✕", "packet-x middle");
    g.style.transition = glide ? "" : "none";
    g.style.transform = `translate(${at.x}px, ${at.y}px)`;
  }

  /// The path drawn through the hops' points; across a network the packet runs along
  /// the bus from where it got on to where the next hop takes it off.
  trail(hops, points) {
    const out = [];
    hops.forEach((hop, i) => {
      out.push({ ...points[i], hop: i });
      if (hop.kind === "network" && i + 1 < hops.length) {
        const exit = this.position(hop.shape, points[i + 1]);
        out.push({ ...exit, hop: i });
      }
    });
    return out;
  }

  /// While the packet is encapsulated, an arc from the tunnel's entry to its exit.
  drawTunnel(hops, index, points) {
    if (!hops[index].packet.outer) return;
    let start = index;
    while (start > 0 && hops[start - 1].packet.outer) start--;
    let end = index;
    while (end < hops.length - 1 && hops[end + 1].packet.outer) end++;
    const a = points[start];
    const b = points[Math.min(end + 1, hops.length - 1)];
    const mid = { x: (a.x + b.x) / 2, y: Math.min(a.y, b.y) - 60 };
    el("path", {
      d: `M${a.x},${a.y} Q${mid.x},${mid.y} ${b.x},${b.y}`,
      class: `tunnel tunnel-${hops[index].packet.outer.kind}`,
    }, this.layers.overlay);
  }

  // ---- zoom and pan: a transform on one group is the camera -------------------------
  // Not the viewBox: changing it makes Chromium lay out every SVG element again (60-140 ms
  // on a 1,000-pod drawing), where a group's transform only repaints.

  /// On a big cluster, frames the places a trace passes through; small ones stay whole.
  focusOn(hops) {
    if (!hops?.length || !this.size) return;
    if (this.size.w <= 2200 && this.size.h <= 1400) return this.reframe(this.whole());
    let previous = null;
    const points = hops.map((hop) => (previous = this.position(hop.shape, previous)));
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const pad = 120;
    let box = {
      x: Math.min(...xs) - pad, y: Math.min(...ys) - pad,
      w: Math.max(...xs) - Math.min(...xs) + 2 * pad, h: Math.max(...ys) - Math.min(...ys) + 2 * pad,
    };
    if (box.w > this.size.w * 0.6 && box.h > this.size.h * 0.6) return this.reframe(this.whole());
    // Never closer than about two node boxes across: the path keeps its surroundings.
    const minW = Math.min(this.size.w, 1000);
    if (box.w < minW) box = { ...box, x: box.x - (minW - box.w) / 2, w: minW };
    const px = this.pixels();
    const aspect = px.w / Math.max(px.h, 1) || 1;
    if (box.w / box.h < aspect) {
      const w = box.h * aspect;
      box = { ...box, x: box.x - (w - box.w) / 2, w };
    } else {
      const h = box.w / aspect;
      box = { ...box, y: box.y - (h - box.h) / 2, h };
    }
    // Keep the zoom when the path fits the current view and still reads well: the student
    // keeps their bearings, and a new scale makes Chromium lay out every label again.
    // A path already in sight leaves the camera where it is (no repaint of the drawing).
    const v = this.view;
    if (v && box.w <= v.w && box.h <= v.h && v.w <= box.w * 2) {
      if (contains(v, box)) return;
      box = centred(v, box);
    }
    this.reframe(box);
  }

  /// Moves the camera to `box`. A new zoom level waits for the next frame: the trace is
  /// painted first with the camera still (a camera move repaints the whole drawing), then
  /// the labels are laid out again at the new scale (~70 ms on a 1,000-pod drawing).
  reframe(box) {
    this.pending = null;
    const v = this.view;
    if (v && contains(v, box) && contains(box, v)) return;
    if (!v || Math.abs(this.scaleOf(box) / this.scaleOf(v) - 1) < 1e-9) {
      this.view = box;
      this.applyView();
      return;
    }
    const token = (this.pending = {});
    requestAnimationFrame(() => setTimeout(() => {
      if (this.pending !== token) return;
      this.pending = null;
      this.view = box;
      this.applyView();
    }));
  }

  whole() {
    const { w, h } = this.size || { w: 100, h: 100 };
    return { x: 0, y: 0, w, h };
  }

  fit() {
    this.pending = null;
    this.view = this.whole();
    this.applyView();
  }

  /// Screen pixels per drawing unit when `view` is shown whole.
  scaleOf(view) {
    const px = this.pixels();
    return Math.min((px.w || view.w) / view.w, (px.h || view.h) / view.h);
  }

  /// The element's size in screen pixels, as the ResizeObserver last saw it. Read from the
  /// element only before its first report: reading it after a new drawing forces a layout
  /// at the old scale, and every label would be laid out twice.
  pixels() {
    this.px ??= { w: this.svg.clientWidth, h: this.svg.clientHeight };
    return this.px;
  }

  /// Shows `this.view` (a box in drawing units) centred and whole, as a viewBox would.
  applyView() {
    const v = this.view;
    const k = this.scaleOf(v);
    const px = this.pixels();
    const x = ((px.w || v.w) - v.w * k) / 2 - v.x * k;
    const y = ((px.h || v.h) - v.h * k) / 2 - v.y * k;
    for (const camera of [this.camera, this.topCamera]) {
      camera.setAttribute("transform", `translate(${x} ${y}) scale(${k})`);
    }
    // Labels under ~3 px are unreadable: hidden, they also cost no layout when zooming.
    this.svg.classList.toggle("far", k < FAR_SCALE);
  }

  zoom(factor, centre) {
    this.pending = null;
    const v = this.view;
    const c = centre || { x: v.x + v.w / 2, y: v.y + v.h / 2 };
    this.view = {
      x: c.x - (c.x - v.x) * factor,
      y: c.y - (c.y - v.y) * factor,
      w: v.w * factor,
      h: v.h * factor,
    };
    this.applyView();
  }

  /// Keeps the packet in sight when zoomed in: the smallest pan that brings it inside.
  follow(p) {
    if (this.pending) return; // the coming zoom frames the path
    const v = this.view;
    if (!v || (v.w >= this.size.w && v.h >= this.size.h)) return;
    const mx = v.w * 0.04;
    const my = v.h * 0.04;
    const x = p.x < v.x + mx ? p.x - mx : p.x > v.x + v.w - mx ? p.x + mx - v.w : v.x;
    const y = p.y < v.y + my ? p.y - my : p.y > v.y + v.h - my ? p.y + my - v.h : v.y;
    if (x !== v.x || y !== v.y) {
      this.view = { ...v, x, y };
      this.applyView();
    }
  }

  toUser(e) {
    const pt = this.svg.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    return pt.matrixTransform(this.camera.getScreenCTM().inverse());
  }

  installZoom() {
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      if (!this.view) return;
      this.zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, this.toUser(e));
    }, { passive: false });
    let drag = null;
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 || !this.view) return;
      this.pending = null;
      drag = { start: this.toUser(e), view: { ...this.view } };
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const p = this.toUser(e);
      this.view.x -= p.x - drag.start.x;
      this.view.y -= p.y - drag.start.y;
      this.applyView();
    });
    window.addEventListener("pointerup", () => { drag = null; });
  }
}
