//! Service policies for `ikd verify --policy`: the built-in ones (`Policy::builtin`) and more
//! from a JSON file (`--policy-file`), which replace built-in ones of the same name.

use std::path::Path;

use ikd_core::{Lang, Policy, PolicySet, PolicySource};

use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::tr;

/// The built-in policies merged with those of `file` (`ikd_core::PolicySet`: a file policy
/// replaces a built-in one with the same name).
pub fn load(lang: Lang, file: Option<&Path>) -> CliResult<PolicySet> {
    let Some(path) = file else { return Ok(PolicySet::builtin()) };
    let text = fsutil::read_text(lang, path)?;
    PolicySet::with_file(&text, path.display().to_string()).map_err(|e| {
        if let ikd_core::PolicyError::Json(m) = &e
            && let Some((l, c)) = crate::commands::trust::parse_line_col(m)
        {
            // serde_json's message ends with "at line L column C": move that into the location.
            let short = m.rsplit_once(" at line ").map(|(a, _)| a).unwrap_or(m);
            let e2 = ikd_core::PolicyError::Json(short.to_owned());
            return CliError::new(e.code(), e2.message(lang)).file(path).line(l).column(c);
        }
        CliError::new(e.code(), e.message(lang)).file(path)
    })
}

/// Finds the policy called `name`.
pub fn find(lang: Lang, all: &PolicySet, name: &str) -> CliResult<Policy> {
    all.resolve(name).cloned().map_err(|e| {
        let hint = tr!(lang, "lihat --list-policies", "see --list-policies");
        CliError::new(e.code(), format!("--policy: {} ({hint})", e.message(lang))).field(Some("--policy".into()))
    })
}

/// A policy in one line: its claims and whether it needs a live presentation.
pub fn describe(p: &Policy, lang: Lang) -> String {
    let mut s = p.required.names().join(", ");
    if s.is_empty() {
        s = tr!(lang, "(tanpa klaim)", "(no claims)");
    }
    if p.require_challenge {
        s.push_str(&tr!(
            lang,
            "; wajib presentasi langsung yang menjawab kode tantangan (--challenge)",
            "; live presentation answering a challenge required (--challenge)"
        ));
    } else if p.require_live {
        s.push_str(&tr!(lang, "; wajib presentasi langsung", "; live presentation required"));
    }
    s
}

/// `ikd verify --list-policies`.
pub fn cmd_list(ctx: &Ctx, file: Option<&Path>) -> CliResult<u8> {
    let lang = ctx.lang;
    let all = load(lang, file)?;
    if ctx.json {
        let list: Vec<_> = all
            .iter()
            .map(|(p, source)| {
                let mut j = p.to_json();
                if let Some(o) = j.as_object_mut() {
                    o.insert("source".into(), source.as_str().into());
                }
                j
            })
            .collect();
        crate::ctx::print_json(&serde_json::json!({ "policies": list }));
        return Ok(0);
    }
    let source = |s: &PolicySource| match s {
        PolicySource::Builtin => tr!(lang, "bawaan", "built-in"),
        other => other.as_str().to_owned(),
    };
    let w = all.iter().map(|(p, _)| p.name.chars().count()).max().unwrap_or(0);
    let sw = all.iter().map(|(_, s)| source(s).chars().count()).max().unwrap_or(0);
    for (p, s) in all.iter() {
        println!("{:<w$}  {:<sw$}  {}", p.name, source(s), describe(p, lang));
    }
    Ok(0)
}
