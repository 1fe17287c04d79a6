// The browser lab in a real browser (Debian's chromium, headless): what a student does.
// Expected hops come from the calisim binary itself (`calisim trace --json`), so the test
// checks that the page shows what the engine computed, not what we typed here.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, openPage, ROOT, screenshot, startServer } from "../lib.mjs";

const CALISIM = process.env.CALISIM_BIN || join(ROOT, "target/release/calisim");
const POLICY_LAB = readFileSync(join(ROOT, "labs/10-network-policy/scenario.yaml"), "utf8");

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

/// `calisim trace ... --json` for the same probe, as the command line walks it.
function cliTrace(scenario, from, to, port) {
  let out;
  try {
    out = execFileSync(CALISIM, ["trace", scenario, "--from", from, "--to", to, "--port", String(port), "--json"], { cwd: ROOT });
  } catch (e) {
    out = e.stdout; // exit 1: dropped, still a trace
  }
  return JSON.parse(out);
}

async function traceIn(page, from, to, port) {
  await page.selectOption("#from", from);
  await page.selectOption("#to", to);
  await page.fill("#port", String(port));
  await page.click("#trace-btn");
  await page.waitForFunction(() => document.querySelector("#verdict").dataset.verdict !== "none");
}

async function currentAction(page) {
  return page.textContent("#hop-detail .badge");
}

