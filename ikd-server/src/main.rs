//! `ikd-server`: the IKD Verify HTTP service.
//!
//! ```text
//! ikd-server [--config FILE] [--listen ADDR] [--data-dir DIR] [--demo] [--demo-residents FILE]
//! ikd-server audit-verify [--config FILE] [--data-dir DIR] [--demo]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use ikd_server::config::{Config, LogFormat, Overrides};
use ikd_server::store::{self, SqliteOptions, SqliteStore};
use ikd_server::{App, audit, serve, shutdown_signal};

/// mimalloc: fewer cycles per request than glibc malloc with many short-lived allocations on
/// several threads (measured in docs/SERVER.md §11).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
ikd-server: offline verification of IKD credentials over HTTP, and the counter page

USAGE:
    ikd-server [OPTIONS]                  run the server
    ikd-server audit-verify [OPTIONS]     check the audit log's hash chain and exit
                                          (0 = intact, 1 = broken, 2 = could not check)

OPTIONS:
    --config FILE           TOML configuration (also IKD_CONFIG)
    --listen ADDR           listen address, default 127.0.0.1:8080 (also IKD_LISTEN)
    --data-dir DIR          data directory, default ./ikd-data (also IKD_DATA_DIR)
    --demo                  demo mode: a local demo issuer, sample credentials, everything marked DEMO
    --demo-residents FILE   residents for --demo, default ../shared/reference/residents.json
    -h, --help              this text
    -V, --version           the version

Environment: IKD_TRUST_STORE, IKD_ISSUER_KEY, IKD_ADMIN_TOKEN or IKD_ADMIN_TOKEN_FILE, IKD_LOG,
IKD_LOG_FORMAT (text|json); signed lists and sync: IKD_TRUST_LIST_FILE, IKD_ROOT_KEYS,
IKD_UPSTREAM_URL, IKD_SYNC_INTERVAL_SECS; and more: see docs/SERVER.md.
";

enum Command {
    Serve,
    AuditVerify,
}

fn parse_args() -> Result<Option<(Command, Overrides)>, String> {
    let mut args = std::env::args().skip(1).peekable();
    let mut cmd = Command::Serve;
    if args.peek().map(String::as_str) == Some("audit-verify") {
        args.next();
        cmd = Command::AuditVerify;
    }
    let mut o = Overrides::default();
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("ikd-server {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--config" => o.config = Some(PathBuf::from(value("--config")?)),
            "--listen" => o.listen = Some(value("--listen")?),
            "--data-dir" => o.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--demo-residents" => o.demo_residents = Some(PathBuf::from(value("--demo-residents")?)),
            "--demo" => o.demo = true,
            other => return Err(format!("unknown argument `{other}` (see --help)")),
        }
    }
    Ok(Some((cmd, o)))
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stdout);
    match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
        LogFormat::Text => builder.with_ansi(false).init(),
    }
}

fn env_var(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

fn main() -> ExitCode {
    let (cmd, over) = match parse_args() {
        Ok(Some(x)) => x,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ikd-server: {e}");
            return ExitCode::from(2);
        }
    };
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
    let code = match cmd {
        Command::AuditVerify => rt.block_on(audit_verify(&config)),
        Command::Serve => {
            init_logging(&config);
            rt.block_on(run(config))
        }
    };
    // An image decode still running on the blocking pool (its request was closed at the end of
    // the shutdown grace) must not hold the exit: dropping the runtime would wait for it.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
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
