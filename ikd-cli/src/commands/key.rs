//! `ikd key new` and `ikd key pub`.

use std::path::Path;

use ikd_core::{PublicKey, SecretKey};

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil::{self, with_suffix};
use crate::support::keys::{KeyKind, State, read_public_key, state_path_for};
use crate::tr;

fn pub_file_text(pk: &PublicKey, kind: KeyKind, name: Option<&str>) -> String {
    let kind = match kind {
        KeyKind::Issuer => "issuer",
        KeyKind::Holder => "holder",
        KeyKind::Root => "root",
    };
    let mut s = format!("# IKD {kind} public key, key id {}\n", pk.key_id());
    if let Some(n) = name {
        s.push_str(&format!("# name: {n}\n"));
    }
    s.push_str(&pk.to_text());
    s.push('\n');
    s
}

/// `ikd key new`.
pub fn cmd_new(ctx: &Ctx, out: &Path, kind: KeyKind, name: Option<&str>, force: bool) -> CliResult<u8> {
    let lang = ctx.lang;
    let key = SecretKey::generate().map_err(|_| {
        CliError::new("random_failed", tr!(lang, "sumber acak sistem gagal", "the system random source failed"))
    })?;
    let pk = key.public_key();
    let pub_path = with_suffix(out, ".pub");
    let taken = [out.to_path_buf(), pub_path.clone()].into_iter().find(|p| p.exists());
    if let (false, Some(taken)) = (force, taken) {
        return Err(CliError::new(
            "io_already_exists",
            tr!(
                lang,
                "berkas sudah ada; tidak ditimpa (pakai --force untuk menimpa)",
                "the file already exists; not overwritten (use --force to overwrite)"
            ),
        )
        .file(&taken));
    }
    let text = key.to_file_text();
    fsutil::write_new(lang, out, text.as_bytes(), 0o600, force)?;
    fsutil::write_atomic(lang, &pub_path, pub_file_text(&pk, kind, name).as_bytes(), 0o644, true)?;
    let mut state_path = None;
    if kind == KeyKind::Issuer {
        let path = state_path_for(out);
        let state = State::fresh(&pk, name.map(str::to_owned))?;
        state.write(lang, &path)?;
        state_path = Some(path);
    }
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "secret_key_file": out.display().to_string(),
            "public_key_file": pub_path.display().to_string(),
            "state_file": state_path.as_ref().map(|p| p.display().to_string()),
            "public_key": pk.to_text(),
            "key_id": pk.key_id().to_string(),
        }));
    } else {
        println!("{}", pk.to_text());
        eprintln!(
            "{}",
            tr!(
                lang,
                "Kunci rahasia ditulis ke {} (mode 0600); kunci publik ke {}; id kunci {}.",
                "Secret key written to {} (mode 0600); public key to {}; key id {}.",
                out.display(),
                pub_path.display(),
                pk.key_id()
            )
        );
        if let Some(p) = state_path {
            eprintln!("{}", tr!(lang, "Penghitung nomor seri: {}", "Serial counter: {}", p.display()));
        }
    }
    Ok(0)
}

/// `ikd key pub`.
pub fn cmd_pub(ctx: &Ctx, key: &str, out: Option<&Path>) -> CliResult<u8> {
    let pk = read_public_key(ctx.lang, key)?;
    if let Some(o) = out {
        fsutil::write_atomic(ctx.lang, o, pub_file_text(&pk, KeyKind::Issuer, None).as_bytes(), 0o644, true)?;
    }
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({"public_key": pk.to_text(), "key_id": pk.key_id().to_string()}));
    } else {
        println!("{}", pk.to_text());
        eprintln!("{}", tr!(ctx.lang, "id kunci {}", "key id {}", pk.key_id()));
    }
    Ok(0)
}
