// The speed of the web build in the browser (scripts/bench-wasm.mjs runs it through
// run.mjs bench, between two native runs): the VALID trust-store credential vectors, each
// `rounds` times per batch, fastest of five batches, as bench-wasm.mjs does in Node; `decode`
// alone; and the sequential latency of WebCrypto's Ed25519 verify (crypto.subtle, async), the
// candidate for an external signature check. A benchmark: nothing here fails on time.
import init, * as ikd from "/ikd-server/static/wasm/ikd_wasm.js";
import { loadCases, nowOf, report } from "./common.mjs";

const rounds = Number(new URLSearchParams(location.search).get("rounds") ?? 200);

/** Fastest of five batches of `n` calls of `f`, in µs per call. */
function best(n, f) {
  let fastest = Infinity;
  for (let batch = 0; batch < 5; batch++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(i);
    fastest = Math.min(fastest, ((performance.now() - t0) * 1000) / n);
  }
  return fastest;
}

async function bestAsync(n, f) {
  let fastest = Infinity;
  for (let batch = 0; batch < 5; batch++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    fastest = Math.min(fastest, ((performance.now() - t0) * 1000) / n);
  }
  return fastest;
}

try {
  await init();
  const cases = (await loadCases()).filter(
    (c) => c.expected.verdict === "VALID" && c.trust_store && !c.input.seen_before && !c.input.policy && c.input.challenge === undefined,
  );
  const work = cases.map((c) => ({
    verifier: new ikd.Verifier(JSON.stringify(c.trust_store)),
    text: c.input.qr_text,
    now: nowOf(c),
  }));
  for (const w of work) {
    if (w.verifier.verify(w.text, w.now).verdict !== "VALID") throw new Error("a VALID vector did not verify");
  }
  const verify = best(rounds * work.length, (i) => {
    const w = work[i % work.length];
    w.verifier.verify(w.text, w.now);
  });
  const decode = best(rounds * work.length, (i) => ikd.decode(work[i % work.length].text));

  // WebCrypto Ed25519 (Chromium 137+ without a flag): one key, a credential-sized message.
  let webcrypto = null;
  try {
    const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const message = new TextEncoder().encode(work[0].text).slice(0, 300);
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, keys.privateKey, message);
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, keys.publicKey, signature, message))) throw new Error("no");
    const n = Math.max(200, rounds);
    const sequential = await bestAsync(n, () => crypto.subtle.verify({ name: "Ed25519" }, keys.publicKey, signature, message));
    let parallel = Infinity;
    for (let batch = 0; batch < 5; batch++) {
      const t0 = performance.now();
      await Promise.all(Array.from({ length: n }, () => crypto.subtle.verify({ name: "Ed25519" }, keys.publicKey, signature, message)));
      parallel = Math.min(parallel, ((performance.now() - t0) * 1000) / n);
    }
    webcrypto = { sequential_us: +sequential.toFixed(2), concurrent_us: +parallel.toFixed(2) };
  } catch (e) {
    webcrypto = { error: String(e) };
  }

  await report({
    browser: navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent,
    texts: work.length,
    rounds,
    wasm_verify_us: +verify.toFixed(2),
    wasm_decode_us: +decode.toFixed(2),
    webcrypto_ed25519_verify: webcrypto,
  });
} catch (e) {
  await report({ error: String(e && e.stack ? e.stack.split("\n")[0] : e) });
}
