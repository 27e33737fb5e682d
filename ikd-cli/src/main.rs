//! `ikd`: issue, verify, inspect and render IKD credentials (Identitas Kependudukan Digital).
//!
//! Exit status: 0 VALID (or success), 1 INVALID, 2 usage or I/O error, 3 UNDETERMINED.
//! See `docs/CLI.md`.

mod commands;
mod ctx;
mod support;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use ikd_core::Lang;

use crate::commands::{
    demo, inspect, issue, key, present, qr, residents_gen, statuscmd, sync, trust, trustlist, verify,
};
use crate::ctx::{Ctx, report_error};
use crate::support::error::{CliResult, EXIT_USAGE};
use crate::support::{i18n, keys};

/// mimalloc: `ikd verify --batch` allocates for every credential it decodes; glibc malloc was
/// about 5 % of its time (issue 18, docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    /// Bahasa Indonesia.
    Id,
    /// English.
    En,
}

const AFTER_HELP: &str = "\
Exit status: 0 valid (or success), 1 rejected (INVALID), 2 usage or I/O error, 3 undetermined.
Messages are in Bahasa Indonesia unless LC_ALL, LC_MESSAGES or LANG starts with `en`, or --lang en.
Documentation: docs/CLI.md";

const STATUS_AFTER_HELP: &str = "\
Exit status: 0 success; 1 `show`: the list is rejected (bad signature, damaged, another issuer's);
2 usage or I/O error, or a refused edit (lifting a revocation, an index out of range).
The local state is <key>.status.json beside the issuer key. Documentation: docs/CLI.md";

const SYNC_AFTER_HELP: &str = "\
Exit status: 0 every list verified and stored (or unchanged); 2 usage or I/O error, or a download
failed or was rejected (bad signature, damaged, a rollback): the previous good copy is kept.
Cache layout (roots, trust-list.ikdtl, status/<key id>.ikdsl, etags.json, last_sync.json): docs/CLI.md";

/// Issue, verify, inspect and render IKD credentials (Identitas Kependudukan Digital) offline.
#[derive(Debug, Parser)]
#[command(name = "ikd", version, after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    /// Message language (default: from LC_ALL / LC_MESSAGES / LANG; Indonesian unless it starts with `en`).
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    /// Machine-readable JSON on stdout (one JSON document per line).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

// Parsed once per run: the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create key pairs and export public keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Build and inspect the trust store, and sign and inspect trust lists (the issuers a
    /// verifier trusts).
    #[command(subcommand)]
    Trust(TrustCmd),
    /// An issuer's status lists: revoke, suspend and unsuspend credentials, publish the signed
    /// list, show one.
    #[command(subcommand, after_help = STATUS_AFTER_HELP)]
    Status(statuscmd::StatusCmd),
    /// Download the signed trust list and the issuers' status lists into the local cache, for
    /// offline verification (`ikd verify --cache`).
    #[command(after_help = SYNC_AFTER_HELP)]
    Sync(sync::SyncArgs),
    /// Turn claims JSON into a signed credential (one, or a batch from JSON Lines).
    Issue(issue::IssueArgs),
    /// The holder's side: a presentation showing only chosen claims, signed just now with the
    /// holder's phone key (live) or not (static).
    Present(present::PresentArgs),
    /// Check credentials and presentations: from an argument, a text file, a QR image, or stdin
    /// (one per line); with a service policy or a counter challenge.
    Verify(verify::VerifyArgs),
    /// Decode a credential without trusting it: every field, key id, sizes, QR versions.
    Inspect(inspect::InspectArgs),
    /// Render a credential as a QR code: PNG, SVG, or the terminal.
    Qr(qr::QrArgs),
    /// A guided first run in a temporary directory: key, issue, QR, scan, verify, tamper.
    Demo(demo::DemoArgs),
    /// Developer tools (test data generation).
    #[command(subcommand, hide = true)]
    Dev(DevCmd),
}

#[derive(Debug, Subcommand)]
enum KeyCmd {
    /// Create a key pair: FILE (secret, mode 0600), FILE.pub, and for issuers FILE.state.json.
    New(KeyNewArgs),
    /// Print the public key and key id of a key file (secret or .pub).
    Pub(KeyPubArgs),
}

#[derive(Debug, Args)]
struct KeyNewArgs {
    /// The secret key file to create.
    file: PathBuf,
    /// Issuer (signing office), holder (phone) or root (trust list signer) key.
    #[arg(long, value_enum, default_value = "issuer")]
    kind: keys::KeyKind,
    /// The issuing office's name (kept in the state file, printed on cards).
    #[arg(long)]
    name: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
struct KeyPubArgs {
    /// A secret key file, a .pub file, or ikdpk1:… text.
    key: String,
    /// Also write the public key to this file.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum TrustCmd {
    /// Add (or update) a trusted issuer key; creates the store if missing.
    Add(TrustAddArgs),
    /// List the trusted issuers.
    Show(TrustShowArgs),
    /// Remove an issuer by key id.
    Remove(TrustRemoveArgs),
    /// Build and sign a trust list with the root key, from a trust store or a trust list source
    /// file, with scopes, retirements and compromises.
    #[command(
        after_help = "Exit status: 0 signed; 2 usage or I/O error, or a list that would not be a valid successor of the previous one.\nSource format and examples: docs/CLI.md"
    )]
    Sign(trustlist::SignArgs),
    /// Verify a signed trust list against the pinned root key and show every entry, its
    /// sequence, age and freshness.
    #[command(
        after_help = "Exit status: 0 verified; 1 rejected (bad signature, unknown root, damaged); 2 usage or I/O error."
    )]
    Inspect(trustlist::InspectArgs),
}

