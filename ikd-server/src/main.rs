//! `ikd-server`: the IKD Verify HTTP service.
//!
//! ```text
//! ikd-server [OPTIONS]                 run the server
//! ikd-server audit-verify [OPTIONS]    check the audit log's hash chain and exit
//! ```
//!
//! `ikd-server --help` lists the options (clap); docs/SERVER.md every setting.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use ikd_server::config::{Config, DEPRECATED_ENV, LogFormat, Overrides};
use ikd_server::logwriter::{self, LogWriter, SharedLog};
use ikd_server::store::{self, SqliteOptions, SqliteStore};
use ikd_server::{App, audit, serve, shutdown_signal};

/// mimalloc: fewer cycles per request than glibc malloc with many short-lived allocations on
/// several threads (measured in docs/SERVER.md §11).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AFTER_HELP: &str = "\
Precedence: flag, then environment variable, then the TOML file (--config), then the default.

More settings, by environment variable or in the TOML file (docs/SERVER.md lists them all):
  IKD_ISSUER_KEY, IKD_ISSUER_NAME, IKD_ADMIN_TOKEN or IKD_ADMIN_TOKEN_FILE (issuing);
  IKD_TRUST_LIST_FILE, IKD_ROOT_KEYS, IKD_UPSTREAM_URL, IKD_SYNC_INTERVAL_SECS (signed lists, sync);
  IKD_DATABASE_URL (PostgreSQL); IKD_LOG, IKD_LOG_FORMAT (text|json).
Deprecated names still read: IKD_TRUST_STORE (now IKD_TRUST), IKD_POLICIES_FILE (now IKD_POLICY_FILE).

Exit status: 0 stopped cleanly; 1 server error; 2 usage, configuration or startup error.";

/// ikd-server: offline verification of IKD credentials over HTTP, and the counter page.
#[derive(Debug, Parser)]
#[command(name = "ikd-server", version, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    opts: Opts,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check the audit log's hash chain and exit (0 intact, 1 broken, 2 could not check).
    AuditVerify,
}

/// The command-line settings. Names are the ones `ikd` uses for the same thing (`--trust`,
/// `--policy-file`, `--window`, `--presentation-skew`, `--root`).
#[derive(Debug, Args)]
struct Opts {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE", env = "IKD_CONFIG")]
    config: Option<PathBuf>,
    /// Listen address [default: 127.0.0.1:8080].
    #[arg(long, global = true, value_name = "ADDR", env = "IKD_LISTEN")]
    listen: Option<String>,
    /// Data directory: the SQLite database, demo files, cached lists [default: ./ikd-data].
    #[arg(long, global = true, value_name = "DIR", env = "IKD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The trust store file (see `ikd trust`): the issuers whose credentials verify.
    #[arg(long, global = true, value_name = "FILE", env = "IKD_TRUST")]
    trust: Option<PathBuf>,
    /// Pinned root public key (ikdpk1:...) of the signed trust list; repeatable. Replaces
    /// root_keys / IKD_ROOT_KEYS.
    #[arg(long, global = true, value_name = "KEY")]
    root: Vec<String>,
    /// More service policies for POST /v1/verify, from a JSON file:
    /// [{"name": "...", "required": ["nama", ...], "require_live": true}].
    #[arg(long, global = true, value_name = "FILE", env = "IKD_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    /// How long a live presentation is accepted after the phone signed it, in seconds. 1 to
    /// 900 [default: 90].
    #[arg(long, global = true, value_name = "SECS", env = "IKD_PRESENTATION_WINDOW_SECS",
          value_parser = clap::value_parser!(i64).range(1..=900))]
    window: Option<i64>,
    /// How far ahead of the server's clock a live presentation's time may be, in seconds. 0 to
    /// 300 [default: 30].
    #[arg(long, global = true, value_name = "SECS", env = "IKD_PRESENTATION_SKEW_SECS",
          value_parser = clap::value_parser!(i64).range(0..=300))]
    presentation_skew: Option<i64>,
    /// Demo mode: a local demo issuer, sample credentials, everything marked DEMO.
    #[arg(long, global = true)]
    demo: bool,
    /// Residents for --demo [default: ../shared/reference/residents.json].
    #[arg(long, global = true, value_name = "FILE", env = "IKD_DEMO_RESIDENTS")]
    demo_residents: Option<PathBuf>,
}

