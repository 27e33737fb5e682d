//! `ikd trust`: build and inspect the trust store file that verifiers read.

use std::path::Path;

use ikd_core::{Lang, Timestamp, TrustStore, TrustedIssuer};

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::keys;
use crate::support::when::parse_when;
use crate::tr;

/// Ten years, the default validity window of a newly trusted key.
const DEFAULT_WINDOW_SECS: i64 = 10 * 365 * 86_400 + 2 * 86_400;

/// Reads a trust store file.
pub fn load(lang: Lang, path: &Path) -> CliResult<TrustStore> {
    let text = fsutil::read_text(lang, path)?;
    TrustStore::from_json(&text).map_err(|e| {
        if let ikd_core::TrustStoreError::Json(m) = &e
            && let Some((l, c)) = parse_line_col(m)
        {
            // serde_json's message ends with "at line L column C": move that into the location.
            let short = m.rsplit_once(" at line ").map(|(a, _)| a).unwrap_or(m);
            let e2 = ikd_core::TrustStoreError::Json(short.to_owned());
            return CliError::new(e.code(), e2.message(lang)).file(path).line(l).column(c);
        }
        CliError::new(e.code(), e.message(lang)).file(path)
    })
}

/// Finds "line L column C" in a serde_json message.
pub fn parse_line_col(m: &str) -> Option<(usize, usize)> {
    let rest = m.rsplit_once(" at line ")?.1;
    let (l, c) = rest.split_once(" column ")?;
    Some((l.trim().parse().ok()?, c.trim().parse().ok()?))
}

fn save(lang: Lang, path: &Path, store: &TrustStore) -> CliResult<()> {
    let mut text = store.to_json();
    text.push('\n');
    fsutil::write_atomic(lang, path, text.as_bytes(), 0o644, true)
}

/// `ikd trust add`.
pub fn cmd_add(
    ctx: &Ctx,
    store_path: &Path,
    name: &str,
    key: &str,
    not_before: Option<&str>,
    not_after: Option<&str>,
) -> CliResult<u8> {
    let lang = ctx.lang;
    let public_key = keys::read_public_key(lang, key)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(CliError::new("trust_empty_name", tr!(lang, "nama penerbit kosong", "the issuer name is empty"))
            .field(Some("name".into())));
    }
    let not_before = match not_before {
        Some(s) => parse_when(lang, s, "--not-before")?,
        None => Timestamp::now(),
    };
    let not_after = match not_after {
        Some(s) => crate::support::when::parse_end_when(lang, s, "--not-after")?,
        None => not_before.plus(DEFAULT_WINDOW_SECS),
    };
    if not_after < not_before {
        return Err(CliError::new(
            "trust_empty_window",
            tr!(lang, "--not-after lebih awal dari --not-before", "--not-after is before --not-before"),
        ));
    }
    let mut store = if store_path.exists() { load(lang, store_path)? } else { TrustStore::new() };
    let replaced = store.issuers().iter().any(|i| i.public_key == public_key);
    store.add(TrustedIssuer { name: name.to_owned(), public_key, not_before, not_after });
    save(lang, store_path, &store)?;
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({
            "store": store_path.display().to_string(),
            "added": issuer_json(store.issuers().last()),
            "replaced": replaced,
            "issuers": store.issuers().len(),
        }));
    } else {
        let verb = if replaced { tr!(lang, "Diperbarui", "Updated") } else { tr!(lang, "Ditambahkan", "Added") };
        println!(
            "{verb}: {name} ({} {}) {} {} … {}",
            tr!(lang, "id kunci", "key id"),
            public_key.key_id(),
            tr!(lang, "berlaku", "valid"),
            not_before,
            not_after
        );
        println!(
            "{}",
            tr!(lang, "{} penerbit dalam {}", "{} issuer(s) in {}", store.issuers().len(), store_path.display())
        );
    }
    Ok(0)
}

fn issuer_json(i: Option<&TrustedIssuer>) -> serde_json::Value {
    match i {
        Some(i) => serde_json::json!({
            "name": i.name,
            "key_id": i.key_id().to_string(),
            "public_key": i.public_key.to_text(),
            "not_before": i.not_before.to_string(),
            "not_after": i.not_after.to_string(),
        }),
        None => serde_json::Value::Null,
    }
}

/// `ikd trust show`.
pub fn cmd_show(ctx: &Ctx, store_path: &Path) -> CliResult<u8> {
    let lang = ctx.lang;
    let store = load(lang, store_path)?;
    if ctx.json {
        let list: Vec<_> = store.issuers().iter().map(|i| issuer_json(Some(i))).collect();
        crate::ctx::print_json(&serde_json::json!({"store": store_path.display().to_string(), "issuers": list}));
        return Ok(0);
    }
    println!(
        "{}",
        tr!(
            lang,
            "{} penerbit tepercaya dalam {}",
            "{} trusted issuer(s) in {}",
            store.issuers().len(),
            store_path.display()
        )
    );
    let now = Timestamp::now();
    for (n, i) in store.issuers().iter().enumerate() {
        let state = if now < i.not_before {
            tr!(lang, "belum berlaku", "not yet valid")
        } else if now > i.not_after {
            tr!(lang, "kedaluwarsa", "expired")
        } else {
            tr!(lang, "berlaku", "valid")
        };
        println!("{}. {}", n + 1, i.name);
        println!("   {:<12} {}", tr!(lang, "id kunci", "key id"), i.key_id());
        println!("   {:<12} {}", tr!(lang, "kunci publik", "public key"), i.public_key);
        println!("   {:<12} {} … {} ({state})", tr!(lang, "masa berlaku", "validity"), i.not_before, i.not_after);
    }
    Ok(0)
}

/// `ikd trust remove`.
pub fn cmd_remove(ctx: &Ctx, store_path: &Path, key_id: &str) -> CliResult<u8> {
    let lang = ctx.lang;
    let store = load(lang, store_path)?;
    let mut kept = TrustStore::new();
    let mut removed = 0usize;
    for i in store.issuers() {
        if i.key_id().to_string().eq_ignore_ascii_case(key_id.trim()) || i.public_key.to_text() == key_id.trim() {
            removed += 1;
        } else {
            kept.add(i.clone());
        }
    }
    if removed == 0 {
        return Err(CliError::new(
            "trust_key_not_found",
            tr!(lang, "tidak ada penerbit dengan id kunci {}", "no issuer has key id {}", key_id),
        )
        .file(store_path));
    }
    save(lang, store_path, &kept)?;
    if ctx.json {
        crate::ctx::print_json(&serde_json::json!({"removed": removed, "issuers": kept.issuers().len()}));
    } else {
        println!(
            "{}",
            tr!(
                lang,
                "Dihapus: {} penerbit; tersisa {}",
                "Removed: {} issuer(s); {} left",
                removed,
                kept.issuers().len()
            )
        );
    }
    Ok(0)
}