#[derive(Debug, Args)]
struct TrustAddArgs {
    /// The trust store file.
    #[arg(long, env = "IKD_TRUST")]
    store: PathBuf,
    /// Issuer name, e.g. "DISDUKCAPIL KABUPATEN SERANG".
    #[arg(long)]
    name: String,
    /// The issuer's public key: a .pub file, a secret key file, or ikdpk1:… text.
    #[arg(long)]
    key: String,
    /// Start of the key's validity (RFC 3339 or YYYY-MM-DD; default now).
    #[arg(long)]
    not_before: Option<String>,
    /// End of the key's validity (RFC 3339 or YYYY-MM-DD; default ten years after --not-before).
    #[arg(long)]
    not_after: Option<String>,
}

#[derive(Debug, Args)]
struct TrustShowArgs {
    /// The trust store file.
    #[arg(long, env = "IKD_TRUST")]
    store: PathBuf,
}

#[derive(Debug, Args)]
struct TrustRemoveArgs {
    /// The trust store file.
    #[arg(long, env = "IKD_TRUST")]
    store: PathBuf,
    /// Key id (6 hex digits) or ikdpk1:… public key of the issuer to remove.
    #[arg(long)]
    key_id: String,
}

#[derive(Debug, Subcommand)]
enum DevCmd {
    /// Print N generated residents as claims JSON Lines (synthetic, consistent NIKs).
    GenResidents(residents_gen::GenArgs),
}

fn run(cli: Cli, ctx: &Ctx) -> CliResult<u8> {
    match cli.cmd {
        Cmd::Key(KeyCmd::New(a)) => key::cmd_new(ctx, &a.file, a.kind, a.name.as_deref(), a.force),
        Cmd::Key(KeyCmd::Pub(a)) => key::cmd_pub(ctx, &a.key, a.out.as_deref()),
        Cmd::Trust(TrustCmd::Add(a)) => {
            trust::cmd_add(ctx, &a.store, &a.name, &a.key, a.not_before.as_deref(), a.not_after.as_deref())
        }
        Cmd::Trust(TrustCmd::Show(a)) => trust::cmd_show(ctx, &a.store),
        Cmd::Trust(TrustCmd::Remove(a)) => trust::cmd_remove(ctx, &a.store, &a.key_id),
        Cmd::Trust(TrustCmd::Sign(a)) => trustlist::cmd_sign(ctx, &a),
        Cmd::Trust(TrustCmd::Inspect(a)) => trustlist::cmd_inspect(ctx, &a),
        Cmd::Status(statuscmd::StatusCmd::Show(a)) => statuscmd::cmd_show(ctx, &a),
        Cmd::Status(statuscmd::StatusCmd::Revoke(a)) => {
            statuscmd::cmd_edit(ctx, &a, ikd_core::status::CredentialStatus::Revoked)
        }
        Cmd::Status(statuscmd::StatusCmd::Suspend(a)) => {
            statuscmd::cmd_edit(ctx, &a, ikd_core::status::CredentialStatus::Suspended)
        }
        Cmd::Status(statuscmd::StatusCmd::Unsuspend(a)) => {
            statuscmd::cmd_edit(ctx, &a, ikd_core::status::CredentialStatus::Valid)
        }
        Cmd::Status(statuscmd::StatusCmd::Publish(a)) => statuscmd::cmd_publish(ctx, &a),
        Cmd::Sync(a) => sync::cmd_sync(ctx, &a),
        Cmd::Issue(a) => issue::cmd_issue(ctx, &a),
        Cmd::Present(a) => present::cmd_present(ctx, &a),
        Cmd::Verify(a) => verify::cmd_verify(ctx, &a),
        Cmd::Inspect(a) => inspect::cmd_inspect(ctx, &a),
        Cmd::Qr(a) => qr::cmd_qr(ctx, &a),
        Cmd::Demo(a) => demo::cmd_demo(ctx, &a),
        Cmd::Dev(DevCmd::GenResidents(a)) => residents_gen::cmd_gen(ctx, &a),
    }
}

/// Set when stdout was closed by its reader while `ikd` was still printing.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a panic is `println!`'s "failed printing to stdout: Broken pipe": the reader of
/// stdout went away (`| head`), which ends the run quietly instead of as an internal error.
fn is_broken_pipe_panic(payload: &(dyn std::any::Any + Send)) -> bool {
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    msg.starts_with("failed printing to stdout") && (msg.contains("Broken pipe") || msg.contains("os error 32"))
}

fn main() -> ExitCode {
    // A bug must never show a panic message or backtrace to a user: say so plainly instead.
    // A reader that closed stdout early (`ikd demo | head -2`) is not a bug: `println!` panics
    // on the broken pipe, and the run ends quietly (issue 14).
    std::panic::set_hook(Box::new(|info| {
        if is_broken_pipe_panic(info.payload()) {
            STDOUT_CLOSED.store(true, std::sync::atomic::Ordering::SeqCst);
            return;
        }
        eprintln!("ikd: internal error (this is a bug); please report it / galat internal (ini bug); mohon laporkan");
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let lang = i18n::detect(cli.lang.map(|l| match l {
        LangArg::Id => Lang::Id,
        LangArg::En => Lang::En,
    }));
    let ctx = Ctx { lang, json: cli.json };
    let code = match std::panic::catch_unwind(|| run(cli, &ctx)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            report_error(&ctx, &e);
            e.exit
        }
        Err(_) if STDOUT_CLOSED.load(std::sync::atomic::Ordering::SeqCst) => return ExitCode::SUCCESS,
        Err(_) => EXIT_USAGE,
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}
