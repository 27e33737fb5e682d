// Every test vector through the web build of ikd-wasm in the browser, as
// ikd-wasm/tests/node/vectors.test.mjs does in Node, and the QR reader (ikd-wasm-reader) on
// the image vector, as a file and as a camera frame from a canvas. Loads exactly what the
// counter page serves: ikd-server/static/wasm/ikd_wasm.js and reader/ikd_reader.js.
import init, * as ikd from "/ikd-server/static/wasm/ikd_wasm.js";
import { loadCases, nowOf, optionsOf, report } from "./common.mjs";

const passed = [];
const failed = [];

function check(cond, what) {
  if (!cond) throw new Error(what);
}
function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: ${a}, expected ${e}`);
}
function throwsCode(f, code, what) {
  try {
    f();
  } catch (e) {
    equal(e.name, "IkdError", `${what}: error name`);
    equal(e.code, code, `${what}: error code`);
    check(typeof e.message === "string" && e.message.length > 0, `${what}: a message`);
    return e;
  }
  throw new Error(`${what}: did not throw ${code}`);
}
async function test(name, f) {
  try {
    await f();
    passed.push(name);
  } catch (e) {
    failed.push({ name, error: String(e && e.stack ? e.stack.split("\n")[0] : e) });
  }
}

function verifierOf(c, options) {
  if (c.trust_list) {
    return ikd.Verifier.withTrustList(new TextEncoder().encode(c.trust_list.text), c.trust_list.root_keys, options);
  }
  return new ikd.Verifier(JSON.stringify(c.trust_store), options);
}

let cases = [];
try {
  await init();
  cases = await loadCases();
  await test("the vector set is all there", () => check(cases.length >= 40, `only ${cases.length} vectors`));

  for (const c of cases) {
    await test(`vector ${c.name}`, () => {
      const options = optionsOf(c);
      const now = nowOf(c);
      const text = c.input.qr_text;
      const verifier = verifierOf(c, options);
      equal(
        verifier.listErrors.map((e) => e.code),
        c.expected.list_errors ?? [],
        "lists that did not verify",
      );
      for (const seen of c.input.seen_before ?? []) {
        equal(verifier.verify(seen, now, options).verdict, "VALID", "seen_before");
      }
      const v = verifier.verify(text, now, options);
      equal(v.verdict, c.expected.verdict, `verdict (code ${v.code})`);
      equal(v.code, c.expected.code, "code");
      equal(v.report.length, Object.keys(c.expected.stages).length, "checks reported");
      for (const r of v.report) equal(r.outcome, c.expected.stages[r.check], `check ${r.check}`);
      verifier.free();
      if (!c.input.seen_before) {
        const once = c.trust_list
          ? ikd.verifyWithTrustList(text, new TextEncoder().encode(c.trust_list.text), c.trust_list.root_keys, now, options)
          : ikd.verify(text, JSON.stringify(c.trust_store), now, options);
        equal(once.verdict, c.expected.verdict, "one-call verdict");
        equal(once.code, c.expected.code, "one-call code");
      }
    });
  }

  const valid = cases.find((c) => c.name === "valid-typical-woman");
  await test("verify errors are IkdErrors with the core's codes", () => {
    throwsCode(() => ikd.verify(valid.input.qr_text, "{not json", nowOf(valid)), "trust_bad_json", "bad trust store");
    throwsCode(() => ikd.verify(valid.input.qr_text, JSON.stringify(valid.trust_store), NaN), "bad_argument", "NaN time");
    const id = ikd.verify(valid.input.qr_text, JSON.stringify(valid.trust_store), nowOf(valid));
    const en = ikd.verify(valid.input.qr_text, JSON.stringify(valid.trust_store), nowOf(valid), { lang: "en" });
    equal([id.verdict, id.lang, en.lang], ["VALID", "id", "en"], "languages");
  });

  // The reader, loaded lazily as the counter page does: only now.
  const reader = await import("/ikd-server/static/wasm/reader/ikd_reader.js");
  await reader.default();
  const pngCase = cases.find((c) => c.name === "valid-png-typical-woman");
  const png = new Uint8Array(await (await fetch(`/test-vectors/cases/${pngCase.input.png}`)).arrayBuffer());

  await test("reader: readImage reads the PNG vector, and its text verifies", () => {
    const texts = reader.readImage(png);
    equal(texts, [pngCase.input.qr_text], "texts");
    const v = ikd.verify(texts[0], JSON.stringify(pngCase.trust_store), nowOf(pngCase), optionsOf(pngCase));
    equal([v.verdict, v.code], [pngCase.expected.verdict, pngCase.expected.code], "verdict");
  });

  await test("reader: readFrame reads the PNG vector drawn on a canvas", async () => {
    const bitmap = await createImageBitmap(new Blob([png], { type: "image/png" }));
    // A camera-like frame: the code on a grey background, off centre.
    const canvas = new OffscreenCanvas(bitmap.width + 200, bitmap.height + 120);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#b0b0b0";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 150, 40);
    const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
    equal(reader.readFrame(frame.data, frame.width, frame.height), [pngCase.input.qr_text], "texts (Uint8ClampedArray)");
    const copy = new Uint8Array(frame.data);
    equal(reader.readFrame(copy, frame.width, frame.height, { lang: "en" }), [pngCase.input.qr_text], "texts (Uint8Array)");
  });

  await test("reader: errors are IkdErrors with the core's codes, in Indonesian by default", () => {
    const e = throwsCode(() => reader.readImage(new Uint8Array([1, 2, 3, 4])), "image_unsupported_format", "not an image");
    check(e.message.startsWith("Format gambar tidak didukung"), `Indonesian message: ${e.message}`);
    const en = throwsCode(() => reader.readImage(new Uint8Array([1, 2, 3, 4]), { lang: "en" }), "image_unsupported_format", "en");
    check(en.message.startsWith("image format not supported"), `English message: ${en.message}`);
    throwsCode(() => reader.readImage(png.slice(0, png.length / 2)), "image_corrupt", "truncated PNG");
    throwsCode(() => reader.readImage("not bytes"), "bad_argument", "a string");
    throwsCode(() => reader.readFrame(new Uint8Array(15), 2, 2), "bad_argument", "frame of the wrong length");
    throwsCode(() => reader.readFrame(new Uint8Array(16), 2.5, 2), "bad_argument", "fractional width");
    throwsCode(() => reader.readFrame(new Uint8Array(0), 9000, 10), "image_dimensions_too_large", "too wide");
    throwsCode(() => reader.readFrame(new Uint8ClampedArray(64 * 48 * 4).fill(255), 64, 48), "no_qr_found", "blank frame");
    throwsCode(() => reader.readImage(png, "en"), "bad_argument", "options not an object");
  });
} catch (e) {
  failed.push({ name: "setup", error: String(e && e.stack ? e.stack.split("\n")[0] : e) });
}

await report({ userAgent: navigator.userAgent, vectors: cases.length, tests: passed.length + failed.length, passed: passed.length, failed });
