#!/usr/bin/env node
// Speed of the WebAssembly package in Node against native verification, in the same run on
// the same machine (issue 15: verify in Node ≤ 2.0× the native `Verifier::verify`).
//
//   scripts/build-wasm.sh && node scripts/bench-wasm.mjs [ROUNDS]
//
// Both sides verify the same texts: the VALID trust-store credential vectors of
// test-vectors/cases, each ROUNDS times per batch, fastest of five batches. The native side
// (ikd-wasm/examples/native_verify.rs, release build) runs before and after the Node side and
// the two native figures are averaged, so that a change of machine load shows as a spread.
// Prints a table and one JSON line for docs/BENCHMARKS.md. Not a test: nothing fails on time.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv[2] ?? 200);
const require = createRequire(import.meta.url);
const ikd = require(join(root, "ikd-wasm", "pkg", "node", "ikd_wasm.js"));

function native() {
  const out = execFileSync(
    "cargo",
    ["run", "-q", "--release", "-p", "ikd-wasm", "--example", "native_verify", "--", String(rounds)],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  );
  return JSON.parse(out.trim().split("\n").pop());
}

const casesDir = join(root, "test-vectors", "cases");
const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(casesDir, f), "utf8")))
  .filter(
    (c) =>
      c.expected.verdict === "VALID" &&
      c.trust_store &&
      !c.input.seen_before &&
      !c.input.policy &&
      c.input.challenge === undefined,
  );
const work = cases.map((c) => ({
  verifier: new ikd.Verifier(JSON.stringify(c.trust_store)),
  text: c.input.qr_text,
  now: Date.parse(c.clock) / 1000,
}));
for (const w of work) {
  if (w.verifier.verify(w.text, w.now).verdict !== "VALID") throw new Error("a VALID vector did not verify");
}

const before = native();
let best = Infinity;
for (let batch = 0; batch < 5; batch++) {
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const w of work) w.verifier.verify(w.text, w.now);
  }
  best = Math.min(best, ((performance.now() - t0) * 1000) / (rounds * work.length));
}
const after = native();

const core = (before.core_verify_us + after.core_verify_us) / 2;
const binding = (before.binding_verify_us + after.binding_verify_us) / 2;
const result = {
  texts: work.length,
  rounds,
  node: process.version,
  wasm_verify_us: +best.toFixed(2),
  native_core_verify_us: +core.toFixed(2),
  native_core_verify_us_runs: [+before.core_verify_us.toFixed(2), +after.core_verify_us.toFixed(2)],
  native_binding_verify_us: +binding.toFixed(2),
  ratio_to_core_verify: +(best / core).toFixed(3),
  ratio_to_native_binding: +(best / binding).toFixed(3),
};
console.log(`texts ${result.texts} × ${rounds} rounds, fastest of 5 batches`);
console.log(`wasm (Node ${process.version}) Verifier.verify  ${result.wasm_verify_us} µs`);
console.log(`native Verifier::verify (core)       ${result.native_core_verify_us} µs (runs ${result.native_core_verify_us_runs.join(", ")})`);
console.log(`native Session::verify (+ JSON view)  ${result.native_binding_verify_us} µs`);
console.log(`ratio wasm / native core verify       ${result.ratio_to_core_verify} (goal ≤ 2.0)`);
console.log(JSON.stringify(result));
