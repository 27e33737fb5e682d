//! The CLI's error: a plain-language message naming the file, line and field at fault, a stable
//! code for scripts, and the exit status.

use std::fmt;
use std::path::Path;

use ikd_core::{Lang, UserError};

use crate::tr;

/// Exit status: every check passed.
pub const EXIT_VALID: u8 = 0;
/// Exit status: the credential is rejected (INVALID).
pub const EXIT_INVALID: u8 = 1;
/// Exit status: usage, input or I/O error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the verdict is UNDETERMINED (for example the issuer is not in the trust store).
pub const EXIT_UNDETERMINED: u8 = 3;

/// Where an error is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// The field at fault.
    pub field: Option<String>,
}

/// A user-facing error.
#[derive(Debug, Clone)]
pub struct CliError {
    /// Stable code, such as `claims_unknown_field` or `io_not_found`.
    pub code: String,
    /// The message, already in the user's language, without location.
    pub message: String,
    /// Where.
    pub location: Box<Location>,
    /// The exit status.
    pub exit: u8,
}

impl CliError {
    /// A usage or input error (exit 2).
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> CliError {
        CliError { code: code.into(), message: message.into(), location: Box::default(), exit: EXIT_USAGE }
    }

    /// An error from ikd-core: its stable code and its message in the language (the same
    /// words the server and the page use).
    pub fn from_core(e: &dyn UserError, lang: Lang) -> CliError {
        CliError::new(e.code(), e.message(lang))
    }

    /// Names the file.
    pub fn file(mut self, path: impl AsRef<Path>) -> CliError {
        self.location.file = Some(path.as_ref().display().to_string());
        self
    }

    /// Names the file by a label (for stdin or an argument).
    pub fn file_label(mut self, label: &str) -> CliError {
        self.location.file = Some(label.to_owned());
        self
    }

    /// Names the line.
    pub fn line(mut self, line: usize) -> CliError {
        self.location.line = Some(line);
        self
    }

    /// Names the column.
    pub fn column(mut self, column: usize) -> CliError {
        self.location.column = Some(column);
        self
    }

    /// Names the field.
    pub fn field(mut self, field: Option<String>) -> CliError {
        self.location.field = field;
        self
    }

    /// An I/O error on `path`, in plain language.
    pub fn io(lang: Lang, path: &Path, action: IoAction, e: &std::io::Error) -> CliError {
        use std::io::ErrorKind as K;
        let (code, what) = match e.kind() {
            K::NotFound => ("io_not_found", tr!(lang, "berkas tidak ditemukan", "file not found")),
            K::PermissionDenied => ("io_permission_denied", tr!(lang, "akses ditolak", "permission denied")),
            K::AlreadyExists => ("io_already_exists", tr!(lang, "berkas sudah ada", "the file already exists")),
            K::IsADirectory => ("io_is_a_directory", tr!(lang, "ini sebuah direktori", "this is a directory")),
            K::InvalidData => ("io_not_utf8", tr!(lang, "isi berkas bukan teks UTF-8", "the file is not UTF-8 text")),
            _ => ("io_error", e.to_string()),
        };
        let verb = match (action, lang) {
            (IoAction::Read, Lang::En) => "cannot read",
            (IoAction::Read, _) => "tidak dapat membaca",
            (IoAction::Write, Lang::En) => "cannot write",
            (IoAction::Write, _) => "tidak dapat menulis",
        };
        CliError::new(code, format!("{verb}: {what}")).file(path)
    }

    /// The `file:line:column: ` prefix, if any.
    pub fn prefix(&self) -> String {
        let mut s = String::new();
        if let Some(f) = &self.location.file {
            s.push_str(f);
            if let Some(l) = self.location.line {
                s.push_str(&format!(":{l}"));
                if let Some(c) = self.location.column {
                    s.push_str(&format!(":{c}"));
                }
            }
            s.push_str(": ");
        }
        s
    }

    /// As JSON for `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "file": self.location.file,
                "line": self.location.line,
                "column": self.location.column,
                "field": self.location.field,
            }
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix(), self.message)
    }
}

/// What was being done when an I/O error happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoAction {
    /// Reading.
    Read,
    /// Writing.
    Write,
}

/// Result with a [`CliError`].
pub type CliResult<T> = Result<T, CliError>;
