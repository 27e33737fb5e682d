//! `ikd present`: the holder's side. Makes a presentation of a credential that shows only the
//! chosen claims and, with the holder's key, is signed by the phone just now (`docs/FORMAT.md` §6).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use ikd_core::Kind;
use ikd_core::render::{self, ErrorCorrection, RenderOptions};
use ikd_core::{
    DEFAULT_PRESENTATION_WINDOW_SECS, Disclosure, DisclosureError, Lang, PresentError, SecretKey, Timestamp,
    UnverifiedCredential, create_presentation,
};

use crate::commands::qr::{EcArg, render_error, write_qr};
use crate::ctx::Ctx;
use crate::support::error::{CliError, CliResult};
use crate::support::fsutil;
use crate::support::input::Item;
use crate::support::keys;
use crate::support::when::parse_when;
use crate::tr;

/// `ikd present` arguments.
#[derive(Debug, Args)]
pub struct PresentArgs {
    /// The full credential: text (IKD1:…), a text file, a PNG/JPEG image of its QR code, or `-`
    /// for stdin.
    pub input: Option<String>,
    /// The claims to show, comma-separated, or `all`; `-name` leaves one out (`all,-foto`).
    /// The 16 claims: nama, nik, age_over_17, foto, age_over_21, age_over_60, jenis_kelamin,
    /// tanggal_lahir, tempat_lahir, golongan_darah, agama, status_perkawinan, pekerjaan,
    /// kewarganegaraan (with negara), alamat (with rt, rw, kel_desa, kecamatan, kabupaten_kota,
    /// provinsi), berlaku_hingga.
    #[arg(long, required = true, value_name = "CLAIMS")]
    pub show: Vec<String>,
    /// The holder's secret key file (the phone key named in the credential): signs the
    /// presentation now, so it is live and expires after 90 seconds. Without it the presentation
    /// is static: not holder-signed, so any copy of it can be shown again.
    #[arg(long, value_name = "FILE")]
    pub holder_key: Option<PathBuf>,
    /// The challenge code the counter shows (text, at most 32 bytes, case matters); needs
    /// --holder-key.
    #[arg(long, value_name = "CODE", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub challenge: Option<String>,
    /// Write the presentation text to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the presentation's QR code to this file: .png or .svg.
    #[arg(long, value_name = "FILE")]
    pub qr: Option<PathBuf>,
    /// Show the QR code in the terminal and draw a freshly signed one every --every seconds,
    /// until Ctrl-C or --count codes; needs --holder-key.
    #[arg(long, conflicts_with_all = ["out", "qr"], requires = "holder_key")]
    pub watch: bool,
    /// Seconds between two codes with --watch (1 to 90: a code is accepted for 90 seconds).
    #[arg(long, value_name = "SECS", default_value_t = 30, requires = "watch",
          value_parser = clap::value_parser!(u64).range(1..=DEFAULT_PRESENTATION_WINDOW_SECS as u64))]
    pub every: u64,
    /// Stop after this many codes with --watch (default: until Ctrl-C).
    #[arg(long, value_name = "K", requires = "watch", value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Sign as of this time (RFC 3339) instead of the system clock. For testing only: a
    /// presentation signed for another time is rejected as expired or in the future. With
    /// --watch, the n-th code is signed at this time plus (n-1) × --every.
    #[arg(long, value_name = "RFC3339")]
    pub time: Option<String>,
    /// Error-correction level of the QR code.
    #[arg(long, value_enum, default_value = "m", ignore_case = true)]
    pub ec: EcArg,
}

/// Parses the `--show` lists: names, `all`, and `-name` to leave one out.
pub fn parse_show(lang: Lang, lists: &[String]) -> CliResult<Disclosure> {
    let err = |e: DisclosureError| {
        CliError::new(e.code(), format!("--show: {}", e.message(lang))).field(Some("--show".into()))
    };
    let mut bits = 0u16;
    let mut minus = 0u16;
    for name in lists.iter().flat_map(|l| l.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
        if name == "all" {
            bits = Disclosure::ALL.bits();
        } else if let Some(n) = name.strip_prefix('-') {
            minus |= Disclosure::from_names(&[n.trim()]).map_err(err)?.bits();
        } else {
            bits |= Disclosure::from_names(&[name]).map_err(err)?.bits();
        }
    }
    let d = bits & !minus;
    if d == 0 {
        return Err(err(DisclosureError::Empty));
    }
    Ok(Disclosure::from_bits(d))
}

