//! `ikd issue --batch`: a JSON Lines file of claims to a directory of credentials, resumable.
//!
//! The out-dir holds `NNNNNN.ikd` (one per input line), `manifest.jsonl` (rewritten at the end
//! of every run) and `journal.jsonl`, the durable record of progress:
//!
//! * `{"op":"start", …}` names the input's SHA-256 and the key id; a resume with another input
//!   or key is refused.
//! * `{"op":"reserve","line":N,"serial":S,"status_index":I}` is written and synced for every
//!   line to issue **before** anything is signed. Serials come from the key's state file, which
//!   is advanced (and synced) first, so a serial is never handed out twice.
//! * `{"op":"done","line":N,…,"credential":"IKD1:…"}` is written and synced after each chunk.
//!
//! On resume, done lines are skipped (their files rewritten from the journal if missing), lines
//! reserved but not done are signed again with their reserved serial, and only new lines take
//! new serials. A line is therefore never issued under two serials.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use ikd_core::{Lang, Serial, StatusIndex, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::commands::issue::{Validity, issue_error, load_issuer, plan_error};
use crate::ctx::Ctx;
use crate::support::claimsio::{self, Record};
use crate::support::error::{CliError, CliResult, EXIT_USAGE, IoAction};
use crate::support::fsutil;
use crate::support::keys;
use crate::support::progress;
use crate::support::when::parse_when;
use crate::tr;

/// Lines signed between two journal syncs.
const CHUNK: usize = 64;
/// Test-only hook: exit (status 99) after this many credentials are signed in this run,
/// simulating a crash mid-batch.
const ABORT_ENV: &str = "IKD_TEST_ABORT_AFTER";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Entry {
    Start { version: u64, input_sha256: String, key_id: String, started_at: String },
    Resume { at: String },
    Reserve { line: usize, serial: u64, status_index: u32 },
    Done { line: usize, serial: u64, status_index: u32, file: String, credential: String },
}

#[derive(Debug, Serialize)]
struct ManifestLine<'a> {
    line: usize,
    case: Option<&'a str>,
    file: &'a str,
    key_id: &'a str,
    serial: u64,
    status_index: u32,
    nik: String,
    credential: &'a str,
}

struct Journal {
    file: File,
    path: std::path::PathBuf,
}

impl Journal {
    fn append(&mut self, lang: Lang, entries: &[Entry]) -> CliResult<()> {
        let mut buf = String::new();
        for e in entries {
            buf.push_str(&serde_json::to_string(e).unwrap_or_default());
            buf.push('\n');
        }
        self.file
            .write_all(buf.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| CliError::io(lang, &self.path, IoAction::Write, &e))
    }
}

/// Opens the journal for appending: created 0600, never through a symbolic link, and an older
/// one made 0600 if it was wider.
fn open_journal(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the journal is a symbolic link; refusing to follow it",
        ));
    }
    let f = OpenOptions::new().create(true).append(true).mode(0o600).open(path)?;
    f.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

fn file_name(line: usize) -> String {
    format!("{line:06}.ikd")
}

/// Checks a file name taken from the journal: a plain name inside the out-dir (no folder part,
/// no `..`, not absolute), and not a symbolic link leading out of it. The journal is only
/// data: a damaged or edited one must not make a resume read or write elsewhere.
fn check_journal_file(lang: Lang, dir: &Path, file: &str) -> CliResult<()> {
    use std::path::Component;
    let outside = || {
        CliError::new(
            "batch_journal_path_outside",
            tr!(
                lang,
                "jurnal menyebut berkas `{}` di luar direktori keluaran; tidak dipakai (jurnal rusak atau diubah)",
                "the journal names the file `{}` outside the output directory; not used (the journal is damaged or was edited)",
                file.escape_debug()
            ),
        )
        .field(Some("file".into()))
    };
    let mut comps = Path::new(file).components();
    let plain = matches!((comps.next(), comps.next()), (Some(Component::Normal(_)), None))
        && !file.contains('/')
        && !file.contains('\\')
        && !file.contains('\0');
    if !plain {
        return Err(outside());
    }
    let p = dir.join(file);
    if fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
        let inside = match (fs::canonicalize(dir), fs::canonicalize(&p)) {
            (Ok(d), Ok(t)) => t.parent() == Some(d.as_path()),
            // A dangling link: it leads nowhere inside.
            _ => false,
        };
        if !inside {
            return Err(outside());
        }
    }
    Ok(())
}

