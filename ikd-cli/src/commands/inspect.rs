//! `ikd inspect`: decode a credential without trusting it.

use clap::Args;
use ikd_core::render::{ErrorCorrection, qr_version};
use ikd_core::{InspectionView, Lang, UnverifiedCredential};

use crate::commands::verify::claim_rows;
use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::input::{self, Input, Item};
use crate::tr;

/// `ikd inspect` arguments.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Credential text (IKD1:…), a text file, a PNG/JPEG image of the QR code, or `-` for stdin.
    pub input: Option<String>,
    /// Show the full NIK (masked except its last 4 digits by default).
    #[arg(long)]
    pub show_nik: bool,
}

/// Reads exactly one credential from the INPUT argument (the first, if a file holds several).
pub fn one_item(ctx: &Ctx, arg: Option<&str>) -> CliResult<Item> {
    match input::resolve(ctx.lang, arg)? {
        Input::Items(items) => items
            .into_iter()
            .next()
            .ok_or_else(|| CliError::new("input_empty", tr!(ctx.lang, "tidak ada kredensial", "no credential found"))),
        Input::Stdin => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| {
                CliError::new(
                    "io_error",
                    tr!(ctx.lang, "tidak dapat membaca masukan standar: {}", "cannot read standard input: {}", e),
                )
            })?;
            input::text_items(&s, "<stdin>").into_iter().next().ok_or_else(|| {
                CliError::new(
                    "input_empty",
                    tr!(ctx.lang, "tidak ada kredensial di masukan standar", "no credential on standard input"),
                )
                .file_label("<stdin>")
            })
        }
    }
}

fn versions(text: &str) -> Vec<(&'static str, Option<u8>)> {
    ErrorCorrection::ALL.iter().map(|ec| (ec.as_str(), qr_version(text, *ec))).collect()
}

/// `ikd inspect`.
pub fn cmd_inspect(ctx: &Ctx, a: &InspectArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let item = one_item(ctx, a.input.as_deref())?;
    let text = item.text.trim_end_matches(['\r', '\n']);
    let view = InspectionView::of_text(text, lang, a.show_nik)
        .map_err(|e| CliError::from_core(&e, lang).file_label(&item.label))?;
    let cred = UnverifiedCredential::decode(text).map_err(|e| CliError::from_core(&e, lang))?;
    let h = cred.header();
    let vers = versions(text);
    if ctx.json {
        let qr: serde_json::Map<String, serde_json::Value> =
            vers.iter().map(|(l, v)| ((*l).to_owned(), serde_json::json!(v))).collect();
        // The core's inspection view, with the CLI's `source` and the QR versions beside it.
        let mut out = serde_json::to_value(&view).unwrap_or_default();
        if let Some(o) = out.as_object_mut() {
            o.insert("source".into(), item.label.clone().into());
            if let Some(sizes) = o.get_mut("sizes").and_then(serde_json::Value::as_object_mut) {
                sizes.insert("qr_version".into(), qr.into());
            }
        }
        crate::ctx::print_json(&out);
        return Ok(0);
    }
    let w = 18;
    let mut out = String::new();
    let mut row = |k: String, v: String| out.push_str(&format!("{k:<w$} {v}\n"));
    row(
        tr!(lang, "PERHATIAN", "WARNING"),
        tr!(
            lang,
            "TIDAK DIVERIFIKASI: isi di bawah belum tentu asli",
            "NOT VERIFIED: the contents below may be forged"
        ),
    );
    row(tr!(lang, "Sumber", "Source"), item.label.clone());
    row(tr!(lang, "Id kunci", "Key id"), h.key_id.to_string());
    row(tr!(lang, "Nomor seri", "Serial"), h.serial.to_string());
    row(tr!(lang, "Indeks status", "Status index"), h.status_index.get().to_string());
    row(tr!(lang, "Diterbitkan", "Issued at"), h.issued_at.to_string());
    row(tr!(lang, "Berlaku mulai", "Valid from"), h.valid_from.to_string());
    row(tr!(lang, "Berlaku sampai", "Expires at"), h.expires_at.to_string());
    row(
        tr!(lang, "Kunci pemegang", "Holder key"),
        h.holder_key.map(|k| k.to_text()).unwrap_or_else(|| tr!(lang, "tidak ada", "none")),
    );
    if !h.extensions.is_empty() {
        let list: Vec<String> = h.extensions.iter().map(|(t, v)| format!("{t} ({} B)", v.len())).collect();
        row(tr!(lang, "Ekstensi", "Extensions"), list.join(", "));
    }
    out.push('\n');
    for (k, v) in claim_rows(cred.claims(), lang, a.show_nik) {
        out.push_str(&format!("{k:<w$} {v}\n"));
    }
    let ag = cred.age_over();
    let yn = |b: bool| if b { tr!(lang, "ya", "yes") } else { tr!(lang, "tidak", "no") };
    out.push_str(&format!(
        "{:<w$} 17: {}, 21: {}, 60: {}\n",
        tr!(lang, "Usia di atas", "Age over"),
        yn(ag.over_17),
        yn(ag.over_21),
        yn(ag.over_60)
    ));
    let photo = match cred.photo() {
        Some(p) => match ikd_core::photo::decode_thumbnail(p) {
            Ok(img) => tr!(lang, "{} byte, {}x{} piksel", "{} bytes, {}x{} pixels", p.len(), img.width(), img.height()),
            Err(_) => tr!(lang, "{} byte (tidak dapat didekode)", "{} bytes (cannot be decoded)", p.len()),
        },
        None => tr!(lang, "tidak ada", "none"),
    };
    out.push_str(&format!("{:<w$} {photo}\n", tr!(lang, "Foto", "Photo")));
    out.push('\n');
    out.push_str(&format!(
        "{:<w$} {}\n",
        tr!(lang, "Ukuran data", "Payload"),
        tr!(lang, "{} byte", "{} bytes", cred.payload().len())
    ));
    out.push_str(&format!("{:<w$} {}\n", "Base45", tr!(lang, "{} karakter", "{} characters", text.len())));
    let list: Vec<String> =
        vers.iter().map(|(l, v)| format!("{l}: {}", v.map(|v| v.to_string()).unwrap_or_else(|| "-".into()))).collect();
    out.push_str(&format!("{:<w$} {}\n", tr!(lang, "Versi QR", "QR version"), list.join(", ")));
    out.push_str(&format!(
        "{:<w$} {}…\n",
        tr!(lang, "Tanda tangan", "Signature"),
        hex::encode(cred.signature().get(..8).unwrap_or(&[]))
    ));
    print!("{out}");
    let _ = Lang::Id;
    Ok(0)
}
