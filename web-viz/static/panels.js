// The side panels: the hop list, the current hop's details (headers as nested
// envelopes, NAT before/after, the deciding policy rule), a node's tables, and
// diagnostics. Plain DOM building from the JSON sim-core returns.

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

const ACTION_WORDS = {
  route: "route lookup", arp: "ARP", policy: "policy", nat: "NAT", encap: "encapsulate",
  decap: "decapsulate", forward: "forward", deliver: "deliver", drop: "drop",
};

/// Where a hop happens, as a student would say it.
export function hopPlace(hop) {
  return hop.device ? `${hop.at} [${hop.device}]` : hop.at;
}

export function renderHopList(list, trace, index, onSelect) {
  list.replaceChildren();
  const all = allHops(trace);
  all.forEach(({ hop, reply }, i) => {
    list.append(h("li", {
      class: `hop action-${hop.action}${i === index ? " current" : ""}${reply ? " reply" : ""}`,
      "data-index": i,
      onclick: () => onSelect(i),
    },
    h("span", { class: "hop-n" }, i + 1),
    h("span", { class: "hop-action" }, ACTION_WORDS[hop.action] || hop.action),
    h("span", { class: "hop-place" }, hopPlace(hop))));
  });
}

/// The request's hops, then the reply's (marked), as one list to step through.
export function allHops(trace) {
  if (!trace) return [];
  const out = trace.hops.map((hop) => ({ hop, reply: false }));
  if (trace.reply) out.push(...trace.reply.hops.map((hop) => ({ hop, reply: true })));
  return out;
}

function l4(p, sport) {
  if (p.proto === "icmp") return "ICMP echo";
  const s = p.sport ?? sport;
  return `${p.proto.toUpperCase()}${s ? " " + s : ""} → ${p.dport ?? "?"}`;
}

/// The packet as nested envelopes: the outer IPv4 (+UDP/VXLAN) around the inner packet.
export function envelopes(p) {
  const inner = h("div", { class: "envelope inner" },
    h("div", { class: "env-title" }, `IPv4 ${l4(p)}`),
    h("div", { class: "env-row" }, h("b", {}, "src "), p.src, h("b", {}, "  dst "), p.dst),
    h("div", { class: "env-row" }, `${p.size} bytes`));
  if (!p.outer) return inner;
  const o = p.outer;
  const title = o.kind === "vxlan"
    ? `Outer IPv4 / UDP ${o.dport ?? 4789} / VXLAN VNI ${o.vni ?? "?"}`
    : "Outer IPv4 (IPIP, protocol 4)";
  return h("div", { class: `envelope outer ${o.kind}` },
    h("div", { class: "env-title" }, title),
    h("div", { class: "env-row" }, h("b", {}, "src "), o.src, h("b", {}, "  dst "), o.dst),
    h("div", { class: "env-row" }, `${o.size} bytes`),
    o.kind === "vxlan" ? h("div", { class: "env-row small" }, "+ inner Ethernet (14 bytes)") : null,
    inner);
}

function natView(before, after) {
  const row = (label, a, b) => h("tr", { class: a === b ? "" : "changed" },
    h("th", {}, label), h("td", {}, a), h("td", {}, "→"), h("td", {}, b));
  return h("table", { class: "nat" },
    h("tr", {}, h("th", {}, ""), h("th", {}, "before"), h("th", {}, ""), h("th", {}, "after")),
    row("src", before.src, after.src),
    row("dst", before.dst, after.dst),
    row("dport", before.dport ?? "", after.dport ?? ""));
}

export function renderHopDetail(box, entry, index, total) {
  box.replaceChildren();
  if (!entry) return;
  const { hop, reply } = entry;
  box.append(...[
    h("div", { class: "detail-head" },
      h("span", { class: `badge action-${hop.action}` }, ACTION_WORDS[hop.action] || hop.action),
      h("span", { class: "detail-step" }, `hop ${index + 1} of ${total}${reply ? " (reply)" : ""}`)),
    h("dl", {},
      h("dt", {}, "Place"), h("dd", { id: "hop-place" }, `${hop.at} (${hop.kind})`),
      h("dt", {}, "Device"), h("dd", { id: "hop-device" }, hop.device || "—"),
      h("dt", {}, hop.action === "policy" ? "Rule" : hop.action === "route" ? "Route" : "What"),
      h("dd", { id: "hop-what", class: hop.action === "drop" ? "drop-reason" : "" }, hop.detail)),
    hop.before ? h("div", { class: "section" }, h("h4", {}, "NAT"), natView(hop.before, hop.packet)) : null,
    h("div", { class: "section" }, h("h4", {}, "Headers"), h("div", { id: "headers" }, envelopes(hop.packet))),
  ].filter(Boolean));
}

export function renderNodePanel(box, panel) {
  box.replaceChildren();
  const pre = (title, content, id) => h("div", { class: "section" },
    h("h4", {}, title), h("pre", { id }, content.trimEnd() || "(empty)"));
  const blocks = h("table", { class: "blocks", id: "node-blocks" },
    h("tr", {}, h("th", {}, "block"), h("th", {}, "pool"), h("th", {}, "in use")),
    panel.blocks.map((b) => h("tr", {},
      h("td", {}, b.cidr), h("td", {}, b.pool), h("td", {}, `${b.in_use} / ${b.capacity}`))));
  box.append(
    h("p", { class: "small" }, `Calico address ${panel.address || "(none)"}`),
    pre("ip route", panel.routes, "node-routes"),
    pre("calicoctl node status", panel.status, "node-status"),
    h("div", { class: "section" }, h("h4", {}, "IPAM blocks (affine to this node)"), blocks),
    pre("ip addr", panel.addresses, "node-addr"));
}

/// Diagnostics as a list; clicking one with a line jumps there.
export function renderProblems(list, problems, onLine) {
  list.replaceChildren();
  for (const p of problems) {
    const line = p.origin?.line;
    list.append(h("li", {
      class: `problem ${p.severity}${line ? " has-line" : ""}`,
      "data-line": line ?? "",
      onclick: () => line && onLine(line),
    },
    line ? h("span", { class: "line-ref" }, `line ${line}`) : null,
    h("span", { class: "problem-text" },
      p.text.replace(/^(\w+(?:\[[^\]]*\])?): .*?:\d+ \(document \d+\): /, "$1: "))));
  }
}
