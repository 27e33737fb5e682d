//! Reading claims JSON with errors that name the file, line, column and field.

use std::path::Path;

use ikd_core::{Claims, ClaimsError, Lang};

use crate::support::error::{CliError, CliResult};
use crate::support::fsutil::{self, line_col};
use crate::tr;

/// One claims record read from a file.
#[derive(Debug, Clone)]
pub struct Record {
    /// The `case` label, when the record was wrapped as `{"case": …, "claims": {…}}`.
    pub case: Option<String>,
    /// The claims.
    pub claims: Claims,
    /// `holder_key` (ikdpk1:… text), when given beside the claims in a wrapped record.
    pub holder_key: Option<String>,
}

/// Where the `"field":` key first appears in `text` (1-based line and column).
pub fn locate_key(text: &str, field: &str) -> Option<(usize, usize)> {
    let needle = format!("\"{field}\"");
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|t| t.find(&needle)) {
        let at = from + i;
        let after = text.get(at + needle.len()..).unwrap_or("");
        if after.trim_start().starts_with(':') {
            return Some(line_col(text.as_bytes(), at));
        }
        from = at + needle.len();
    }
    None
}

/// Turns a claims error into a CLI error located in `text`, which starts at line `first_line`
/// of `file`.
pub fn claims_cli_error(lang: Lang, e: &ClaimsError, text: &str, file: &str, first_line: usize) -> CliError {
    let mut err = CliError::new(e.code(), e.message_without_position(lang)).file_label(file).field(e.field());
    let pos = match e {
        ClaimsError::Json { line, column, .. } => Some((*line, *column)),
        ClaimsError::MissingField { .. } => None,
        _ => e.field().and_then(|f| locate_key(text, &f)),
    };
    match pos {
        Some((l, c)) => err = err.line(first_line + l - 1).column(c),
        None => err = err.line(first_line),
    }
    err
}

fn json_error(lang: Lang, e: &serde_json::Error, file: &str, first_line: usize) -> CliError {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    CliError::new("claims_bad_json", tr!(lang, "JSON tidak sah: {}", "invalid JSON: {}", msg))
        .file_label(file)
        .line(first_line + e.line().max(1) - 1)
        .column(e.column())
}

/// Parses one claims document: a claims object, `{"case": …, "claims": {…}}`, or (with `case`)
/// a reference file `{"residents": [{"case": …, "claims": {…}}, …]}`.
pub fn parse_record(lang: Lang, text: &str, file: &str, first_line: usize, case: Option<&str>) -> CliResult<Record> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(lang, &e, file, first_line))?;
    let obj = value.as_object().ok_or_else(|| {
        CliError::new("claims_not_object", tr!(lang, "harus berupa objek JSON", "must be a JSON object"))
            .file_label(file)
            .line(first_line)
    })?;
    if let Some(list) = obj.get("residents").and_then(|r| r.as_array()) {
        let Some(want) = case else {
            let cases: Vec<&str> = list.iter().filter_map(|r| r.get("case").and_then(|c| c.as_str())).collect();
            return Err(CliError::new(
                "claims_case_required",
                tr!(
                    lang,
                    "berkas ini berisi beberapa penduduk; pilih satu dengan --case (salah satu dari: {})",
                    "this file holds several residents; choose one with --case (one of: {})",
                    cases.join(", ")
                ),
            )
            .file_label(file));
        };
        let found = list.iter().find(|r| r.get("case").and_then(|c| c.as_str()) == Some(want));
        let Some(r) = found else {
            return Err(CliError::new(
                "claims_case_not_found",
                tr!(lang, "tidak ada penduduk dengan case {:?}", "no resident has case {:?}", want),
            )
            .file_label(file));
        };
        let claims_value = r.get("claims").cloned().unwrap_or(serde_json::Value::Null);
        let claims = Claims::from_json_value(claims_value).map_err(|e| {
            // Point at the field inside this resident's block.
            let start = text.find(&format!("\"{want}\"")).unwrap_or(0);
            let (l0, _) = line_col(text.as_bytes(), start);
            let sub = text.get(start..).unwrap_or("");
            claims_cli_error(lang, &e, sub, file, first_line + l0 - 1)
        })?;
        return Ok(Record { case: Some(want.to_owned()), claims, holder_key: None });
    }
    if let Some(inner) = obj.get("claims") {
        let case = obj.get("case").and_then(|c| c.as_str()).map(str::to_owned);
        let claims = Claims::from_json_value(inner.clone()).map_err(|e| {
            let start = text.find("\"claims\"").unwrap_or(0);
            let (l0, _) = line_col(text.as_bytes(), start);
            let sub = text.get(start..).unwrap_or("");
            let mut err = claims_cli_error(lang, &e, sub, file, first_line + l0 - 1);
            if l0 == 1 {
                // The whole record is on one line: columns are relative to the line.
                if let (Some(f), true) = (e.field(), !matches!(e, ClaimsError::MissingField { .. }))
                    && let Some((_, c)) = locate_key(text, &f)
                {
                    err = err.column(c);
                }
            }
            err
        })?;
        let holder_key = obj.get("holder_key").and_then(|h| h.as_str()).map(str::to_owned);
        return Ok(Record { case, claims, holder_key });
    }
    let claims = Claims::from_json(text).map_err(|e| claims_cli_error(lang, &e, text, file, first_line))?;
    Ok(Record { case: None, claims, holder_key: None })
}

/// Reads one claims record from a file (or stdin for `-`).
pub fn read_record(lang: Lang, path: &Path, case: Option<&str>) -> CliResult<Record> {
    let (text, label) = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(|e| {
            CliError::new(
                "io_error",
                tr!(lang, "tidak dapat membaca masukan standar: {}", "cannot read standard input: {}", e),
            )
        })?;
        (s, "<stdin>".to_owned())
    } else {
        (fsutil::read_text(lang, path)?, path.display().to_string())
    };
    parse_record(lang, &text, &label, 1, case)
}