test("a VXLAN trace across nodes: hops, verdict, and the outer header at the encap hop", async () => {
  const { page, errors } = await openPage(browser.browser, server.url);
  // The default scenario is drawn first: three nodes.
  assert.equal(await page.locator("#diagram g.shape.node").count(), 3);
  await page.selectOption("#lab-menu", "lab:10");
  await page.waitForFunction(() => document.querySelector("#scenario-title").textContent.startsWith("network-policy"));
  // The lab's task text is one tab away.
  await page.click('#tabs button[data-tab="task"]');
  // ... rendered from its Markdown: the title, the numbered steps, the commands as code.
  const readme = readFileSync(join(ROOT, "labs/10-network-policy/README.md"), "utf8");
  assert.equal(await page.textContent("#task h1"), readme.split("\n")[0].replace(/^# /, ""));
  // (Steps are "1. " to "9. "; a wrapped "1000. " inside a paragraph is not a list item.)
  const steps = readme.split("\n").filter((line) => /^\d\. /.test(line)).map((line) => line.slice(3, 30));
  const items = await page.$$eval("#task ol > li", (ls) => ls.map((l) => l.textContent));
  assert.equal(items.length, steps.length);
  steps.forEach((step, i) => assert.ok(items[i].startsWith(step.replace(/`/g, "")), `${items[i]} / ${step}`));
  const code = await page.$$eval("#task code", (cs) => cs.map((c) => c.textContent));
  assert.ok(code.includes("calisim lab show 10"), code.join(" | "));
  await traceIn(page, "shop/web-1", "shop/db-1", 5432);

  const expected = cliTrace("10", "shop/web-1", "shop/db-1", 5432);
  assert.equal(await page.getAttribute("#verdict", "data-verdict"), "delivered");
  assert.match(await page.textContent("#verdict"), /via VXLAN/);
  const shown = await page.$$eval("#hop-list li:not(.reply) .hop-place", (els) => els.map((e) => e.textContent));
  assert.deepEqual(shown, expected.hops.map((h) => (h.device ? `${h.at} [${h.device}]` : h.at)));
  assert.ok(await page.locator("#hop-list li.reply").count() > 0, "the reply's hops follow");

  // Step with the keyboard to the encapsulation hop: the header panel shows the VXLAN
  // envelope around the inner packet, and the diagram marks vxlan.calico on node-1.
  const encapAt = expected.hops.findIndex((h) => h.action === "encap");
  assert.ok(encapAt > 0);
  for (let i = 0; i < encapAt; i++) await page.keyboard.press("ArrowRight");
  assert.equal(await currentAction(page), "encapsulate");
  const outer = page.locator("#headers .envelope.outer.vxlan");
  assert.equal(await outer.count(), 1);
  const outerText = await outer.textContent();
  const o = expected.hops[encapAt].packet.outer;
  assert.match(outerText, new RegExp(`VXLAN VNI ${o.vni}`));
  assert.match(outerText, new RegExp(`src ${o.src.replaceAll(".", "\\.")}\\s+dst ${o.dst.replaceAll(".", "\\.")}`));
  assert.equal(await page.locator("#headers .envelope.outer .envelope.inner").count(), 1);
  assert.equal(await page.locator('#diagram-top .mark.current[data-id="node:node-1|vxlan.calico"]').count(), 1);
  assert.equal(await page.locator("#diagram-top path.tunnel-vxlan").count(), 1);
  await screenshot(page, "vxlan-encap-hop");

  // One step back: before encapsulation there is no outer header.
  await page.keyboard.press("ArrowLeft");
  assert.notEqual(await currentAction(page), "encapsulate");
  assert.equal(await page.locator("#headers .envelope.outer").count(), 0);
  // The buttons step too, and one step glides the packet to its next place; a new
  // trace puts it at the start without gliding across the drawing.
  const gliding = () => page.evaluate(() => document.querySelector("#diagram-top .packet")
    .getAnimations().filter((a) => a.transitionProperty === "transform").length);
  await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
  await page.click("#next-btn");
  assert.equal(await currentAction(page), "encapsulate");
  assert.equal(await gliding(), 1);
  await page.evaluate(() => document.getAnimations().forEach((a) => a.finish()));
  await traceIn(page, "shop/web-1", "shop/db-1", 5432);
  assert.equal(await gliding(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a dropped packet stops where it dies, with the reason", async () => {
  const { page } = await openPage(browser.browser, server.url);
  await page.selectOption("#lab-menu", "lab:03");
  await traceIn(page, "default/web-1", "default/web-2", 80);
  const expected = cliTrace("3", "default/web-1", "default/web-2", 80);
  assert.equal(expected.verdict, "dropped");
  assert.equal(await page.getAttribute("#verdict", "data-verdict"), "dropped");
  const last = expected.hops[expected.hops.length - 1];
  await page.click("#hop-list li.action-drop");
  assert.equal(await currentAction(page), "drop");
  assert.equal(await page.textContent("#hop-what"), last.detail);
  assert.equal(await page.locator("#diagram-top .mark.dropped").count(), 1);
  await screenshot(page, "dropped-at-router");
  await page.close();
});

test("breaking the YAML shows the error inline at its line; fixing it recomputes", async () => {
  const { page } = await openPage(browser.browser, server.url);
  await page.selectOption("#lab-menu", "lab:10");
  await page.click('#tabs button[data-tab="editor"]');
  const line = POLICY_LAB.split("\n").findIndex((l) => l.includes("cidr: 10.244.0.0/16")) + 1;
  assert.ok(line > 0);
  await page.fill("#editor", POLICY_LAB.replace("cidr: 10.244.0.0/16", "cidr: 10.244.0.0/66"));
  await page.waitForSelector("#errors li.error");
  const error = page.locator(`#errors li.error[data-line="${line}"]`);
  assert.equal(await error.count(), 1);
  assert.match(await error.textContent(), new RegExp(`line ${line}.*spec\\.cidr.*10\\.244\\.0\\.0/66`));
  assert.equal(await page.textContent("#editor-lines .error-line"), String(line));
  assert.ok(await page.locator("#canvas.stale").count(), "the old drawing is greyed");
  await screenshot(page, "yaml-error-inline");
  // Clicking the error selects the line in the editor.
  await error.click();
  const selected = await page.$eval("#editor", (e) => e.value.slice(e.selectionStart, e.selectionEnd));
  assert.match(selected, /10\.244\.0\.0\/66/);
  await page.fill("#editor", POLICY_LAB);
  await page.waitForFunction(() => !document.querySelector("#errors li"));
  assert.equal(await page.locator("#canvas.stale").count(), 0);
  await page.close();
});

test("the URL carries the scenario and the trace: a shared link reopens both", async () => {
  const { page } = await openPage(browser.browser, server.url);
  await page.selectOption("#lab-menu", "lab:10");
  await page.click('#tabs button[data-tab="editor"]');
  // An edited scenario travels in the link itself.
  await page.fill("#editor", POLICY_LAB.replace("name: network-policy", "name: shared-copy"));
  await page.waitForFunction(() => document.querySelector("#scenario-title").textContent.startsWith("shared-copy"));
  await traceIn(page, "shop/web-1", "shop/db-1", 5432);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => location.hash.includes("hop=2") && location.hash.includes("y="));
  const link = page.url();
  await page.close();

  const again = await openPage(browser.browser, link);
  const p = again.page;
  assert.match(await p.textContent("#scenario-title"), /^shared-copy/);
  assert.equal(await p.getAttribute("#verdict", "data-verdict"), "delivered");
  assert.equal(await p.getAttribute("#hop-list li.current", "data-index"), "2");
  assert.equal(await p.inputValue("#port"), "5432");
  await p.close();
});

test("clicking a node shows its route table, node status and IPAM blocks; clicking pods picks the probe", async () => {
  const { page } = await openPage(browser.browser, server.url);
  await page.click('#diagram g.shape.node[data-id="node:minikube-m02"] > rect', { position: { x: 200, y: 12 } });
  const routes = execFileSync(CALISIM, ["routes", "minikube-m02"], { cwd: ROOT }).toString();
  assert.equal((await page.textContent("#node-routes")).trim(), routes.trim());
  const status = execFileSync(CALISIM, ["node", "status", "minikube-m02"], { cwd: ROOT }).toString();
  assert.equal((await page.textContent("#node-status")).trim(), status.trim());
  assert.ok(await page.locator("#node-blocks tr").count() > 1);
  await screenshot(page, "node-panel");

  await page.click('#diagram g.shape.pod[data-id="pod:shop/db-1"] > rect');
  await page.click('#diagram g.shape.pod[data-id="pod:default/debug"] > rect');
  assert.equal(await page.inputValue("#from"), "shop/db-1");
  assert.equal(await page.inputValue("#to"), "default/debug");
  await page.close();
});

test("a service trace shows kube-proxy's DNAT as before and after", async () => {
  const { page } = await openPage(browser.browser, server.url);
  // Every lab is in the menu, with its solution.
  const labs = execFileSync(CALISIM, ["lab", "list"], { cwd: ROOT }).toString().trim().split("\n").slice(1);
  assert.ok(labs.length >= 12);
  assert.equal(await page.locator("#lab-menu option").count(), 1 + 2 * labs.length);
  await page.selectOption("#lab-menu", "lab:12:solution");
  await traceIn(page, "default/client", "svc:default/web", 80);
  const expected = cliTrace("labs/12-services/solution/scenario.yaml", "default/client", "svc:default/web", 80);
  const natAt = expected.hops.findIndex((h) => h.action === "nat");
  assert.ok(natAt > 0, "the CLI's walk has a NAT hop");
  await page.click(`#hop-list li[data-index="${natAt}"]`);
  assert.equal(await currentAction(page), "NAT");
  const changed = await page.$$eval("table.nat tr.changed", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const before = expected.hops[natAt - 1].packet;
  const after = expected.hops[natAt].packet;
  assert.deepEqual(changed.find((r) => r[0] === "dst"), ["dst", before.dst, "→", after.dst]);
  await screenshot(page, "service-dnat");
  await page.close();
});

/// WCAG contrast ratio of two `rgb(r, g, b)` colours.
function contrast(a, b) {
  const luminance = (rgb) => {
    const [r, g, bl] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test("projector mode: larger panel text, heavier lines, AAA contrast, kept in the shared link", async () => {
  const { page } = await openPage(browser.browser, server.url);
  await page.selectOption("#lab-menu", "lab:10");
  await traceIn(page, "shop/web-1", "shop/db-1", 5432);
  const looks = () => page.evaluate(() => {
    const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
    return {
      hopText: parseFloat(css("#hop-list li", "fontSize")),
      // Chromium writes a computed calc() stroke width as "calc(8px)".
      bus: parseFloat(css(".bus-line", "strokeWidth").replace("calc(", "")),
      muted: css(".hop-n", "color"),
      panel: css("#side", "backgroundColor"),
    };
  });
  const normal = await looks();
  await page.keyboard.press("p");
  await page.waitForFunction(() => location.hash.includes("view=projector"));
  const big = await looks();
  assert.ok(big.hopText >= normal.hopText * 1.25, `${big.hopText} vs ${normal.hopText}`);
  assert.ok(big.bus >= normal.bus * 1.5, `${big.bus} vs ${normal.bus}`);
  assert.ok(contrast(big.muted, big.panel) >= 7, `muted text ${big.muted} on ${big.panel}`);
  assert.equal(await page.getAttribute("#projector-btn", "aria-pressed"), "true");
  await screenshot(page, "projector");

  const again = await openPage(browser.browser, page.url());
  assert.equal(await again.page.evaluate(() => document.body.classList.contains("projector")), true);
  assert.equal(await again.page.getAttribute("#verdict", "data-verdict"), "delivered");
  await again.page.click("#projector-btn");
  assert.equal(await again.page.evaluate(() => document.body.classList.contains("projector")), false);
  await again.page.close();
  await page.close();
});