/// A presentation error in plain language.
fn present_error(
    lang: Lang,
    e: &PresentError,
    item: &Item,
    holder: Option<(&Path, &SecretKey)>,
    cred: Option<&UnverifiedCredential>,
) -> CliError {
    let mine = holder.map(|(_, k)| k.public_key());
    let msg = match e {
        PresentError::Decode(d) => {
            return CliError::new(
                d.code(),
                tr!(lang, "tidak dapat didekode: {}", "cannot be decoded: {}", d.message(lang)),
            )
            .file_label(&item.label);
        }
        PresentError::NoHolderKey => {
            return CliError::new(
                e.code(),
                tr!(
                    lang,
                    "kredensial ini tidak memiliki kunci pemegang, jadi tidak dapat ditandatangani ponsel; tanpa --holder-key dibuat presentasi statis",
                    "this credential has no holder key, so a phone cannot sign it; without --holder-key a static presentation is made"
                ),
            )
            .file_label(&item.label);
        }
        PresentError::WrongHolderKey => {
            let theirs = cred.and_then(|c| c.header().holder_key).map(|k| k.key_id().to_string()).unwrap_or_default();
            let err = CliError::new(
                e.code(),
                tr!(
                    lang,
                    "kunci ini (id kunci {}) bukan kunci pemegang kredensial {} (id kunci {})",
                    "this key (key id {}) is not the holder key of the credential {} (key id {})",
                    mine.map(|k| k.key_id().to_string()).unwrap_or_default(),
                    item.label,
                    theirs
                ),
            );
            return match holder {
                Some((p, _)) => err.file(p),
                None => err,
            };
        }
        PresentError::EmptyDisclosure => {
            tr!(lang, "--show: sebutkan sedikitnya satu klaim", "--show: name at least one claim")
        }
        PresentError::ChallengeTooLong => tr!(
            lang,
            "--challenge: kode tantangan lebih dari {} byte",
            "--challenge: the challenge code is longer than {} bytes",
            ikd_core::MAX_CHALLENGE_BYTES
        ),
        PresentError::ChallengeWithoutHolder => tr!(
            lang,
            "--challenge hanya dapat dijawab presentasi langsung: berikan juga --holder-key",
            "--challenge can only be answered by a live presentation: give --holder-key too"
        ),
        PresentError::TimeOutOfRange => {
            tr!(lang, "waktu presentasi di luar rentang format", "the presentation time is outside the format's range")
        }
        other => other.to_string(),
    };
    CliError::new(e.code(), msg)
}

/// Everything one presentation needs.
struct Maker<'a> {
    lang: Lang,
    item: &'a Item,
    text: &'a str,
    cred: UnverifiedCredential,
    disclosure: Disclosure,
    holder: Option<SecretKey>,
    holder_path: Option<&'a Path>,
    challenge: Option<&'a str>,
}

impl Maker<'_> {
    fn make(&self, time: Timestamp) -> CliResult<String> {
        create_presentation(self.text, self.disclosure, self.holder.as_ref(), time, self.challenge.map(str::as_bytes))
            .map_err(|e| {
                let holder = self.holder_path.zip(self.holder.as_ref());
                present_error(self.lang, &e, self.item, holder, Some(&self.cred))
            })
    }

    /// Warnings about the credential at `time` (expired, not yet valid).
    fn warnings(&self, time: Timestamp) -> Vec<String> {
        let h = self.cred.header();
        let lang = self.lang;
        let mut w = Vec::new();
        if time >= h.expires_at {
            w.push(tr!(
                lang,
                "kredensial ini sudah kedaluwarsa ({}): verifikator akan menolaknya",
                "this credential has expired ({}): verifiers will reject it",
                h.expires_at
            ));
        } else if time < h.valid_from {
            w.push(tr!(
                lang,
                "kredensial ini belum berlaku (mulai {}): verifikator akan menolaknya",
                "this credential is not valid yet (from {}): verifiers will reject it",
                h.valid_from
            ));
        }
        w
    }

    fn live(&self) -> bool {
        self.holder.is_some()
    }

    fn json(&self, p: &str, time: Timestamp, ec: ErrorCorrection) -> serde_json::Value {
        serde_json::json!({
            "presentation": p,
            "live": self.live(),
            "time": self.live().then(|| time.to_string()),
            "expires_at": self.live().then(|| time.plus(DEFAULT_PRESENTATION_WINDOW_SECS).to_string()),
            "challenge": self.challenge,
            "holder_key_id": self.holder.as_ref().map(|k| k.public_key().key_id().to_string()),
            "shown": self.disclosure.names(),
            "withheld": self.disclosure.complement_names(),
            "chars": p.len(),
            "ec": ec.as_str(),
            "qr_version": render::qr_version(p, ec),
            "warnings": self.warnings(time),
        })
    }

    /// The summary for stderr.
    fn summary(&self, p: &str, time: Timestamp, ec: ErrorCorrection, files: &[String]) -> String {
        let lang = self.lang;
        let mut s = match &self.holder {
            Some(k) => tr!(
                lang,
                "Presentasi langsung dibuat: ditandatangani kunci pemegang {} pada {}, berlaku sampai {}",
                "Live presentation made: signed by holder key {} at {}, accepted until {}",
                k.public_key().key_id(),
                time,
                time.plus(DEFAULT_PRESENTATION_WINDOW_SECS)
            ),
            None => tr!(
                lang,
                "Presentasi statis dibuat (tanpa --holder-key): tidak ditandatangani ponsel pemegang, jadi salinannya dapat ditunjukkan lagi oleh siapa pun; layanan yang mewajibkan presentasi langsung menolaknya",
                "Static presentation made (no --holder-key): not signed by the holder's phone, so anyone with a copy can show it again; services that require a live presentation refuse it"
            ),
        };
        s.push('\n');
        let mut line = |k: String, v: String| s.push_str(&format!("  {k}: {v}\n"));
        line(tr!(lang, "Ditampilkan", "Shown"), self.disclosure.names().join(", "));
        let withheld = self.disclosure.complement_names();
        if !withheld.is_empty() {
            line(tr!(lang, "Tidak ditampilkan", "Withheld"), withheld.join(", "));
        }
        if let Some(c) = self.challenge {
            line(tr!(lang, "Kode tantangan", "Challenge code"), c.to_owned());
        }
        line(
            tr!(lang, "Ukuran", "Size"),
            tr!(
                lang,
                "{} karakter, QR versi {} ({})",
                "{} characters, QR version {} ({})",
                p.len(),
                render::qr_version(p, ec).map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
                ec.as_str()
            ),
        );
        if !files.is_empty() {
            line(tr!(lang, "Ditulis", "Written"), files.join(", "));
        }
        for w in self.warnings(time) {
            s.push_str(&format!("{}: {w}\n", tr!(lang, "PERINGATAN", "WARNING")));
        }
        s
    }
}

