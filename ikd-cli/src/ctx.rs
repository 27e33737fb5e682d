//! What every command shares: the run's options ([`Ctx`]), JSON output and error reporting. Commands (`crate::commands`) and helpers (`crate::support`) use this; it
//! uses only `crate::support`.

use std::io::Write;

use ikd_core::Lang;

use crate::support::error::CliError;
use crate::tr;

/// Options every command shares.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Message language.
    pub lang: Lang,
    /// Machine-readable output on stdout.
    pub json: bool,
}

/// Prints one JSON document on stdout (one line, so `--json` streams are JSON Lines).
pub fn print_json(v: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{v}");
    let _ = out.flush();
}

/// Prints an error on stderr (and as JSON on stdout with `--json`).
pub fn report_error(ctx: &Ctx, e: &CliError) {
    let label = tr!(ctx.lang, "galat", "error");
    eprintln!("ikd: {label}: {e}");
    if let Some(f) = &e.location.field
        && !e.message.contains(f.as_str())
    {
        eprintln!("ikd: {}: {f}", tr!(ctx.lang, "kolom", "field"));
    }
    if ctx.json {
        print_json(&e.to_json());
    }
}
