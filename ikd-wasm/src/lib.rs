//! # ikd-wasm
//!
//! WebAssembly bindings of [`ikd_core`]'s offline verification, for browsers and Node, built
//! into an npm package by `scripts/build-wasm.sh` (see `docs/WASM.md`).
//!
//! The bindings are thin: every decision (decoding, the checks, the verdict and its code, the
//! verification view with its masking rule, the built-in policies, the trust-list and
//! status-list rules) is ikd-core's. The JS API:
//!
//! * `verify(text, trustStoreJson, nowUnixSeconds, options?)` → the verification view;
//! * `verifyWithTrustList(text, trustList, pinnedRoots, nowUnixSeconds, options?)` → the same,
//!   against a signed trust list and `options.statusLists`;
//! * `decode(text, options?)` → what a credential says, not verified;
//! * `new Verifier(trustStoreJson, options?)` / `Verifier.withTrustList(…)` with
//!   `.verify(text, nowUnixSeconds, options?)`, whose replay memory lasts as long as the
//!   object, and `.exportReplay()` / `.importReplay(bytes, now)` to carry it across a reload;
//! * `decideTrustList(…)` / `decideStatusList(…)` → the core's `OfferView`: whether a
//!   downloaded list replaces the one held;
//! * `preparePresentation(…)` → the bytes the holder key signs (outside the package), then
//!   `finishPresentation(prepared, signature)` → a live presentation; `staticPresentation(…)`.
//!
//! Errors are thrown as JS `Error`s named `IkdError` with the core's stable `code` and a
//! message in `options.lang` (Bahasa Indonesia by default).
//!
//! [`api`] holds the same functions in plain Rust, so that the host build tests them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
mod js;
