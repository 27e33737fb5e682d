// The reader module (ikd-wasm/pkg/reader, the web build scripts/build-wasm.sh makes) in Node,
// initialised from its bytes: the PNG vector, a blank RGBA frame, and the errors.
// Run: node --test ikd-wasm-reader/tests/node/   (scripts/test-wasm.sh builds first)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const dir = join(root, "ikd-wasm", "pkg", "reader");
const reader = await import(join(dir, "ikd_reader.js"));
await reader.default({ module_or_path: readFileSync(join(dir, "ikd_reader_bg.wasm")) });

const cases = join(root, "test-vectors", "cases");
const pngCase = JSON.parse(readFileSync(join(cases, "valid-png-typical-woman.json"), "utf8"));
const png = new Uint8Array(readFileSync(join(cases, pngCase.input.png)));

function throwsCode(f, code) {
  assert.throws(f, (e) => {
    assert.equal(e.name, "IkdError");
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test("readImage reads the PNG vector's text", () => {
  assert.deepEqual(reader.readImage(png), [pngCase.input.qr_text]);
});

// A frame holding the code is read in Chromium (ikd-wasm/tests/browser, from a canvas) and on
// the host (cargo test -p ikd-wasm-reader); Node has no image decoder to make one from the PNG.
test("readFrame of a blank 640×480 frame: no_qr_found", () => {
  const frame = new Uint8ClampedArray(640 * 480 * 4).fill(255);
  throwsCode(() => reader.readFrame(frame, 640, 480), "no_qr_found");
  throwsCode(() => reader.readFrame(new Uint8Array(frame.buffer), 640, 480), "no_qr_found");
});

test("errors carry the core's codes, Indonesian by default and English on request", () => {
  throwsCode(() => reader.readImage(new Uint8Array([1, 2, 3])), "image_unsupported_format");
  assert.throws(
    () => reader.readImage(new Uint8Array([1, 2, 3]), { lang: "en" }),
    (e) => e.code === "image_unsupported_format" && e.message.startsWith("image format not supported"),
  );
  assert.throws(
    () => reader.readImage(new Uint8Array([1, 2, 3])),
    (e) => e.message.startsWith("Format gambar tidak didukung"),
  );
  throwsCode(() => reader.readImage(png.slice(0, png.length >> 1)), "image_corrupt");
  throwsCode(() => reader.readImage([1, 2, 3]), "bad_argument");
  throwsCode(() => reader.readImage(png, { lang: 7 }), "bad_argument");
  throwsCode(() => reader.readFrame(new Uint8Array(15), 2, 2), "bad_argument");
  throwsCode(() => reader.readFrame(new Uint8Array(16), 0, 4), "bad_argument");
  throwsCode(() => reader.readFrame(new Uint8Array(16), NaN, 2), "bad_argument");
  throwsCode(() => reader.readFrame(new Uint8Array(0), 8193, 1), "image_dimensions_too_large");
  throwsCode(() => reader.readFrame(new Uint8Array(0), 4097, 4097), "image_dimensions_too_large");
});