/// Reads the journal, with each entry's line number; a torn last line (a crash while
/// appending) is ignored.
fn read_journal(lang: Lang, path: &Path) -> CliResult<Vec<(Entry, usize)>> {
    let text = fsutil::read_text(lang, path)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(l) {
            Ok(e) => out.push((e, i + 1)),
            Err(_) if i + 1 == lines.len() => {}
            Err(e) => {
                return Err(CliError::new(
                    "journal_corrupt",
                    tr!(lang, "jurnal rusak: {}", "the journal is damaged: {}", e),
                )
                .file(path)
                .line(i + 1)
                .column(e.column()));
            }
        }
    }
    Ok(out)
}

/// Runs (or resumes) a batch.
pub fn run(
    ctx: &Ctx,
    key_path: &Path,
    input: &Path,
    dir: &Path,
    validity: &Validity,
    init_state: bool,
    now: Option<&str>,
) -> CliResult<u8> {
    let lang = ctx.lang;
    let issuer = load_issuer(lang, key_path)?;
    let pk = issuer.public_key();
    let key_id = pk.key_id().to_string();
    let text = fsutil::read_text(lang, input)?;
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    let fixed_now = match now {
        Some(s) => Some(parse_when(lang, s, "--now")?),
        None => None,
    };
    let clock = || fixed_now.unwrap_or_else(Timestamp::now);

    // Credentials, journal and manifest hold personal data and salt secrets: a 0700 directory,
    // 0600 files.
    if let fsutil::PrivateDir::Tightened(old) = fsutil::private_dir(lang, dir)? {
        eprintln!(
            "{}",
            tr!(
                lang,
                "ikd: peringatan: {}: direktori ini dapat dibaca pengguna lain (mode {:04o}); diubah menjadi 0700",
                "ikd: warning: {}: other users could read this directory (mode {:04o}); changed to 0700",
                dir.display(),
                old
            )
        );
    }
    let journal_path = dir.join("journal.jsonl");
    let journal_meta = fs::symlink_metadata(&journal_path).ok();
    if journal_meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(CliError::new(
            "batch_journal_path_outside",
            tr!(
                lang,
                "jurnal ini tautan simbolik; tidak diikuti (jurnal harus berkas biasa di direktori keluaran)",
                "the journal is a symbolic link; not followed (the journal must be a plain file in the output directory)"
            ),
        )
        .file(&journal_path));
    }
    let resuming = journal_meta.is_some();
    let mut reserved: BTreeMap<usize, (u64, u32)> = BTreeMap::new();
    let mut done: BTreeMap<usize, (u64, u32, String, String)> = BTreeMap::new();
    if resuming {
        for (e, jline) in read_journal(lang, &journal_path)? {
            match e {
                Entry::Start { input_sha256, key_id: k, .. } => {
                    if input_sha256 != digest {
                        return Err(CliError::new(
                            "batch_input_changed",
                            tr!(
                                lang,
                                "direktori ini milik batch dengan berkas masukan lain (isi berbeda); pakai direktori baru",
                                "this directory belongs to a batch with another input file (different contents); use a new directory"
                            ),
                        )
                        .file(&journal_path));
                    }
                    if k != key_id {
                        return Err(CliError::new(
                            "batch_key_changed",
                            tr!(
                                lang,
                                "batch ini dimulai dengan kunci {}, bukan {}",
                                "this batch was started with key {}, not {}",
                                k,
                                key_id
                            ),
                        )
                        .file(&journal_path));
                    }
                }
                Entry::Resume { .. } => {}
                Entry::Reserve { line, serial, status_index } => {
                    reserved.insert(line, (serial, status_index));
                }
                Entry::Done { line, serial, status_index, file, credential } => {
                    check_journal_file(lang, dir, &file).map_err(|e| e.file(&journal_path).line(jline))?;
                    done.insert(line, (serial, status_index, file, credential));
                }
            }
        }
    }
    let mut journal = Journal {
        file: open_journal(&journal_path).map_err(|e| CliError::io(lang, &journal_path, IoAction::Write, &e))?,
        path: journal_path.clone(),
    };
    if resuming {
        journal.append(lang, &[Entry::Resume { at: clock().to_string() }])?;
    } else {
        journal.append(
            lang,
            &[Entry::Start {
                version: 1,
                input_sha256: digest,
                key_id: key_id.clone(),
                started_at: clock().to_string(),
            }],
        )?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }

    // Parse every line; report bad records with their line and go on.
    let name = input.display().to_string();
    let mut records: Vec<(usize, Record)> = Vec::new();
    let mut errors = 0usize;
    let mut total = 0usize;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        match claimsio::parse_record(lang, line, &name, n, None) {
            Ok(r) => records.push((n, r)),
            Err(e) => {
                errors += 1;
                crate::ctx::report_error(ctx, &e);
            }
        }
    }

    // Done lines: make sure their files exist (they are not synced one by one).
    let mut restored = 0usize;
    for (line, (_, _, file, cred)) in &done {
        let p = dir.join(file);
        let ok = fs::read_to_string(&p).map(|t| t.trim_end() == cred).unwrap_or(false);
        if !ok {
            fsutil::write_private(lang, &p, format!("{cred}\n").as_bytes(), false)?;
            restored += 1;
        }
        let _ = line;
    }

    // Serials: reuse reservations; reserve new ones in one step for the rest.
    let todo: Vec<&(usize, Record)> = records.iter().filter(|(n, _)| !done.contains_key(n)).collect();
    let need_new = todo.iter().filter(|(n, _)| !reserved.contains_key(n)).count() as u64;
    if need_new > 0 {
        let (state, mut next) = keys::reserve_serials(lang, key_path, &pk, need_new, init_state)?;
        let mut entries = Vec::new();
        for (n, _) in &todo {
            if !reserved.contains_key(n) {
                let si = state.status_index(next).ok_or_else(|| keys::unfoldable_serial(lang, next))?;
                reserved.insert(*n, (next, si));
                entries.push(Entry::Reserve { line: *n, serial: next, status_index: si });
                next += 1;
            }
        }
        journal.append(lang, &entries)?;
    }

    let abort_after: Option<usize> = std::env::var(ABORT_ENV).ok().and_then(|v| v.parse().ok());
    let pb = progress::bar(todo.len() as u64, tr!(lang, "menerbitkan", "issuing"));
    let start = Instant::now();
    let mut issued = 0usize;
    let mut first_serial: Option<u64> = None;
    let mut last_serial: Option<u64> = None;
    for group in todo.chunks(CHUNK) {
        let mut entries = Vec::with_capacity(group.len());
        for (n, rec) in group {
            let Some(&(serial, status_index)) = reserved.get(n) else { continue };
            let issued_at = clock();
            let holder = match &rec.holder_key {
                Some(h) => match ikd_core::PublicKey::from_text(h) {
                    Ok(k) => Some(k),
                    Err(e) => {
                        errors += 1;
                        let err = CliError::new(e.code(), e.message(lang))
                            .file(input)
                            .line(*n)
                            .field(Some("holder_key".into()));
                        crate::ctx::report_error(ctx, &err);
                        continue;
                    }
                },
                None => None,
            };
            let Some(serial_v) = Serial::new(serial) else {
                errors += 1;
                crate::ctx::report_error(
                    ctx,
                    &CliError::new("issue_bad_serial", "serial out of range").file(input).line(*n),
                );
                continue;
            };
            // The same issuing rules as `ikd issue` and the server (`ikd_core::issuance::plan`).
            let plan = match validity.plan(&rec.claims, holder, None, issued_at) {
                Ok(p) => p,
                Err(e) => {
                    errors += 1;
                    crate::ctx::report_error(ctx, &plan_error(lang, &e).file(input).line(*n));
                    continue;
                }
            };
            let req = plan.request(serial_v, StatusIndex::new(status_index));
            let cred = match issuer.issue(&req) {
                Ok(c) => c,
                Err(e) => {
                    errors += 1;
                    crate::ctx::report_error(ctx, &issue_error(lang, &e).file(input).line(*n));
                    continue;
                }
            };
            let file = file_name(*n);
            // Written in place, not synced: the journal is the durable copy, and a resume
            // rewrites any file that does not match it.
            let path = dir.join(&file);
            fsutil::write_private(lang, &path, format!("{}\n", cred.text()).as_bytes(), false)?;
            done.insert(*n, (serial, status_index, file.clone(), cred.text().to_owned()));
            entries.push(Entry::Done { line: *n, serial, status_index, file, credential: cred.text().to_owned() });
            issued += 1;
            first_serial = Some(first_serial.map_or(serial, |f| f.min(serial)));
            last_serial = Some(last_serial.map_or(serial, |l| l.max(serial)));
            if abort_after.is_some_and(|a| issued >= a) {
                // Simulated crash: the current chunk's credentials are written but not journaled.
                pb.finish_and_clear();
                std::process::exit(99);
            }
        }
        journal.append(lang, &entries)?;
        pb.inc(group.len() as u64);
    }
    pb.finish_and_clear();
    let secs = start.elapsed().as_secs_f64();

    // The manifest: every issued line, in input order.
    let case_of: BTreeMap<usize, &Record> = records.iter().map(|(n, r)| (*n, r)).collect();
    let mut manifest = String::new();
    for (line, (serial, si, file, cred)) in &done {
        let rec = case_of.get(line);
        let m = ManifestLine {
            line: *line,
            case: rec.and_then(|r| r.case.as_deref()),
            file,
            key_id: &key_id,
            serial: *serial,
            status_index: *si,
            nik: rec.map(|r| r.claims.nik.masked()).unwrap_or_default(),
            credential: cred,
        };
        manifest.push_str(&serde_json::to_string(&m).unwrap_or_default());
        manifest.push('\n');
    }
    fsutil::write_private(lang, &dir.join("manifest.jsonl"), manifest.as_bytes(), true)?;

    let skipped = records.len() - todo.len();
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "summary": {
                "lines": total,
                "issued": issued,
                "already_done": skipped,
                "restored_files": restored,
                "errors": errors,
                "first_serial": first_serial,
                "last_serial": last_serial,
                "out_dir": dir.display().to_string(),
                "resumed": resuming,
            }
        }));
    } else {
        println!(
            "{}",
            tr!(
                lang,
                "Batch{}: {} baris, {} diterbitkan sekarang, {} sudah selesai sebelumnya, {} galat",
                "Batch{}: {} line(s), {} issued now, {} already done before, {} error(s)",
                if resuming { tr!(lang, " (dilanjutkan)", " (resumed)") } else { String::new() },
                total,
                issued,
                skipped,
                errors
            )
        );
        if let (Some(f), Some(l)) = (first_serial, last_serial) {
            println!("{}", tr!(lang, "Nomor seri {} … {}", "Serials {} … {}", f, l));
        }
        println!("{}", tr!(lang, "Daftar: {}", "Manifest: {}", dir.join("manifest.jsonl").display()));
        eprintln!("{}", crate::support::progress::done_in(lang, issued as u64, secs));
    }
    Ok(if errors > 0 { EXIT_USAGE } else { 0 })
}
