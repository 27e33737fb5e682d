// The browser build (ikd-wasm/pkg/web, an ES module that needs `init`) loaded in Node from
// bytes, as a page would after fetching the module: every vector without `seen_before` gives
// its verdict and code through the one-call functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "..", "..", "pkg", "web");
const ikd = await import(join(web, "ikd_wasm.js"));
await ikd.default({ module_or_path: readFileSync(join(web, "ikd_wasm_bg.wasm")) });

const casesDir = join(here, "..", "..", "..", "test-vectors", "cases");
const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(casesDir, f), "utf8")))
  .filter((c) => !c.input.seen_before);

test("the web build gives every vector's verdict and code", () => {
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const options = { skewSeconds: c.skew_seconds, lang: "en" };
    if (c.input.policy) {
      options.policy = c.input.policy.name;
      options.policies = JSON.stringify([c.input.policy]);
    }
    if (c.input.challenge !== undefined) options.challenge = c.input.challenge;
    if (c.status_lists) options.statusLists = c.status_lists.map((l) => new Uint8Array(Buffer.from(l.base64, "base64")));
    const now = Date.parse(c.clock) / 1000;
    const v = c.trust_list
      ? ikd.verifyWithTrustList(c.input.qr_text, new TextEncoder().encode(c.trust_list.text), c.trust_list.root_keys, now, options)
      : ikd.verify(c.input.qr_text, JSON.stringify(c.trust_store), now, options);
    assert.equal(`${c.name}: ${v.verdict} ${v.code}`, `${c.name}: ${c.expected.verdict} ${c.expected.code}`);
    assert.equal(v.lang, "en");
  }
});

test("the web build throws IkdError with the core's code", () => {
  assert.throws(
    () => ikd.verify("IKD1:", "{", 0),
    (e) => e.name === "IkdError" && e.code === "trust_bad_json",
  );
});
