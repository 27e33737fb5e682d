#!/usr/bin/env node
// Speed of the WebAssembly package in Node and in headless Chromium against native
// verification, in the same run on the same machine (issue 15: verify in Node and in headless
// Chromium ≤ 2.0× the native `Verifier::verify`).
//
//   scripts/build-wasm.sh && node scripts/bench-wasm.mjs [ROUNDS]
//
// Every side verifies the same texts: the VALID trust-store credential vectors of
// test-vectors/cases, each ROUNDS times per batch, fastest of five batches. The native side
// (ikd-wasm/examples/native_verify.rs, release build) runs before and after the WebAssembly
// sides and the two native figures are averaged, so that a change of machine load shows as a
// spread. Chromium runs ikd-wasm/tests/browser/bench.html (through run.mjs bench) on the web
// build the counter page serves. Also measured, for the external-signature question
// (docs/BENCHMARKS.md): `decode` alone (no signature), and one Ed25519 verification by the
// platform: Node's OpenSSL (`crypto.verify`, synchronous) and Chromium's WebCrypto
// (`crypto.subtle.verify`, asynchronous, awaited one after another and all at once); and the
// QR reader in Chromium (a PNG file, 1280×720 camera frames).
// Prints a table and one JSON line for docs/BENCHMARKS.md. Not a test: nothing fails on time.
// CHROMIUM=none skips the browser side.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
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

/** Fastest of five batches of ROUNDS × `texts.length` calls of `f`, in µs per call. */
function fastest(f, texts = work) {
  let best = Infinity;
  for (let batch = 0; batch < 5; batch++) {
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const w of texts) f(w);
    }
    best = Math.min(best, ((performance.now() - t0) * 1000) / (rounds * texts.length));
  }
  return best;
}

/** `decode` shows full credentials only: the work without the presentations. */
const credentials = work.filter((w) => {
  try {
    ikd.decode(w.text);
    return true;
  } catch {
    return false;
  }
});

/** Node's own Ed25519 (OpenSSL), one verification of a credential-sized message, key object made once. */
function opensslEd25519() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const message = Buffer.from(work[0].text).subarray(0, 300);
  const signature = crypto.sign(null, message, privateKey);
  if (!crypto.verify(null, message, publicKey, signature)) throw new Error("OpenSSL Ed25519 did not verify");
  return fastest(() => crypto.verify(null, message, publicKey, signature));
}

function chromium() {
  if (process.env.CHROMIUM === "none") return null;
  const out = execFileSync("node", [join(root, "ikd-wasm", "tests", "browser", "run.mjs"), "bench", String(rounds)], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").pop());
}

const before = native();
const best = fastest((w) => w.verifier.verify(w.text, w.now));
const nodeDecode = fastest((w) => ikd.decode(w.text), credentials);
const nodeVerifyCredentials = fastest((w) => w.verifier.verify(w.text, w.now), credentials);
const nodeOpenssl = opensslEd25519();
const browser = chromium();
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
  credentials: credentials.length,
  wasm_verify_credentials_us: +nodeVerifyCredentials.toFixed(2),
  wasm_decode_us: +nodeDecode.toFixed(2),
  node_openssl_ed25519_verify_us: +nodeOpenssl.toFixed(2),
  chromium: browser && {
    ...browser,
    ratio_to_core_verify: +(browser.wasm_verify_us / core).toFixed(3),
  },
};
console.log(`texts ${result.texts} × ${rounds} rounds, fastest of 5 batches`);
console.log(`wasm (Node ${process.version}) Verifier.verify  ${result.wasm_verify_us} µs`);
console.log(`native Verifier::verify (core)       ${result.native_core_verify_us} µs (runs ${result.native_core_verify_us_runs.join(", ")})`);
console.log(`native Session::verify (+ JSON view)  ${result.native_binding_verify_us} µs`);
console.log(`ratio wasm / native core verify       ${result.ratio_to_core_verify} (goal ≤ 2.0)`);
console.log(`wasm (Node), the ${credentials.length} full credentials: verify ${result.wasm_verify_credentials_us} µs, decode alone ${result.wasm_decode_us} µs`);
console.log(`Node crypto.verify Ed25519 (OpenSSL)   ${result.node_openssl_ed25519_verify_us} µs`);
if (browser) {
  const wc = browser.webcrypto_ed25519_verify;
  console.log(`wasm (${browser.browser}) Verifier.verify ${browser.wasm_verify_us} µs, decode ${browser.wasm_decode_us} µs`);
  console.log(`ratio Chromium wasm / native core     ${result.chromium.ratio_to_core_verify} (goal ≤ 2.0)`);
  console.log(
    wc.error
      ? `WebCrypto Ed25519: ${wc.error}`
      : `WebCrypto Ed25519 verify              ${wc.sequential_us} µs awaited one by one, ${wc.concurrent_us} µs each all at once`,
  );
  const r = browser.reader;
  console.log(
    `reader (Chromium): readImage PNG vector ${r.read_image_png_ms} ms; readFrame 1280×720 with the code ${r.read_frame_1280x720_code_ms} ms, empty ${r.read_frame_1280x720_empty_ms} ms`,
  );
}
console.log(JSON.stringify(result));
