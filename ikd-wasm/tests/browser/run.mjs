#!/usr/bin/env node
// Runs a page of ikd-wasm/tests/browser/ in headless Chromium and reports what it found.
//
//   node ikd-wasm/tests/browser/run.mjs vectors        every test vector + the reader (a test)
//   node ikd-wasm/tests/browser/run.mjs bench [ROUNDS] the speed of verify in Chromium (a benchmark)
//
// A tiny static server on 127.0.0.1 (a free port) serves the repository's built WebAssembly
// (ikd-server/static/wasm/, exactly what the counter page serves, made by scripts/build-wasm.sh),
// the test vectors and this directory. The page runs, writes its result into the DOM
// (<pre id="result">) and POSTs the same JSON to /result; this script waits for that POST
// (at most TIMEOUT_S seconds, default 300), stops Chromium and prints the result. For `vectors`
// it prints "N passed, N failed" and exits 1 on any failure; for `bench` one JSON line.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = normalize(join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."));
const page = process.argv[2] ?? "vectors";
if (!["vectors", "bench"].includes(page)) {
  console.error("usage: run.mjs vectors | bench [ROUNDS]");
  process.exit(2);
}
const query = page === "bench" ? `?rounds=${Number(process.argv[3] ?? 200)}` : "";
const timeoutMs = Number(process.env.TIMEOUT_S ?? 300) * 1000;

// Only these directories are served, read-only.
const served = ["ikd-server/static/wasm/", "ikd-wasm/tests/browser/", "test-vectors/cases/"];
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
};

let finish;
const result = new Promise((resolve) => (finish = resolve));

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "");
  if (req.method === "POST" && path === "result") {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.end("ok");
      finish(body);
    });
    return;
  }
  if (req.method === "GET" && path === "cases.json") {
    const names = readdirSync(join(root, "test-vectors", "cases")).filter((f) => f.endsWith(".json")).sort();
    res.writeHead(200, { "content-type": types[".json"] });
    res.end(JSON.stringify(names));
    return;
  }
  const file = normalize(join(root, path));
  const allowed = served.some((d) => file.startsWith(join(root, d)));
  if (req.method !== "GET" || !allowed || !file.startsWith(root + sep)) {
    res.writeHead(404).end();
    return;
  }
  try {
    if (!statSync(file).isFile()) throw new Error("not a file");
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/ikd-wasm/tests/browser/${page}.html${query}`;

const profile = mkdtempSync(join(tmpdir(), "ikd-chromium-"));
const chromium = spawn(
  process.env.CHROMIUM ?? "chromium",
  [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    `--user-data-dir=${profile}`,
    url,
  ],
  { stdio: ["ignore", "ignore", "pipe"] },
);
let chromiumErr = "";
chromium.stderr.on("data", (d) => (chromiumErr += d));
const exited = new Promise((resolve) => chromium.on("exit", (code) => resolve(`Chromium exited (${code}) before the page reported`)));
const timer = new Promise((resolve) => setTimeout(() => resolve(`no result from the page within ${timeoutMs / 1000} s`), timeoutMs));

const outcome = await Promise.race([result.then((body) => ({ body })), exited.then((why) => ({ why })), timer.then((why) => ({ why }))]);
chromium.kill("SIGTERM");
server.close();
await new Promise((resolve) => (chromium.exitCode !== null ? resolve() : chromium.on("exit", resolve)));
// Chromium's helper processes may still be writing into the profile after the main one has
// exited (ENOTEMPTY: CI, 2026-12-05): retry, and never let the cleanup of a temporary folder
// decide the run.
try {
  rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
} catch (e) {
  console.error(`warning: could not remove the temporary Chromium profile ${profile}: ${e.code ?? e}`);
}

if (outcome.why) {
  console.error(`browser ${page}: ${outcome.why}\n${chromiumErr.slice(-2000)}`);
  process.exit(1);
}
const r = JSON.parse(outcome.body);
if (page === "bench") {
  if (r.error) {
    console.error(`browser bench: ${r.error}`);
    process.exit(1);
  }
  console.log(JSON.stringify(r));
  process.exit(0);
}
for (const f of r.failed) console.log(`not ok - ${f.name}: ${f.error}`);
console.log(`Chromium ${r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? r.userAgent}: ${r.vectors} vectors, ${r.tests} tests`);
console.log(`${r.passed} passed, ${r.failed.length} failed`);
process.exit(r.failed.length === 0 && r.passed > 0 ? 0 : 1);
