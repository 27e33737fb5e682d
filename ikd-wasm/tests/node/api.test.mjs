// The package's list decisions, replay memory and presentation building in Node (issue 15):
// decideTrustList / decideStatusList, Verifier.exportReplay / importReplay (and the
// file-backed helper ikd-wasm/js/replay-file.mjs), preparePresentation / finishPresentation /
// staticPresentation, with every error code. Lists come from fixtures/lists.json, signed by
// ikd-wasm/tests/api.rs. Run: node --test ikd-wasm/tests/node/ (scripts/test-wasm.sh builds first)
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadReplay, openFileReplay, saveReplay } from "../../js/replay-file.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ikd = require(join(here, "..", "..", "pkg", "node", "ikd_wasm.js"));
const casesDir = join(here, "..", "..", "..", "test-vectors", "cases");
const fx = JSON.parse(readFileSync(join(here, "fixtures", "lists.json"), "utf8"));
const list = (name) => new Uint8Array(Buffer.from(fx.lists[name], "base64"));
const A = fx.roots.a;
const B = fx.roots.b;
const vector = (name) => JSON.parse(readFileSync(join(casesDir, `${name}.json`), "utf8"));
const nowOf = (c) => Date.parse(c.clock) / 1000;

function throwsCode(fn, code) {
  assert.throws(fn, (e) => {
    assert.equal(e.name, "IkdError");
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.length > 0);
    return true;
  });
}

// ---- Trust lists and status lists ----

test("decideTrustList: first, unchanged, successor, hand-over, re-pin", () => {
  let v = ikd.decideTrustList(null, list("tl1"), [A], fx.now);
  assert.equal(v.accept, true);
  assert.equal(v.decision, "first");
  assert.equal(v.code, null);
  assert.equal(v.sequence, 1);
  assert.equal(v.list, "trust_list");
  assert.equal(v.freshness, "fresh");
  assert.equal(v.age_secs, 86400);
  assert.deepEqual(v.roots, [A]);
  assert.equal(ikd.decideTrustList(list("tl1"), list("tl1"), [A], fx.now).decision, "unchanged");
  v = ikd.decideTrustList(list("tl1"), list("tl2"), [A], fx.now);
  assert.equal(v.decision, "successor");
  assert.equal(v.held_sequence, 1);
  // tl2 hands over to root b: tl3 (signed by b) follows it; the roots to keep become [b].
  v = ikd.decideTrustList(list("tl2"), list("tl3"), [A], fx.now);
  assert.equal(v.decision, "successor");
  assert.deepEqual(v.roots, [B]);
  // Held tl3 verifies only with those roots kept beside it (options.heldRoots).
  v = ikd.decideTrustList(list("tl3"), list("tl3"), [A], fx.now);
  assert.equal(v.held_error, "trust_list_unknown_root");
  assert.equal(ikd.decideTrustList(list("tl3"), list("tl3"), [A], fx.now, { heldRoots: v.roots.length ? v.roots : [B] }).decision, "unchanged");
  // A list by a root tl1 never announced: refused, unless the operator re-pins.
  v = ikd.decideTrustList(list("tl1"), list("tl_by_b_only"), [B], fx.now, { heldRoots: [A] });
  assert.equal(v.accept, false);
  assert.equal(v.code, "trust_list_unknown_root");
  v = ikd.decideTrustList(list("tl1"), list("tl_by_b_only"), [B], fx.now, { heldRoots: [A], repin: true });
  assert.equal(v.decision, "repinned");
});

test("decideTrustList: refusals carry their code and a message in the language asked", () => {
  let v = ikd.decideTrustList(list("tl2"), list("tl1"), [A], fx.now);
  assert.equal(v.accept, false);
  assert.equal(v.decision, null);
  assert.equal(v.code, "trust_list_rollback");
  assert.equal(v.sequence, null);
  const id = v.message;
  v = ikd.decideTrustList(list("tl2"), list("tl1"), [A], fx.now, { lang: "en" });
  assert.notEqual(v.message, id);
  assert.match(v.message, /older/);
  assert.equal(ikd.decideTrustList(null, list("tl3"), [A], fx.now).code, "trust_list_unknown_root");
  assert.equal(ikd.decideTrustList(null, new TextEncoder().encode("junk"), [A], fx.now).code, "trust_list_malformed");
  assert.equal(ikd.decideTrustList(null, new Uint8Array((4 << 20) + 1), [A], fx.now).code, "trust_list_too_large");
});

