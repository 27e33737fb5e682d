// File-backed replay memory for an ikd-wasm Verifier in Node (docs/WASM.md, "Replay memory").
//
// A Verifier refuses a live presentation shown a second time, but only for as long as the
// object lives. These helpers keep its memory in a file so that it survives a restart:
//
//   import { Verifier } from "@ikd-verify/ikd-wasm";
//   import { openFileReplay } from "@ikd-verify/ikd-wasm/replay-file";
//   const verifier = openFileReplay(new Verifier(trustStoreJson), "/var/lib/loket/replay.bin", now());
//   const view = verifier.verify(text, now());   // saved after every VALID live presentation
//
// The file holds no personal data: per live presentation, a hash of its holder signature, a
// hash of its holder key and the end of its window (ikd_core::ReplayCache::snapshot). A file
// that is not a replay state is an error (IkdError, code replay_state_*), never silently
// ignored: forgetting the memory could let a replayed code through.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";

/**
 * Adds the replay memory saved at `path` to `verifier`. A missing file is an empty memory.
 * Returns the number of live entries added. Throws the IkdError of a bad file.
 * @param {{ importReplay(bytes: Uint8Array, nowUnixSeconds: number): number }} verifier
 * @param {string} path
 * @param {number} nowUnixSeconds
 */
export function loadReplay(verifier, path, nowUnixSeconds) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if (e && e.code === "ENOENT") return 0;
    throw e;
  }
  return verifier.importReplay(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), nowUnixSeconds);
}

/**
 * Writes `verifier`'s live replay memory to `path` atomically: a temporary file beside it,
 * fsync, rename (a crash leaves the old file or the new one, never half of one). Returns the
 * number of bytes written.
 * @param {{ exportReplay(nowUnixSeconds?: number): Uint8Array }} verifier
 * @param {string} path
 * @param {number} nowUnixSeconds
 */
export function saveReplay(verifier, path, nowUnixSeconds) {
  const bytes = verifier.exportReplay(nowUnixSeconds);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return bytes.length;
}

/**
 * Loads the memory saved at `path` into `verifier` and answers an object whose
 * `verify(text, nowUnixSeconds, options?)` saves it again after every VALID live
 * presentation, before returning the answer. `verifier` stays usable on its own.
 * @param {any} verifier an ikd-wasm Verifier
 * @param {string} path
 * @param {number} nowUnixSeconds
 */
export function openFileReplay(verifier, path, nowUnixSeconds) {
  loadReplay(verifier, path, nowUnixSeconds);
  return {
    verifier,
    verify(text, now, options) {
      const view = verifier.verify(text, now, options);
      if (view.verdict === "VALID" && view.live === true) saveReplay(verifier, path, now);
      return view;
    },
  };
}
