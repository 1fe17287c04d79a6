// Shared by the browser tests and the benchmark: start `calisim serve` on a free port,
// launch Debian's chromium headless through playwright-core, keep screenshots.

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/// Screenshots land here (CI keeps target/test-output as the run's artifacts).
export const ARTIFACTS = join(ROOT, "target/test-output/web-viz");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const CALISIM = process.env.CALISIM_BIN || join(ROOT, "target/release/calisim");

/// Starts `calisim serve --port 0 ARGS...`; resolves to { url, stop } once it listens.
export function startServer(args = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CALISIM, ["serve", "--port", "0", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`calisim serve did not start in 10 s: ${out}${err}`));
    }, 10_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ url: m[0], stop: () => child.kill() });
      }
    });
    child.stderr.on("data", (d) => { err += d; });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`calisim serve exited (${code}): ${err}`));
    });
  });
}

/// Headless chromium with the flags this machine needs (no network beyond loopback).
/// playwright gives every launch a fresh, temporary profile of its own.
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/// A 1280×800 page (the size the lab is designed for) that fails on console errors.
export async function openPage(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 15_000 });
  return { page, errors };
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