test("decideTrustList / decideStatusList: unusable arguments throw", () => {
  throwsCode(() => ikd.decideTrustList(null, list("tl1"), ["ikdpk1:nope"], fx.now), "key_wrong_length");
  throwsCode(() => ikd.decideTrustList(null, list("tl1"), [A], NaN), "bad_argument");
  throwsCode(() => ikd.decideTrustList(null, list("tl1"), [A], fx.now, { repin: "yes" }), "bad_argument");
  throwsCode(() => ikd.decideTrustList(null, list("tl1"), [A], fx.now, { heldRoots: A }), "bad_argument");
  throwsCode(() => ikd.decideTrustList(null, list("tl1"), [A], fx.now, { heldRoots: [7] }), "bad_argument");
  throwsCode(() => ikd.decideStatusList(null, list("sl1"), list("tl1"), [A], fx.now, { skewSeconds: -1 }), "bad_argument");
  throwsCode(() => ikd.decideStatusList(null, list("sl1"), list("tl1"), [A], Infinity), "bad_argument");
});

test("decideStatusList: first, successor and every refusal", () => {
  const st = (held, offered, opts) => ikd.decideStatusList(held && list(held), list(offered), list("tl1"), [A], fx.now, opts);
  let v = st(null, "sl1");
  assert.equal(v.list, "status_list");
  assert.equal(v.decision, "first");
  assert.equal(v.expires_at, "2026-11-28T00:00:00Z");
  assert.match(v.key_id, /^[0-9a-f]+$/);
  v = st("sl1", "sl2");
  assert.equal(v.decision, "successor");
  assert.equal(v.held_sequence, 1);
  assert.equal(st("sl2", "sl2").decision, "unchanged");
  assert.equal(st("sl2", "sl_lifted").code, "status_revocation_lifted");
  assert.equal(st("sl2", "sl1").code, "status_rollback");
  assert.equal(st("sl2", "sl_future").code, "status_issued_in_future");
  assert.equal(st("sl2", "sl_future", { skewSeconds: 86400 }).decision, "successor");
  assert.equal(st("sl1", "sl_bad_signature").code, "status_bad_signature");
  // A held list that does not verify is treated as absent and named.
  v = st("sl_bad_signature", "sl1");
  assert.equal(v.decision, "first");
  assert.equal(v.held_error, "status_bad_signature");
  // The trust list must verify under the pinned roots (or the roots kept beside it).
  v = ikd.decideStatusList(null, list("sl1"), list("tl3"), [A], fx.now);
  assert.equal(v.accept, false);
  assert.equal(v.code, "trust_list_unknown_root");
  assert.equal(ikd.decideStatusList(null, list("sl1"), list("tl3"), [A], fx.now, { heldRoots: [B] }).decision, "first");
});

// ---- Replay memory ----

const replayed = vector("presentation-replayed");
const replayText = replayed.input.qr_text;
const replayStore = JSON.stringify(replayed.trust_store);
const replayNow = nowOf(replayed);

test("exportReplay / importReplay: a live code accepted before a reload is refused after it", () => {
  const first = new ikd.Verifier(replayStore);
  assert.equal(first.verify(replayText, replayNow).verdict, "VALID");
  const saved = first.exportReplay();
  assert.ok(saved instanceof Uint8Array);
  assert.equal(saved.length, 9 + 40);
  assert.deepEqual([...saved.slice(0, 5)], [0x49, 0x4b, 0x44, 0x52, 1]); // "IKDR", version 1
  const reloaded = new ikd.Verifier(replayStore);
  assert.equal(reloaded.importReplay(saved, replayNow + 1), 1);
  const again = reloaded.verify(replayText, replayNow + 2);
  assert.equal(again.verdict, "INVALID");
  assert.equal(again.code, "presentation_replayed");
  // Without the import, a new verifier would accept it: the import is what refuses it.
  assert.equal(new ikd.Verifier(replayStore).verify(replayText, replayNow + 2).verdict, "VALID");
  // Past the window nothing is exported; importing the same bytes again adds nothing.
  assert.equal(first.exportReplay(replayNow + 3600).length, 9);
  assert.equal(reloaded.importReplay(saved, replayNow + 3), 0);
});

