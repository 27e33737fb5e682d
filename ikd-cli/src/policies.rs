//! Service policies for `ikd verify --policy`: the built-in ones (`Policy::builtin`) and more
//! from a JSON file (`--policy-file`), which replace built-in ones of the same name.

use std::path::Path;

use ikd_core::{Lang, Policy};

use crate::error::{CliError, CliResult};
use crate::{Ctx, fsutil, tr};

/// A policy and where it came from.
#[derive(Debug, Clone)]
pub struct Known {
    /// The policy.
    pub policy: Policy,
    /// The file it was read from, or `None` for a built-in one.
    pub file: Option<String>,
}

/// The built-in policies, then those of `file` (a file policy replaces a built-in one with the
/// same name).
pub fn load(lang: Lang, file: Option<&Path>) -> CliResult<Vec<Known>> {
    let mut all: Vec<Known> = Policy::builtin().into_iter().map(|policy| Known { policy, file: None }).collect();
    if let Some(path) = file {
        let text = fsutil::read_text(lang, path)?;
        let list = Policy::list_from_json(&text).map_err(|e| {
            if let ikd_core::PolicyError::Json(m) = &e
                && let Some((l, c)) = crate::trust::parse_line_col(m)
            {
                // serde_json's message ends with "at line L column C": move that into the location.
                let short = m.rsplit_once(" at line ").map(|(a, _)| a).unwrap_or(m);
                let e2 = ikd_core::PolicyError::Json(short.to_owned());
                return CliError::new(e.code(), crate::i18n::policy_error(&e2, lang)).file(path).line(l).column(c);
            }
            CliError::new(e.code(), crate::i18n::policy_error(&e, lang)).file(path)
        })?;
        let name = path.display().to_string();
        for policy in list {
            let known = Known { policy, file: Some(name.clone()) };
            match all.iter_mut().find(|k| k.policy.name == known.policy.name) {
                Some(k) => *k = known,
                None => all.push(known),
            }
        }
    }
    Ok(all)
}

/// Finds the policy called `name`.
pub fn find(lang: Lang, all: &[Known], name: &str) -> CliResult<Policy> {
    all.iter().find(|k| k.policy.name == name).map(|k| k.policy.clone()).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|k| k.policy.name.as_str()).collect();
        CliError::new(
            "policy_unknown",
            tr!(
                lang,
                "--policy: kebijakan `{}` tidak dikenal; yang ada: {} (lihat --list-policies)",
                "--policy: unknown policy `{}`; the policies are: {} (see --list-policies)",
                name,
                names.join(", ")
            ),
        )
        .field(Some("--policy".into()))
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
            .map(|k| {
                let mut j = k.policy.to_json();
                if let Some(o) = j.as_object_mut() {
                    o.insert("source".into(), k.file.as_deref().unwrap_or("builtin").into());
                }
                j
            })
            .collect();
        crate::print_json(&serde_json::json!({ "policies": list }));
        return Ok(0);
    }
    let source = |k: &Known| match &k.file {
        Some(f) => f.clone(),
        None => tr!(lang, "bawaan", "built-in"),
    };
    let w = all.iter().map(|k| k.policy.name.chars().count()).max().unwrap_or(0);
    let sw = all.iter().map(|k| source(k).chars().count()).max().unwrap_or(0);
    for k in &all {
        println!("{:<w$}  {:<sw$}  {}", k.policy.name, source(k), describe(&k.policy, lang));
    }
    Ok(0)
}