/// Parses the command line. An environment variable set to an empty (or blank) value counts as
/// unset, as it always has for the `IKD_*` variables the configuration reads.
fn parse_cli() -> Cli {
    let cmd = Cli::command().mut_args(|a| {
        let blank = a.get_env().and_then(std::env::var_os).is_some_and(|v| v.to_string_lossy().trim().is_empty());
        if blank { a.env(None::<&'static str>) } else { a }
    });
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

impl Opts {
    fn into_overrides(self) -> Overrides {
        Overrides {
            config: self.config,
            listen: self.listen,
            data_dir: self.data_dir,
            demo: self.demo,
            demo_residents: self.demo_residents,
            trust: self.trust,
            policy_file: self.policy_file,
            window: self.window,
            presentation_skew: self.presentation_skew,
            root: self.root,
        }
    }
}

/// Logs to standard output through the buffered writer (`ikd_server::logwriter`); returns it,
/// so that `main` writes out what it holds before the process ends.
fn init_logging(config: &Config) -> Arc<LogWriter<std::io::Stdout>> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let log = Arc::new(LogWriter::new(std::io::stdout()));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(SharedLog(Arc::clone(&log)));
    match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
        LogFormat::Text => builder.with_ansi(false).init(),
    }
    if let Err(e) = logwriter::start_flusher(Arc::clone(&log)) {
        // Without the thread, lines wait for a warning, a full buffer or the end.
        tracing::warn!(error = %e, "cannot start the log flusher thread");
    }
    // A panic writes out the lines before it first.
    let held = Arc::clone(&log);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        held.flush();
        default_hook(info);
    }));
    log
}

/// Logs a warning for each deprecated environment variable that is set.
fn warn_deprecated() {
    for (old, current) in DEPRECATED_ENV {
        if env_var(old).is_some_and(|v| !v.trim().is_empty()) {
            tracing::warn!("{old} is deprecated and will be removed: use {current} (or the matching flag) instead");
            eprintln!("ikd-server: warning: {old} is deprecated: use {current} instead");
        }
    }
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

fn main() -> ExitCode {
    // Usage errors exit 2 with clap's message; --help and --version exit 0.
    let cli = parse_cli();
    let over = cli.opts.into_overrides();
    let config = match Config::load(&over, &env_var) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ikd-server: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ikd-server: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let mut log = None;
    let code = match cli.command {
        Some(Command::AuditVerify) => rt.block_on(audit_verify(&config)),
        None => {
            log = Some(init_logging(&config));
            warn_deprecated();
            rt.block_on(run(config))
        }
    };
    // An image decode still running on the blocking pool (its request was closed at the end of
    // the shutdown grace) must not hold the exit: dropping the runtime would wait for it.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    if let Some(log) = log {
        log.flush();
    }
    code
}

async fn audit_verify(config: &Config) -> ExitCode {
    let dir = if config.demo { config.data_dir.join("demo") } else { config.data_dir.clone() };
    // PostgreSQL when configured (the demo always has its own SQLite file).
    let opened = match (&config.database_url, config.demo) {
        (Some(_), false) => config.open_store(true).await,
        _ => SqliteStore::open(&dir, SqliteOptions { read_only: true, ..SqliteOptions::default() })
            .map(|s| std::sync::Arc::new(s) as std::sync::Arc<dyn store::Store>),
    };
    let store = match opened {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ikd-server audit-verify: {e}");
            return ExitCode::from(2);
        }
    };
    // With a checkpoint key (the server's secret key file, or its public key file for an
    // auditor) the signed checkpoints are checked too.
    let key = match &config.audit_checkpoint_key {
        Some(p) => match audit::checkpoint_public_key(p) {
            Ok(k) => Some(k),
            Err(e) => {
                eprintln!("ikd-server audit-verify: {e}");
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    match audit::verify_chain_with(store.as_ref(), key.as_ref()).await {
        Ok(r) => {
            println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            if r.ok {
                eprintln!("audit chain intact: {} entries, head {} ({})", r.entries, r.head_seq, r.head_hash);
                match (r.checkpoints, r.last_checkpoint_seq) {
                    (None, _) => eprintln!(
                        "signed checkpoints not checked (no audit_checkpoint_key): a cut-off tail or a rewritten chain is not detected"
                    ),
                    (Some(n), Some(last)) => {
                        eprintln!("{n} signed checkpoint(s) match; the newest covers entry {last}")
                    }
                    (Some(_), None) => eprintln!("no signed checkpoint found for this key"),
                }
                ExitCode::SUCCESS
            } else {
                eprintln!("AUDIT CHAIN BROKEN: {}", r.problem.as_deref().unwrap_or("unknown problem"));
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("ikd-server audit-verify: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run(config: Config) -> ExitCode {
    let app = match App::from_config(&config).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            eprintln!("ikd-server: cannot start: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, listen = %config.listen, "cannot listen");
            eprintln!("ikd-server: cannot listen on {}: {e}", config.listen);
            return ExitCode::from(2);
        }
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| config.listen.to_string());
    for line in &app.banner {
        eprintln!("{line}");
    }
    eprintln!("Listening on http://{addr}/ (counter page); API under /v1; docs/SERVER.md describes it");
    tracing::info!(
        listen = %addr,
        demo = config.demo,
        trusted_issuers = app.state.verifier.trust_store().issuers().len(),
        issuing = app.state.issuer.is_some(),
        "ikd-server started"
    );
    match serve(app, listener, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::from(1)
        }
    }
}