test("importReplay: bad bytes throw replay_state_* and change nothing", () => {
  const v = new ikd.Verifier(replayStore);
  assert.equal(v.verify(replayText, replayNow).verdict, "VALID");
  const good = v.exportReplay();
  const wrongVersion = good.slice();
  wrongVersion[4] = 9;
  throwsCode(() => v.importReplay(new TextEncoder().encode("not replay state"), replayNow), "replay_state_invalid");
  throwsCode(() => v.importReplay(good.slice(0, good.length - 1), replayNow), "replay_state_invalid");
  throwsCode(() => v.importReplay(new Uint8Array(0), replayNow), "replay_state_invalid");
  throwsCode(() => v.importReplay(wrongVersion, replayNow), "replay_state_version");
  throwsCode(() => v.importReplay(new Uint8Array(9 + 40 * 100000 + 1), replayNow), "replay_state_too_large");
  throwsCode(() => v.importReplay(good, NaN), "bad_argument");
  throwsCode(() => v.exportReplay(NaN), "bad_argument");
  // A state that would overfill the memory: 100 000 live entries (the capacity) beside the one held.
  const n = 100000;
  const full = new Uint8Array(9 + 40 * n);
  full.set([0x49, 0x4b, 0x44, 0x52, 1]);
  new DataView(full.buffer).setUint32(5, n);
  for (let i = 0; i < n; i++) {
    const o = 9 + 40 * i;
    new DataView(full.buffer).setUint32(o + 12, i + 1); // ids ascending
    new DataView(full.buffer).setUint32(o + 28, i + 1); // owners
    new DataView(full.buffer).setBigInt64(o + 32, BigInt(replayNow + 60));
  }
  throwsCode(() => v.importReplay(full, replayNow), "replay_state_full");
  // The message follows options.lang.
  try {
    v.importReplay(wrongVersion, replayNow, { lang: "en" });
  } catch (e) {
    assert.match(e.message, /version/);
  }
  // Still remembered after every refused import.
  assert.equal(v.verify(replayText, replayNow + 1).code, "presentation_replayed");
});

