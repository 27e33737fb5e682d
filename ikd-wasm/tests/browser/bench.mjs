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
  // `decode` shows full credentials only: the work without the presentations.
  const credentials = work.filter((w) => {
    try {
      ikd.decode(w.text);
      return true;
    } catch {
      return false;
    }
  });
  const verifyCredentials = best(rounds * credentials.length, (i) => {
    const w = credentials[i % credentials.length];
    w.verifier.verify(w.text, w.now);
  });
  const decode = best(rounds * credentials.length, (i) => ikd.decode(credentials[i % credentials.length].text));

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

  // The reader: the PNG vector as a file, and 1280×720 camera frames with and without it.
  const reader = await import("/ikd-server/static/wasm/reader/ikd_reader.js");
  await reader.default();
  const pngCase = (await loadCases()).find((c) => c.name === "valid-png-typical-woman");
  const png = new Uint8Array(await (await fetch(`/test-vectors/cases/${pngCase.input.png}`)).arrayBuffer());
  const canvas = new OffscreenCanvas(1280, 720);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#a0a0a0";
  ctx.fillRect(0, 0, 1280, 720);
  const empty = ctx.getImageData(0, 0, 1280, 720).data;
  ctx.drawImage(await createImageBitmap(new Blob([png], { type: "image/png" })), 400, 100);
  const withCode = ctx.getImageData(0, 0, 1280, 720).data;
  if (reader.readFrame(withCode, 1280, 720)[0] !== pngCase.input.qr_text) throw new Error("the reader missed the code");
  const readerFigures = {
    read_image_png_ms: +(best(10, () => reader.readImage(png)) / 1000).toFixed(2),
    png_bytes: png.length,
    read_frame_1280x720_code_ms: +(best(10, () => reader.readFrame(withCode, 1280, 720)) / 1000).toFixed(2),
    read_frame_1280x720_empty_ms: +(
      best(10, () => {
        try {
          reader.readFrame(empty, 1280, 720);
        } catch (e) {
          if (e.code !== "no_qr_found") throw e;
        }
      }) / 1000
    ).toFixed(2),
  };

  await report({
    browser: navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent,
    texts: work.length,
    rounds,
    wasm_verify_us: +verify.toFixed(2),
    credentials: credentials.length,
    wasm_verify_credentials_us: +verifyCredentials.toFixed(2),
    wasm_decode_us: +decode.toFixed(2),
    webcrypto_ed25519_verify: webcrypto,
    reader: readerFigures,
  });
} catch (e) {
  // The reader: the PNG vector as a file, and 1280×720 camera frames with and without it.
  const reader = await import("/ikd-server/static/wasm/reader/ikd_reader.js");
  await reader.default();
  const pngCase = (await loadCases()).find((c) => c.name === "valid-png-typical-woman");
  const png = new Uint8Array(await (await fetch(`/test-vectors/cases/${pngCase.input.png}`)).arrayBuffer());
  const canvas = new OffscreenCanvas(1280, 720);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#a0a0a0";
  ctx.fillRect(0, 0, 1280, 720);
  const empty = ctx.getImageData(0, 0, 1280, 720).data;
  ctx.drawImage(await createImageBitmap(new Blob([png], { type: "image/png" })), 400, 100);
  const withCode = ctx.getImageData(0, 0, 1280, 720).data;
  if (reader.readFrame(withCode, 1280, 720)[0] !== pngCase.input.qr_text) throw new Error("the reader missed the code");
  const readerFigures = {
    read_image_png_ms: +(best(10, () => reader.readImage(png)) / 1000).toFixed(2),
    png_bytes: png.length,
    read_frame_1280x720_code_ms: +(best(10, () => reader.readFrame(withCode, 1280, 720)) / 1000).toFixed(2),
    read_frame_1280x720_empty_ms: +(
      best(10, () => {
        try {
          reader.readFrame(empty, 1280, 720);
        } catch (e) {
          if (e.code !== "no_qr_found") throw e;
        }
      }) / 1000
    ).toFixed(2),
  };

  await report({ error: String(e && e.stack ? e.stack.split("\n")[0] : e) });
}
