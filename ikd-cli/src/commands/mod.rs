//! One module per `ikd` command (`docs/CLI.md`). Commands use `crate::ctx` and
//! `crate::support`; neither of those uses a command.

pub mod batch;
pub mod demo;
pub mod inspect;
pub mod issue;
pub mod key;
pub mod policies;
pub mod present;
pub mod qr;
pub mod residents_gen;
pub mod statuscmd;
pub mod sync;
pub mod trust;
pub mod trustlist;
pub mod verify;