test("replay-file.mjs: the memory survives a restart in a file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ikd-replay-"));
  try {
    const path = join(dir, "replay.bin");
    const first = openFileReplay(new ikd.Verifier(replayStore), path, replayNow);
    assert.equal(existsSync(path), false, "nothing saved before a live code is accepted");
    assert.equal(first.verify(replayText, replayNow).verdict, "VALID");
    assert.equal(readFileSync(path).length, 49, "saved after the VALID live code");
    assert.deepEqual(readdirSync(dir), ["replay.bin"], "no temporary file left");
    // "Restart": a new process would do exactly this.
    const second = openFileReplay(new ikd.Verifier(replayStore), path, replayNow + 5);
    assert.equal(second.verify(replayText, replayNow + 6).code, "presentation_replayed");
    // The lower-level pair, and a missing file is an empty memory.
    const v = new ikd.Verifier(replayStore);
    assert.equal(loadReplay(v, join(dir, "absent.bin"), replayNow), 0);
    assert.equal(loadReplay(v, path, replayNow + 7), 1);
    assert.equal(saveReplay(v, join(dir, "copy.bin"), replayNow + 7), 49);
    // A damaged file is an error, not an empty memory.
    writeFileSync(path, "garbage");
    throwsCode(() => openFileReplay(new ikd.Verifier(replayStore), path, replayNow), "replay_state_invalid");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- Presentations signed outside the package ----

const HOLDER_SEED = Buffer.alloc(32, 0x48); // the test vectors' holder key (test-vectors crate)

async function holderKey(seed = HOLDER_SEED) {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  return crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
}

async function present(text, disclose, now, challenge, seed) {
  const prepared = ikd.preparePresentation(text, disclose, now, challenge);
  const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", await holderKey(seed), prepared.signingBytes));
  return { prepared, sig };
}

test("preparePresentation / finishPresentation: signed with WebCrypto, verified by the package", async () => {
  const c = vector("valid-typical-woman");
  const now = nowOf(c);
  const { prepared, sig } = await present(c.input.qr_text, ["nama", "foto", "age_over_17"], now, "loket-7");
  assert.match(prepared.holderPublicKey, /^ikdpk1:/);
  assert.equal(prepared.holderPublicKeyRaw.length, 32);
  assert.equal(prepared.signedAtUnixSeconds, now);
  assert.deepEqual(prepared.disclosed, ["nama", "age_over_17", "foto"]);
  assert.equal(ikd.decode(c.input.qr_text).holder_key, prepared.holderPublicKey);
  const text = ikd.finishPresentation(prepared, sig);
  assert.match(text, /^IKD1:/);
  const verifier = new ikd.Verifier(JSON.stringify(c.trust_store));
  const v = verifier.verify(text, now + 2, { policy: "apotek", challenge: "loket-7" });
  assert.equal(v.verdict, "VALID", v.code);
  assert.equal(v.kind, "presentation");
  assert.equal(v.live, true);
  assert.deepEqual(v.withheld.length, 13);
  assert.equal(verifier.verify(text, now + 3, { policy: "apotek", challenge: "loket-7" }).code, "presentation_replayed");
  // Challenge as bytes gives the same presentation.
  const asBytes = ikd.preparePresentation(c.input.qr_text, ["nama", "foto", "age_over_17"], now, new TextEncoder().encode("loket-7"));
  assert.deepEqual([...asBytes.signingBytes], [...prepared.signingBytes]);
});

test("every holder-bound VALID credential vector presents live through the package", async () => {
  let n = 0;
  for (const f of readdirSync(casesDir).filter((f) => f.startsWith("valid-") && f.endsWith(".json")).sort()) {
    const c = JSON.parse(readFileSync(join(casesDir, f), "utf8"));
    if (!c.trust_store || c.expected.verdict !== "VALID") continue;
    let info;
    try {
      info = ikd.decode(c.input.qr_text);
    } catch {
      continue;
    }
    if (!info.holder_key) continue;
    const now = nowOf(c);
    const { prepared, sig } = await present(c.input.qr_text, ["nama", "nik"], now);
    const text = ikd.finishPresentation(prepared, sig);
    const v = ikd.verify(text, JSON.stringify(c.trust_store), now + 1, { skewSeconds: c.skew_seconds });
    assert.equal(v.verdict, "VALID", `${f}: ${v.code}`);
    assert.equal(v.live, true, f);
    const s = ikd.staticPresentation(c.input.qr_text, ["nama"]);
    const sv = ikd.verify(s, JSON.stringify(c.trust_store), now, { skewSeconds: c.skew_seconds });
    assert.equal(sv.verdict, "VALID", `${f} static: ${sv.code}`);
    assert.equal(sv.live, false, f);
    n++;
  }
  assert.ok(n >= 8, `only ${n} holder-bound vectors`);
});

test("presentation errors throw their codes", async () => {
  const c = vector("valid-typical-woman");
  const now = nowOf(c);
  const { prepared, sig } = await present(c.input.qr_text, ["nama"], now, undefined, Buffer.alloc(32, 0x49));
  throwsCode(() => ikd.finishPresentation(prepared, sig), "present_holder_signature_invalid");
  throwsCode(() => ikd.finishPresentation(prepared, new Uint8Array(64)), "present_holder_signature_invalid");
  throwsCode(() => ikd.finishPresentation(prepared, new Uint8Array(10)), "present_holder_signature_invalid");
  try {
    ikd.finishPresentation(prepared, new Uint8Array(64), { lang: "en" });
  } catch (e) {
    assert.match(e.message, /holder signature/);
  }
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, [], now), "present_empty_disclosure");
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, ["nama", "hobi"], now), "disclosure_unknown_claim");
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, ["nama"], now, "x".repeat(33)), "present_challenge_too_long");
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, ["nama"], now, 42), "bad_argument");
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, ["nama"], 0), "present_time_out_of_range");
  throwsCode(() => ikd.preparePresentation(c.input.qr_text, ["nama"], NaN), "bad_argument");
  throwsCode(() => ikd.preparePresentation("IKD1:nope", ["nama"], now), "decode_bad_base45");
  const unbound = vector("valid-no-holder-key");
  throwsCode(() => ikd.preparePresentation(unbound.input.qr_text, ["nama"], nowOf(unbound)), "present_no_holder_key");
  throwsCode(() => ikd.staticPresentation(c.input.qr_text, []), "present_empty_disclosure");
  throwsCode(() => ikd.staticPresentation("", ["nama"]), "decode_empty");
});
