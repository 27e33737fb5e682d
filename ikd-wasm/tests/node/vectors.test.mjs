// Every test vector of the test-vectors crate through the Node build of the package
// (ikd-wasm/pkg/node, made by scripts/build-wasm.sh), and the error paths.
// Run: node --test ikd-wasm/tests/node/   (scripts/test-wasm.sh builds first)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ikd = require(join(here, "..", "..", "pkg", "node", "ikd_wasm.js"));
const casesDir = join(here, "..", "..", "..", "test-vectors", "cases");

const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(casesDir, f), "utf8")));

const nowOf = (c) => Date.parse(c.clock) / 1000;

function optionsOf(c) {
  const o = { skewSeconds: c.skew_seconds };
  if (c.input.policy) {
    o.policy = c.input.policy.name;
    o.policies = JSON.stringify([c.input.policy]);
  }
  if (c.input.challenge !== undefined) o.challenge = c.input.challenge;
  if (c.status_lists) o.statusLists = c.status_lists.map((l) => new Uint8Array(Buffer.from(l.base64, "base64")));
  return o;
}

function verifierOf(c, options) {
  if (c.trust_list) {
    const bytes = new TextEncoder().encode(c.trust_list.text);
    return ikd.Verifier.withTrustList(bytes, c.trust_list.root_keys, options);
  }
  return new ikd.Verifier(JSON.stringify(c.trust_store), options);
}

/** Throws unless `f()` throws an IkdError with `code`. */
function assertThrowsCode(f, code) {
  assert.throws(f, (e) => {
    assert.equal(e.name, "IkdError");
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test("the vector set is all there", () => {
  assert.ok(cases.length >= 40, `only ${cases.length} vectors`);
});

for (const c of cases) {
  test(`vector ${c.name}`, () => {
    const options = optionsOf(c);
    const now = nowOf(c);
    const text = c.input.qr_text;
    const verifier = verifierOf(c, options);
    assert.deepEqual(
      verifier.listErrors.map((e) => e.code),
      c.expected.list_errors ?? [],
      "lists that did not verify",
    );
    for (const seen of c.input.seen_before ?? []) {
      assert.equal(verifier.verify(seen, now, options).verdict, "VALID", "seen_before");
    }
    const v = verifier.verify(text, now, options);
    assert.equal(v.verdict, c.expected.verdict, `verdict (code ${v.code})`);
    assert.equal(v.code, c.expected.code);
    assert.equal(v.report.length, Object.keys(c.expected.stages).length, "checks reported");
    for (const r of v.report) assert.equal(r.outcome, c.expected.stages[r.check], `check ${r.check}`);
    // The one-call functions give the same verdict when nothing was seen before.
    if (!c.input.seen_before) {
      const once = c.trust_list
        ? ikd.verifyWithTrustList(text, new TextEncoder().encode(c.trust_list.text), c.trust_list.root_keys, now, options)
        : ikd.verify(text, JSON.stringify(c.trust_store), now, options);
      assert.equal(once.verdict, c.expected.verdict);
      assert.equal(once.code, c.expected.code);
    }
  });
}

const valid = cases.find((c) => c.name === "valid-typical-woman");
const store = JSON.stringify(valid.trust_store);

test("messages are Indonesian by default and English on request", () => {
  const id = ikd.verify(valid.input.qr_text, store, nowOf(valid));
  const en = ikd.verify(valid.input.qr_text, store, nowOf(valid), { lang: "en" });
  assert.equal(id.verdict, "VALID");
  assert.equal(id.lang, "id");
  assert.equal(en.lang, "en");
  // The core's view: the NIK masked by its one rule, claims of a VALID credential.
  assert.ok(id.claims.nik.startsWith("****"));
  assert.equal(id.kind, "credential");
  assert.equal(id.credential.serial, ikd.decode(valid.input.qr_text).serial);
  assert.notEqual(id.message, en.message);
  assertThrowsCode(() => ikd.verify("x", "{", 0, { lang: "en" }), "trust_bad_json");
});

test("bad trust store JSON throws trust_bad_json", () => {
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, "{not json", nowOf(valid)), "trust_bad_json");
  assertThrowsCode(() => new ikd.Verifier("[]"), "trust_bad_json");
});

test("an oversized text is INVALID decode_too_large, and decode throws it", () => {
  const text = "IKD1:" + "A".repeat(100_000);
  const v = ikd.verify(text, store, nowOf(valid));
  assert.equal(v.verdict, "INVALID");
  assert.equal(v.code, "decode_too_large");
  assertThrowsCode(() => ikd.decode(text), "decode_too_large");
});

test("a time that is not a finite number throws bad_argument", () => {
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, NaN), "bad_argument");
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, Infinity), "bad_argument");
});

test("options of the wrong type throw bad_argument", () => {
  const now = nowOf(valid);
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, now, { policy: 7 }), "bad_argument");
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, now, { skewSeconds: -1 }), "bad_argument");
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, now, { challenge: 5 }), "bad_argument");
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, now, "en"), "bad_argument");
  const tl = cases.find((c) => c.name === "status-valid");
  assertThrowsCode(
    () =>
      ikd.verifyWithTrustList(tl.input.qr_text, new TextEncoder().encode(tl.trust_list.text), tl.trust_list.root_keys, now, {
        statusLists: ["not bytes"],
      }),
    "bad_argument",
  );
});

test("an unknown policy throws policy_unknown", () => {
  assertThrowsCode(() => ikd.verify(valid.input.qr_text, store, nowOf(valid), { policy: "kantin" }), "policy_unknown");
});

test("a pinned root that is not a key throws its key code", () => {
  const tl = cases.find((c) => c.name === "status-valid");
  assert.throws(
    () => ikd.verifyWithTrustList(tl.input.qr_text, new TextEncoder().encode(tl.trust_list.text), ["ikdpk1:nope"], 0),
    (e) => e.name === "IkdError" && e.code.startsWith("key_"),
  );
});

test("decode answers what the text says, marked not verified, NIK masked", () => {
  const d = ikd.decode(valid.input.qr_text, { lang: "en" });
  assert.equal(d.verified, false);
  assert.match(d.notice, /NOT VERIFIED/);
  const nik = valid.expected.claims.nik;
  assert.notEqual(d.claims.nik, nik);
  assert.ok(d.claims.nik.endsWith(nik.slice(-4)));
  assert.equal(ikd.decode(valid.input.qr_text, { showNik: true }).claims.nik, nik);
  assertThrowsCode(() => ikd.decode(""), "decode_empty");
  assertThrowsCode(() => ikd.decode("hello"), "decode_wrong_prefix");
  const live = cases.find((c) => c.name === "presentation-live-nama-nik-age");
  assertThrowsCode(() => ikd.decode(live.input.qr_text), "inspect_presentation");
});