/// Refuses an input that is already a presentation.
fn refuse_presentation(lang: Lang, item: &Item) -> CliResult<()> {
    if matches!(Kind::of_text(&item.text), Some(Kind::Live | Kind::Static)) {
        return Err(CliError::new(
            "present_input_is_presentation",
            tr!(
                lang,
                "ini sudah sebuah presentasi; buat presentasi dari kredensial lengkap",
                "this is already a presentation; present from the full credential"
            ),
        )
        .file_label(&item.label));
    }
    Ok(())
}

/// `ikd present`.
pub fn cmd_present(ctx: &Ctx, a: &PresentArgs) -> CliResult<u8> {
    let lang = ctx.lang;
    let disclosure = parse_show(lang, &a.show)?;
    let start = match &a.time {
        Some(s) => Some(parse_when(lang, s, "--time")?),
        None => None,
    };
    let holder = match &a.holder_key {
        Some(p) => Some(keys::read_secret_key(lang, p)?),
        None => None,
    };
    let mut item = crate::commands::inspect::one_item(ctx, a.input.as_deref())?;
    item.text = item.text.trim_end_matches(['\r', '\n']).to_owned();
    refuse_presentation(lang, &item)?;
    let cred = UnverifiedCredential::decode(&item.text)
        .map_err(|e| present_error(lang, &PresentError::Decode(e), &item, None, None))?;
    let maker = Maker {
        lang,
        item: &item,
        text: &item.text,
        cred,
        disclosure,
        holder,
        holder_path: a.holder_key.as_deref(),
        challenge: a.challenge.as_deref(),
    };
    let ec: ErrorCorrection = a.ec.into();
    if a.watch {
        return watch(ctx, &maker, a, start, ec);
    }
    let time = start.unwrap_or_else(Timestamp::now);
    let p = maker.make(time)?;
    // The QR code first: it is the output that can fail (file name, size), and then nothing is written.
    if let Some(path) = &a.qr {
        write_qr(lang, &p, path, &RenderOptions { ec, module_px: 6, quiet_zone: 4 })?;
    }
    if let Some(path) = &a.out {
        fsutil::write_output(lang, path, format!("{p}\n").as_bytes())?;
    }
    let files: Vec<String> = [&a.out, &a.qr].into_iter().flatten().map(|p| p.display().to_string()).collect();
    if ctx.json {
        let mut j = maker.json(&p, time, ec);
        if let Some(o) = j.as_object_mut() {
            o.insert("files".into(), files.into());
        }
        crate::ctx::print_json(&j);
    } else {
        if a.out.is_none() && a.qr.is_none() {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{p}");
            let _ = out.flush();
        }
        eprint!("{}", maker.summary(&p, time, ec, &files));
    }
    Ok(0)
}

/// `ikd present --watch`: a freshly signed code every `--every` seconds.
fn watch(
    ctx: &Ctx,
    maker: &Maker<'_>,
    a: &PresentArgs,
    start: Option<Timestamp>,
    ec: ErrorCorrection,
) -> CliResult<u8> {
    let lang = ctx.lang;
    let tty = std::io::stdout().is_terminal() && !ctx.json;
    let mut n = 0u64;
    loop {
        let time = match start {
            Some(s) => s.plus(i64::try_from(n.saturating_mul(a.every)).unwrap_or(i64::MAX / 2)),
            None => Timestamp::now(),
        };
        let signed = Instant::now();
        let p = maker.make(time)?;
        n += 1;
        let last = a.count.is_some_and(|c| n >= c);
        if ctx.json {
            let mut j = maker.json(&p, time, ec);
            if let Some(o) = j.as_object_mut() {
                o.insert("frame".into(), n.into());
            }
            crate::ctx::print_json(&j);
        } else {
            let art = render::render_terminal(&p, ec).map_err(|e| render_error(lang, &e))?;
            let mut out = std::io::stdout().lock();
            if tty {
                // Clear the screen and go home.
                let _ = write!(out, "\x1b[2J\x1b[H");
            }
            let _ = write!(out, "{art}");
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    lang,
                    "Kode {} · ditandatangani {} · menampilkan: {}",
                    "Code {} · signed {} · showing: {}",
                    n,
                    time,
                    maker.disclosure.names().join(", ")
                )
            );
            if let Some(c) = maker.challenge {
                let _ = writeln!(out, "{}", tr!(lang, "Kode tantangan: {}", "Challenge code: {}", c));
            }
            for w in maker.warnings(time) {
                let _ = writeln!(out, "{}: {w}", tr!(lang, "PERINGATAN", "WARNING"));
            }
            if !tty && !last {
                let _ = writeln!(out, "{}", tr!(lang, "Kode baru dalam {} detik", "New code in {} seconds", a.every));
            }
            let _ = out.flush();
        }
        if last {
            return Ok(0);
        }
        // Count down to the next code; on a terminal, the time left is shown on one line.
        let next = signed + Duration::from_secs(a.every);
        loop {
            let now = Instant::now();
            if now >= next {
                break;
            }
            if tty {
                let to_next = (next - now).as_secs_f64().ceil() as u64;
                let elapsed = now.duration_since(signed).as_secs_f64();
                let valid_left = (DEFAULT_PRESENTATION_WINDOW_SECS as f64 - elapsed).max(0.0).ceil() as u64;
                let mut out = std::io::stdout().lock();
                let _ = write!(
                    out,
                    "\r\x1b[K{}",
                    tr!(
                        lang,
                        "Berlaku {} detik lagi · kode baru dalam {} detik · Ctrl-C untuk berhenti",
                        "Valid for {} more seconds · new code in {} seconds · Ctrl-C to stop",
                        valid_left,
                        to_next
                    )
                );
                let _ = out.flush();
            }
            let left = next - now;
            std::thread::sleep(left.min(Duration::from_secs(1)));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn show(lists: &[&str]) -> CliResult<Vec<&'static str>> {
        let owned: Vec<String> = lists.iter().map(|s| (*s).to_owned()).collect();
        parse_show(Lang::En, &owned).map(Disclosure::names)
    }

    #[test]
    fn show_lists() {
        assert_eq!(show(&["nama, nik,age_over_17"]).unwrap(), ["nama", "nik", "age_over_17"]);
        assert_eq!(show(&["nama", "foto"]).unwrap(), ["nama", "foto"]);
        assert_eq!(show(&["all"]).unwrap().len(), 16);
        let most = show(&["all,-foto,-agama"]).unwrap();
        assert_eq!(most.len(), 14);
        assert!(!most.contains(&"foto") && !most.contains(&"agama"));
        // Address lines and negara name their slot.
        assert_eq!(show(&["rt,negara"]).unwrap(), ["kewarganegaraan", "alamat"]);
        let e = show(&["nama,hobi"]).unwrap_err();
        assert_eq!(e.code, "disclosure_unknown_claim");
        assert!(e.message.contains("hobi") && e.message.contains("berlaku_hingga"), "{}", e.message);
        assert_eq!(show(&["nama,-nama"]).unwrap_err().code, "disclosure_empty");
        assert_eq!(show(&[" , "]).unwrap_err().code, "disclosure_empty");
        assert_eq!(show(&["all,-usia"]).unwrap_err().code, "disclosure_unknown_claim");
    }
}
