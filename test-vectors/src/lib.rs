//! Known-answer test vectors for the IKD credential format.
//!
//! [`generate`] builds every case from fixed seeds; `cargo run -p test-vectors --bin
//! generate` writes them to `test-vectors/cases/`, one JSON file per case (and a PNG for
//! image cases). [`check_case`] verifies one case with `ikd-core`; the `vectors` test walks
//! the directory and checks each file, and checks that the generator still produces exactly
//! the committed files. The file format is described in `test-vectors/README.md`, so that
//! another implementation can use the files without reading this code.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// The generator does byte surgery at known offsets of payloads it has just built; an
// out-of-range index there is a bug in the generator, found the first time it runs.
#![allow(clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ikd_core::format::{payload_to_text, text_to_payload};
use ikd_core::render::{RenderOptions, render_png};
use ikd_core::status::{CredentialStatus, StatusList, StatusListBuilder};
use ikd_core::trustlist::{KeyStatus, Scope, TrustList, TrustListBuilder, TrustListEntry};
use ikd_core::{
    AgeOver, Check, Claims, DangerIssueOptions, Disclosure, FixedClock, IssueRequest, Issuer, Outcome, Policy,
    PublicKey, SaltSecret, SecretKey, Serial, StatusIndex, Timestamp, TrustStore, TrustedIssuer, UnverifiedCredential,
    Verifier, VerifyOptions, create_presentation,
};
use serde_json::{Value, json};

/// One generated case: its file stem, its JSON, and an optional PNG.
#[derive(Debug, Clone)]
pub struct Case {
    /// File stem (`<name>.json`, `<name>.png`).
    pub name: String,
    /// The case document.
    pub json: Value,
    /// The QR image, for image cases.
    pub png: Option<Vec<u8>>,
}

/// 2026-11-27T00:00:00Z: the issue time of the vectors.
pub const T0: i64 = 1_795_737_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// The `../shared` directory beside the workspace.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The committed cases directory.
pub fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn residents() -> Result<Vec<(String, Claims)>, String> {
    let path = shared_dir().join("reference/residents.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let list = v["residents"].as_array().ok_or("residents.json: no residents array")?;
    list.iter()
        .map(|r| {
            let case = r["case"].as_str().ok_or("resident without case")?.to_owned();
            let claims = Claims::from_json(&r["claims"].to_string()).map_err(|e| format!("{case}: {e}"))?;
            Ok((case, claims))
        })
        .collect()
}

fn rfc3339(t: i64) -> String {
    Timestamp::from_unix(t).to_string()
}

struct Ctx {
    issuer: Issuer,
    other: Issuer,
    holder: SecretKey,
    residents: Vec<(String, Claims)>,
}

fn trust_json(entries: &[(&str, &Issuer, i64, i64)]) -> Value {
    let mut store = TrustStore::new();
    for (name, issuer, nb, na) in entries {
        store.add(TrustedIssuer {
            name: (*name).to_owned(),
            public_key: issuer.public_key(),
            not_before: Timestamp::from_unix(*nb),
            not_after: Timestamp::from_unix(*na),
        });
    }
    serde_json::from_str(&store.to_json()).unwrap_or(Value::Null)
}

const ISSUER_NAME: &str = "DISDUKCAPIL KABUPATEN SERANG (TEST VECTORS)";

impl Ctx {
    fn new() -> Result<Ctx, String> {
        Ok(Ctx {
            issuer: Issuer::new(SecretKey::from_seed(&[0x11; 32])),
            other: Issuer::new(SecretKey::from_seed(&[0x22; 32])),
            holder: SecretKey::from_seed(&[0x48; 32]),
            residents: residents()?,
        })
    }

    fn claims(&self, case: &str) -> Result<Claims, String> {
        self.residents
            .iter()
            .find(|(c, _)| c == case)
            .map(|(_, c)| c.clone())
            .ok_or_else(|| format!("reference resident {case} is missing"))
    }

    fn request(&self, claims: Claims, serial: u64) -> IssueRequest {
        IssueRequest {
            claims,
            serial: Serial::new(serial % (1 << 53)).unwrap_or(Serial::MIN),
            status_index: StatusIndex::new(u32::try_from(serial.wrapping_mul(2_654_435_761) % 10_000_000).unwrap_or(0)),
            issued_at: Timestamp::from_unix(T0),
            valid_from: Timestamp::from_unix(T0),
            expires_at: Timestamp::from_unix(T0 + 5 * YEAR),
            holder_key: Some(self.holder.public_key()),
            photo: None,
        }
    }

    fn sign(&self, issuer: &Issuer, req: &IssueRequest, serial: u64, opts: &DangerIssueOptions) -> String {
        let mut secret = [0u8; 16];
        secret[..8].copy_from_slice(&serial.to_be_bytes());
        secret[8..].copy_from_slice(b"IKDVECT1");
        issuer.danger_issue_unchecked(req, &SaltSecret::from_bytes(secret), opts).text().to_owned()
    }

    fn default_trust(&self) -> Value {
        trust_json(&[(ISSUER_NAME, &self.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR)])
    }
}

/// What a case expects at each stage and in the end.
struct Expect {
    verdict: &'static str,
    code: &'static str,
    /// The first stage that does not pass (or None if all pass).
    stop: Option<Check>,
    /// Checks beyond the six base ones that this case runs (holder binding, policy).
    extra: Vec<Check>,
}

impl Expect {
    fn valid() -> Expect {
        Expect { verdict: "VALID", code: "ok", stop: None, extra: Vec::new() }
    }
    fn invalid(code: &'static str, stop: Check) -> Expect {
        Expect { verdict: "INVALID", code, stop: Some(stop), extra: Vec::new() }
    }
    fn with(mut self, extra: &[Check]) -> Expect {
        self.extra = extra.to_vec();
        self
    }

    fn stages(&self) -> Value {
        let mut m = serde_json::Map::new();
        let mut after = false;
        let outcome = |c: Check, after: &mut bool| {
            if *after {
                "skipped"
            } else if Some(c) == self.stop {
                *after = true;
                if self.verdict == "UNDETERMINED" { "undetermined" } else { "failed" }
            } else {
                "passed"
            }
        };
        for c in Check::BASE {
            m.insert(c.name().to_owned(), Value::from(outcome(c, &mut after)));
        }
        if !self.extra.contains(&Check::Status) {
            // Without status lists the status check runs after the base checks and is
            // reported `not_checked`: nothing says whether the credential was revoked.
            m.insert(Check::Status.name().to_owned(), Value::from(if after { "skipped" } else { "not_checked" }));
        }
        for c in self.extra.iter().copied() {
            m.insert(c.name().to_owned(), Value::from(outcome(c, &mut after)));
        }
        Value::Object(m)
    }
}

#[allow(clippy::too_many_arguments)]
fn case(
    name: &str,
    description: &str,
    clock: i64,
    trust: Value,
    text: &str,
    expect: Expect,
    claims: Option<&Claims>,
    png: Option<Vec<u8>>,
) -> Case {
    let mut input = json!({ "qr_text": text });
    if png.is_some() {
        input["png"] = Value::from(format!("{name}.png"));
    }
    let mut expected = json!({
        "stages": expect.stages(),
        "verdict": expect.verdict,
        "code": expect.code,
    });
    if let Some(c) = claims {
        expected["claims"] = c.to_json_value();
    }
    Case {
        name: name.to_owned(),
        json: json!({
            "format": "ikd-test-vector/1",
            "name": name,
            "description": description,
            "clock": rfc3339(clock),
            "skew_seconds": ikd_core::DEFAULT_SKEW_SECS,
            "trust_store": trust,
            "input": input,
            "expected": expected,
        }),
        png,
    }
}

fn mutate_payload(text: &str, f: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut p = text_to_payload(text).unwrap_or_default();
    f(&mut p);
    payload_to_text(&p)
}

fn issuer_part_len(text: &str) -> usize {
    UnverifiedCredential::decode(text).map(|c| c.issuer_part_len()).unwrap_or(0)
}

/// Offsets of the header's varints: (serial, status, issued, from, validity) start positions.
fn header_varint_offsets(payload: &[u8]) -> Vec<usize> {
    let mut pos = 2 + ikd_core::format::KEY_ID_LEN;
    let mut out = Vec::new();
    for _ in 0..5 {
        out.push(pos);
        while payload.get(pos).is_some_and(|b| b & 0x80 != 0) {
            pos += 1;
        }
        pos += 1;
    }
    out
}

/// Builds every case.
pub fn generate() -> Result<Vec<Case>, String> {
    let ctx = Ctx::new()?;
    let now = T0 + DAY;
    let trust = ctx.default_trust();
    let mut out = Vec::new();
    let woman = ctx.claims("typical-woman")?;
    let base_req = ctx.request(woman.clone(), 1001);
    let base = ctx.sign(&ctx.issuer, &base_req, 1001, &DangerIssueOptions::default());

    // Every reference resident, valid.
    for (i, (name, claims)) in ctx.residents.iter().enumerate() {
        let serial = 2000 + i as u64;
        let mut req = ctx.request(claims.clone(), serial);
        if let ikd_core::BerlakuHingga::Tanggal(d) = claims.berlaku_hingga {
            let end = time::OffsetDateTime::new_utc(d, time::Time::MIDNIGHT).unix_timestamp();
            req.expires_at = Timestamp::from_unix(end.min(T0 + 5 * YEAR));
        }
        let text = ctx.sign(&ctx.issuer, &req, serial, &DangerIssueOptions::default());
        out.push(case(
            &format!("valid-{name}"),
            &format!("Reference resident `{name}` with a holder key: valid."),
            now,
            trust.clone(),
            &text,
            Expect::valid(),
            Some(claims),
            None,
        ));
    }
    // A printed card without a holder key.
    {
        let mut req = ctx.request(ctx.claims("typical-man")?, 3001);
        req.holder_key = None;
        let text = ctx.sign(&ctx.issuer, &req, 3001, &DangerIssueOptions::default());
        out.push(case(
            "valid-no-holder-key",
            "A printed-card credential without a holder key: valid.",
            now,
            trust.clone(),
            &text,
            Expect::valid(),
            Some(&req.claims),
            None,
        ));
    }
    // A rendered QR image of a valid credential.
    {
        let png = render_png(&base, &RenderOptions::SCREEN).map_err(|e| e.to_string())?;
        out.push(case(
            "valid-png-typical-woman",
            "The typical-woman credential rendered as a PNG QR code (EC level M, 6 px per module, 4-module quiet zone). Decode the image, compare with qr_text, then verify.",
            now,
            trust.clone(),
            &base,
            Expect::valid(),
            Some(&woman),
            Some(png),
        ));
    }
    // A non-critical extension is ignored (but signed).
    {
        let opts = DangerIssueOptions { extensions: vec![(2, b"future".to_vec())], age_override: None };
        let text = ctx.sign(&ctx.issuer, &base_req, 1001, &opts);
        out.push(case(
            "valid-noncritical-extension",
            "An unknown non-critical extension (type 2): ignored, signed, valid.",
            now,
            trust.clone(),
            &text,
            Expect::valid(),
            Some(&woman),
            None,
        ));
    }
    // Within the skew tolerance before valid_from.
    out.push(case(
        "valid-clock-skew-before-valid-from",
        "The verifier clock is 299 s before valid_from: within the 300 s skew tolerance.",
        T0 - 299,
        trust.clone(),
        &base,
        Expect::valid(),
        Some(&woman),
        None,
    ));

    // ---- Decode failures.
    let d = |code: &'static str| Expect::invalid(code, Check::Decode);
    out.push(case("decode-empty", "Empty input.", now, trust.clone(), "", d("decode_empty"), None, None));
    out.push(case(
        "decode-oversized",
        "4297 characters: more than any QR code holds.",
        now,
        trust.clone(),
        &format!("IKD1:{}", "0".repeat(4292)),
        d("decode_too_large"),
        None,
        None,
    ));
    out.push(case(
        "decode-wrong-prefix",
        "An EU DCC-style prefix.",
        now,
        trust.clone(),
        &base.replacen("IKD1:", "HC1:", 1),
        d("decode_wrong_prefix"),
        None,
        None,
    ));
    out.push(case(
        "decode-unknown-version",
        "Prefix IKD2: a version this reader does not know.",
        now,
        trust.clone(),
        &base.replacen("IKD1:", "IKD2:", 1),
        d("decode_unknown_version"),
        None,
        None,
    ));
    out.push(case(
        "decode-bad-base45",
        "Lowercase letters are not Base45.",
        now,
        trust.clone(),
        &format!("{}abc", &base[..base.len() - 3]),
        d("decode_bad_base45"),
        None,
        None,
    ));
    out.push(case(
        "decode-base45-bad-length",
        "A Base45 body whose length is 1 mod 3.",
        now,
        trust.clone(),
        &{
            let mut t = base.clone();
            while (t.len() - 5) % 3 != 1 {
                t.push('0');
            }
            t
        },
        d("decode_bad_base45"),
        None,
        None,
    ));
    {
        // Replace the final 3-character group by a 2-character group worth 2024 (> 255).
        let body_len = base.len() - 5;
        let text = if body_len % 3 == 2 {
            format!("{}::", &base[..base.len() - 2])
        } else {
            format!("{}::", &base[..base.len() - 3])
        };
        out.push(case(
            "decode-noncanonical-base45",
            "A final two-character Base45 group worth more than 255 (\"::\" = 44 + 44*45).",
            now,
            trust.clone(),
            &text,
            d("decode_noncanonical_base45"),
            None,
            None,
        ));
    }
    out.push(case(
        "decode-truncated",
        "The last 30 bytes of the payload are missing.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| p.truncate(p.len() - 30)),
        d("decode_truncated"),
        None,
        None,
    ));
    out.push(case(
        "decode-trailing-garbage",
        "Three bytes follow the signature.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| p.extend_from_slice(&[1, 2, 3])),
        d("decode_trailing_bytes"),
        None,
        None,
    ));
    out.push(case(
        "decode-unknown-kind",
        "Kind byte 0x07.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| p[0] = 0x07),
        d("decode_unknown_kind"),
        None,
        None,
    ));
    out.push(case(
        "decode-reserved-flag",
        "Reserved flag bit 0x80 set.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| p[1] |= 0x80),
        d("decode_reserved_flags"),
        None,
        None,
    ));
    {
        let opts = DangerIssueOptions { extensions: vec![(3, b"must-understand".to_vec())], age_override: None };
        let text = ctx.sign(&ctx.issuer, &base_req, 1001, &opts);
        out.push(case(
            "decode-unknown-critical-extension",
            "A correctly signed credential carrying an unknown critical extension (type 3).",
            now,
            trust.clone(),
            &text,
            d("decode_unknown_critical_extension"),
            None,
            None,
        ));
    }
    out.push(case(
        "decode-noncanonical-varint",
        "The serial written with a redundant continuation byte.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            let off = header_varint_offsets(p)[0];
            // 1001 = 0xE9 0x07; rewrite as 0xE9 0x87 0x00.
            p[off + 1] |= 0x80;
            p.insert(off + 2, 0x00);
        }),
        d("decode_noncanonical"),
        None,
        None,
    ));
    let slots_start = issuer_part_len(&base) + 16;
    out.push(case(
        "decode-out-of-range-code",
        "agama code 9 (codes are 1 to 7).",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            // nama (1 + 11 bytes), nik (7), age17 (1), foto (1), age21, age60, jk (1 each),
            // tanggal_lahir (3), tempat_lahir "SERANG" (1 + 5), golongan_darah (1), agama.
            let agama = slots_start + 12 + 7 + 1 + 1 + 1 + 1 + 1 + 3 + 6 + 1;
            p[agama] = 9;
        }),
        d("decode_out_of_range"),
        None,
        None,
    ));
    out.push(case(
        "decode-invalid-utf8",
        "nama in UTF-8 mode holding the bytes FF FE.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            p.splice(slots_start..slots_start + 12, [(2 << 1) | 1, 0xff, 0xfe]);
        }),
        d("decode_invalid_utf8"),
        None,
        None,
    ));
    out.push(case(
        "decode-invalid-claim-nama",
        "nama in UTF-8 mode holding lowercase \"siti\", which no name may contain.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            p.splice(slots_start..slots_start + 12, [(4 << 1) | 1, b's', b'i', b't', b'i']);
        }),
        d("decode_invalid_claim"),
        None,
        None,
    ));
    out.push(case(
        "decode-invalid-holder-key",
        "The holder key replaced by the identity point (small order).",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            let end = issuer_part_len(&base);
            let mut ident = [0u8; 32];
            ident[0] = 1;
            p[end - 32..end].copy_from_slice(&ident);
        }),
        d("decode_invalid_holder_key"),
        None,
        None,
    ));
    out.push(case(
        "decode-zero-validity",
        "The validity length is zero.",
        now,
        trust.clone(),
        &mutate_payload(&base, |p| {
            let offs = header_varint_offsets(p);
            let start = offs[4];
            let mut end = start;
            while p[end] & 0x80 != 0 {
                end += 1;
            }
            p.splice(start..=end, [0x00]);
        }),
        d("decode_bad_validity_window"),
        None,
        None,
    ));

    // ---- Signature failures.
    let sig = |name: &str, desc: &str, text: String| {
        case(name, desc, now, trust.clone(), &text, Expect::invalid("signature_invalid", Check::Signature), None, None)
    };
    out.push(sig(
        "signature-flipped-byte-claims",
        "One bit flipped in the packed alamat text: still decodes, the commitment no longer matches.",
        mutate_payload(&base, |p| {
            let alamat = p.len() - 64 - 30;
            p[alamat] ^= 0x04;
        }),
    ));
    out.push(sig(
        "signature-flipped-byte-signature",
        "One bit flipped in the signature's S half.",
        mutate_payload(&base, |p| {
            let n = p.len();
            p[n - 10] ^= 0x01;
        }),
    ));
    out.push(sig(
        "signature-flipped-byte-header",
        "One bit flipped in the serial (the issuer part is signed byte for byte).",
        mutate_payload(&base, |p| {
            let off = header_varint_offsets(p)[0];
            p[off] ^= 0x02;
        }),
    ));
    {
        // Change one Base45 character inside the signature so that the group stays valid.
        let mut chars: Vec<char> = base.chars().collect();
        let i = chars.len() - 20;
        chars[i] = if chars[i] == '0' { '1' } else { '0' };
        out.push(sig(
            "signature-flipped-base45-char",
            "One Base45 character changed (20th from the end), as a misread or a tamper would.",
            chars.into_iter().collect(),
        ));
    }
    out.push(sig(
        "signature-secret-changed",
        "The salt secret changed: every commitment changes.",
        mutate_payload(&base, |p| {
            let s = issuer_part_len(&base);
            p[s] ^= 0xff;
        }),
    ));
    {
        // Signed by another key but carrying the trusted key's id.
        let text = ctx.sign(&ctx.other, &base_req, 1001, &DangerIssueOptions::default());
        let trusted_id = ctx.issuer.public_key().key_id();
        let forged =
            mutate_payload(&text, |p| p[2..2 + ikd_core::format::KEY_ID_LEN].copy_from_slice(trusted_id.as_bytes()));
        out.push(sig(
            "signature-wrong-key",
            "Signed by an untrusted key, with the trusted issuer's key id written in.",
            forged,
        ));
    }
    {
        // Non-canonical S (S + L): must be rejected by strict verification.
        let forged = mutate_payload(&base, |p| {
            let n = p.len();
            add_group_order(&mut p[n - 32..]);
        });
        out.push(sig(
            "signature-malleable-s",
            "S replaced by S + L (the group order): a malleated signature that lax verifiers accept.",
            forged,
        ));
    }

    // ---- Issuer and key windows.
    {
        let text = ctx.sign(&ctx.other, &ctx.request(woman.clone(), 1002), 1002, &DangerIssueOptions::default());
        out.push(case(
            "issuer-unknown",
            "Signed by a key that is not in the trust store: UNDETERMINED, not INVALID.",
            now,
            trust.clone(),
            &text,
            Expect {
                verdict: "UNDETERMINED",
                code: "issuer_unknown",
                stop: Some(Check::IssuerKnown),
                extra: Vec::new(),
            },
            None,
            None,
        ));
    }
    out.push(case(
        "key-not-yet-valid-at-issuance",
        "The issuer key's window starts a day after the credential was issued.",
        now,
        trust_json(&[(ISSUER_NAME, &ctx.issuer, T0 + DAY, T0 + 8 * YEAR)]),
        &base,
        Expect::invalid("key_not_yet_valid_at_issuance", Check::KeyValidAtIssuance),
        None,
        None,
    ));
    out.push(case(
        "key-expired-at-issuance",
        "The issuer key's window ended a day before the credential was issued.",
        now,
        trust_json(&[(ISSUER_NAME, &ctx.issuer, T0 - 3 * YEAR, T0 - DAY)]),
        &base,
        Expect::invalid("key_expired_at_issuance", Check::KeyValidAtIssuance),
        None,
        None,
    ));
    {
        // Two trusted keys; the one whose id matches is the right one.
        out.push(case(
            "valid-two-trusted-issuers",
            "Two issuers in the trust store; the credential names the second's key id.",
            now,
            trust_json(&[
                ("OTHER ISSUER", &ctx.other, T0 - YEAR, T0 + YEAR),
                (ISSUER_NAME, &ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR),
            ]),
            &base,
            Expect::valid(),
            Some(&woman),
            None,
        ));
    }

    // ---- Validity window.
    out.push(case(
        "expired",
        "The clock is one day after expires_at (beyond the skew tolerance).",
        T0 + 5 * YEAR + DAY,
        trust.clone(),
        &base,
        Expect::invalid("expired", Check::ValidityWindow),
        None,
        None,
    ));
    {
        let mut req = ctx.request(woman.clone(), 1003);
        req.valid_from = Timestamp::from_unix(T0 + 30 * DAY);
        let text = ctx.sign(&ctx.issuer, &req, 1003, &DangerIssueOptions::default());
        out.push(case(
            "not-yet-valid",
            "valid_from is 30 days after issued_at; the clock is one day after issue.",
            now,
            trust.clone(),
            &text,
            Expect::invalid("not_yet_valid", Check::ValidityWindow),
            None,
            None,
        ));
    }
    {
        // A lax issuer let the credential outlive the foreign resident's card.
        let claims = ctx.claims("foreign-resident")?;
        let mut req = ctx.request(claims, 1004);
        req.expires_at = Timestamp::from_unix(T0 + 10 * YEAR);
        let text = ctx.sign(&ctx.issuer, &req, 1004, &DangerIssueOptions::default());
        out.push(case(
            "card-expired",
            "berlaku_hingga (2031-05-20) has passed although the credential's own window has not.",
            T0 + 6 * YEAR,
            trust_json(&[(ISSUER_NAME, &ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR)]),
            &text,
            Expect::invalid("card_expired", Check::ValidityWindow),
            None,
            None,
        ));
    }

    // ---- NIK consistency (signed by a lax issuer).
    {
        let mut c = woman.clone();
        c.tanggal_lahir = time::Date::from_calendar_date(1990, time::Month::August, 18).map_err(|e| e.to_string())?;
        let req = ctx.request(c, 1005);
        let opts = DangerIssueOptions::default();
        let text = ctx.sign(&ctx.issuer, &req, 1005, &opts);
        out.push(case(
            "nik-birth-date-mismatch",
            "The NIK says 17 Aug 90; tanggal_lahir says 1990-08-18.",
            now,
            trust.clone(),
            &text,
            Expect::invalid("nik_birth_date_mismatch", Check::NikConsistency),
            None,
            None,
        ));
    }
    {
        let mut c = woman.clone();
        c.jenis_kelamin = ikd_core::Sex::LakiLaki;
        let text = ctx.sign(&ctx.issuer, &ctx.request(c, 1006), 1006, &DangerIssueOptions::default());
        out.push(case(
            "nik-sex-mismatch",
            "The NIK's day (57 = 17 + 40) says PEREMPUAN; jenis_kelamin says LAKI-LAKI.",
            now,
            trust.clone(),
            &text,
            Expect::invalid("nik_sex_mismatch", Check::NikConsistency),
            None,
            None,
        ));
    }
    {
        let opts = DangerIssueOptions {
            extensions: Vec::new(),
            age_override: Some(AgeOver { over_17: true, over_21: true, over_60: true }),
        };
        let text = ctx.sign(&ctx.issuer, &ctx.request(woman.clone(), 1007), 1007, &opts);
        out.push(case(
            "age-claims-inconsistent",
            "age_over_60 is true for a resident born in 1990.",
            now,
            trust.clone(),
            &text,
            Expect::invalid("age_claims_inconsistent", Check::NikConsistency),
            None,
            None,
        ));
    }
    presentation_cases(&ctx, &mut out)?;
    revocation_cases(&ctx, &mut out)?;
    Ok(out)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Replaces the case's trust store by a signed trust list, and adds status lists.
fn with_lists(mut c: Case, trust_list: Option<(&[u8], &PublicKey)>, status: &[(&[u8], &PublicKey)]) -> Case {
    if let Some((text, root)) = trust_list {
        c.json["trust_store"] = Value::Null;
        c.json["trust_list"] = json!({
            "root_keys": [root.to_text()],
            "text": String::from_utf8_lossy(text),
        });
    }
    if !status.is_empty() {
        c.json["status_lists"] = Value::Array(
            status.iter().map(|(bytes, key)| json!({ "signed_by": key.to_text(), "base64": b64(bytes) })).collect(),
        );
    }
    c
}

/// Trust lists, status lists and offline freshness (the revocation issue's list).
fn revocation_cases(ctx: &Ctx, out: &mut Vec<Case>) -> Result<(), String> {
    let now = T0 + DAY;
    let root = SecretKey::from_seed(&[0x77; 32]);
    let root_pk = root.public_key();
    let banten = Scope::regions(["36"]).map_err(|e| e.to_string())?;
    let entry = |issuer: &Issuer, nb: i64, na: i64, scope: &Scope| {
        TrustListEntry::new(
            ISSUER_NAME,
            issuer.public_key(),
            Timestamp::from_unix(nb),
            Timestamp::from_unix(na),
            scope.clone(),
        )
    };
    let sign_list = |entries: Vec<TrustListEntry>| -> Result<Vec<u8>, String> {
        let mut b = TrustListBuilder::new(1, Timestamp::from_unix(T0), Timestamp::from_unix(T0 + 7 * DAY));
        for e in entries {
            b.add(e).map_err(|e| e.to_string())?;
        }
        b.next_roots(&[root_pk]);
        b.sign(&[&root]).map_err(|e| e.to_string())
    };
    let standard = sign_list(vec![entry(&ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR, &banten)])?;
    let woman = ctx.claims("typical-woman")?;
    let cred_at = |index: u32, serial: u64| {
        let mut req = ctx.request(woman.clone(), serial);
        req.status_index = StatusIndex::new(index);
        ctx.sign(&ctx.issuer, &req, serial, &DangerIssueOptions::default())
    };
    let issuer_sk = SecretKey::from_seed(&[0x11; 32]);
    let issuer_pk = ctx.issuer.public_key();
    let status_list = |changes: &[(u32, CredentialStatus)], issued: i64, seq: u64| -> Result<Vec<u8>, String> {
        let mut b = StatusListBuilder::new(1000).map_err(|e| e.to_string())?;
        for (i, s) in changes {
            b.set(StatusIndex::new(*i), *s).map_err(|e| e.to_string())?;
        }
        b.sign(&issuer_sk, Timestamp::from_unix(issued), 86_400, seq).map_err(|e| e.to_string())
    };
    let list1 = status_list(&[(6, CredentialStatus::Revoked), (7, CredentialStatus::Suspended)], now - 3600, 1)?;
    let list2 = status_list(&[(6, CredentialStatus::Revoked)], now - 1800, 2)?;
    let st = [Check::Status];
    let tl = Some((standard.as_slice(), &root_pk));
    let mk = |name: &str, desc: &str, clock: i64, text: &str, expect: Expect, list: &[u8]| {
        with_lists(case(name, desc, clock, Value::Null, text, expect, None, None), tl, &[(list, &issuer_pk)])
    };
    out.push(mk(
        "status-valid",
        "Status index 5 is valid in a fresh status list (issued an hour ago).",
        now,
        &cred_at(5, 6005),
        Expect::valid().with(&st),
        &list1,
    ));
    out.push(mk(
        "status-revoked",
        "Status index 6 is revoked.",
        now,
        &cred_at(6, 6006),
        Expect::invalid("revoked", Check::Status).with(&st),
        &list1,
    ));
    out.push(mk(
        "status-suspended",
        "Status index 7 is suspended.",
        now,
        &cred_at(7, 6007),
        Expect::invalid("suspended", Check::Status).with(&st),
        &list1,
    ));
    out.push(mk(
        "status-suspension-lifted",
        "Status index 7 was suspended in list 1; list 2 lifts the suspension.",
        now,
        &cred_at(7, 6007),
        Expect::valid().with(&st),
        &list2,
    ));
    out.push(mk(
        "status-index-out-of-range",
        "Status index 5000 in a list of 1000 entries published after the credential was issued.",
        now,
        &cred_at(5000, 6008),
        Expect::invalid("status_index_out_of_range", Check::Status).with(&st),
        &list1,
    ));
    out.push(mk(
        "status-list-stale",
        "The status list is 40 days old: past 1 day fresh + 30 days grace. UNDETERMINED, stating the age.",
        now - 3600 + 40 * DAY,
        &cred_at(5, 6005),
        Expect { verdict: "UNDETERMINED", code: "status_list_stale", stop: Some(Check::Status), extra: st.to_vec() },
        &list1,
    ));
    out.push(mk(
        "status-list-stale-but-revoked",
        "A 40-day-old status list that says revoked: revocation is final, so INVALID.",
        now - 3600 + 40 * DAY,
        &cred_at(6, 6006),
        Expect::invalid("revoked", Check::Status).with(&st),
        &list1,
    ));
    {
        let mut bad = list1.clone();
        let n = bad.len();
        bad[n - 5] ^= 0x01;
        let mut c = mk(
            "status-list-bad-signature",
            "The only status list has a bad signature: it is refused, so the status is unknown.",
            now,
            &cred_at(5, 6005),
            Expect { verdict: "UNDETERMINED", code: "status_unknown", stop: Some(Check::Status), extra: st.to_vec() },
            &bad,
        );
        c.json["expected"]["list_errors"] = json!(["status_bad_signature"]);
        out.push(c);
    }
    // ---- Trust-list rules.
    let base = cred_at(5, 6005);
    let only_trust = |name: &str, desc: &str, clock: i64, list: &[u8], text: &str, expect: Expect| {
        with_lists(case(name, desc, clock, Value::Null, text, expect, None, None), Some((list, &root_pk)), &[])
    };
    {
        let jabar = Scope::regions(["32"]).map_err(|e| e.to_string())?;
        let list = sign_list(vec![entry(&ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR, &jabar)])?;
        out.push(only_trust(
            "trust-issuer-out-of-scope",
            "The issuer key may issue only for province 32 (Jawa Barat); the NIK is from 36 (Banten).",
            now,
            &list,
            &base,
            Expect::invalid("issuer_out_of_scope", Check::KeyValidAtIssuance),
        ));
    }
    for (name, since, expect) in [
        (
            "trust-key-compromised-before-issue",
            T0 - DAY,
            Expect::invalid("key_compromised_at_issuance", Check::KeyValidAtIssuance),
        ),
        ("trust-key-compromised-after-issue", T0 + DAY / 2, Expect::valid()),
    ] {
        let mut e = entry(&ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR, &banten);
        e.status = KeyStatus::Compromised { since: Timestamp::from_unix(since) };
        let list = sign_list(vec![e])?;
        out.push(only_trust(
            name,
            "The key is listed as compromised from a date; credentials issued before it stay valid.",
            now,
            &list,
            &base,
            expect,
        ));
    }
    for (name, since, expect) in [
        ("trust-retired-key-old-credential", T0 + DAY / 2, Expect::valid()),
        (
            "trust-retired-key-new-credential",
            T0 - DAY,
            Expect::invalid("key_retired_at_issuance", Check::KeyValidAtIssuance),
        ),
    ] {
        let mut e = entry(&ctx.issuer, T0 - 2 * YEAR, T0 + 8 * YEAR, &banten);
        e.status = KeyStatus::Retired { since: Timestamp::from_unix(since) };
        let list = sign_list(vec![e])?;
        out.push(only_trust(
            name,
            "A retired key still verifies what it issued while active, and nothing issued after.",
            now,
            &list,
            &base,
            expect,
        ));
    }
    {
        // Rotation: the old key's window and the new key's overlap by a month.
        let list = sign_list(vec![
            entry(&ctx.issuer, T0 - 2 * YEAR, T0 + 20 * DAY, &banten),
            entry(&ctx.other, T0 - 10 * DAY, T0 + 8 * YEAR, &banten),
        ])?;
        let old = base.clone();
        let new = ctx.sign(&ctx.other, &ctx.request(woman.clone(), 7001), 7001, &DangerIssueOptions::default());
        out.push(only_trust(
            "trust-rotation-overlap-old-key",
            "During a key rotation both keys are listed with overlapping windows: the old key's credential.",
            now,
            &list,
            &old,
            Expect::valid(),
        ));
        out.push(only_trust(
            "trust-rotation-overlap-new-key",
            "During a key rotation both keys are listed with overlapping windows: the new key's credential.",
            now,
            &list,
            &new,
            Expect::valid(),
        ));
    }
    out.push(only_trust(
        "trust-list-stale",
        "The trust list is 100 days old: past 7 days fresh + 90 days grace. UNDETERMINED, stating the age.",
        T0 + 100 * DAY,
        &standard,
        &base,
        Expect {
            verdict: "UNDETERMINED",
            code: "trust_list_stale",
            stop: Some(Check::KeyValidAtIssuance),
            extra: Vec::new(),
        },
    ));
    {
        let tampered = String::from_utf8_lossy(&standard).replacen("DISDUKCAPIL", "DISDUKCAPIX", 1).into_bytes();
        let mut c = only_trust(
            "trust-list-bad-signature",
            "The trust list body was altered after signing: refused, so no issuer is known.",
            now,
            &tampered,
            &base,
            Expect {
                verdict: "UNDETERMINED",
                code: "issuer_unknown",
                stop: Some(Check::IssuerKnown),
                extra: Vec::new(),
            },
        );
        c.json["expected"]["list_errors"] = json!(["trust_list_bad_signature"]);
        out.push(c);
    }
    Ok(())
}

fn with_options(mut c: Case, policy: Option<&Policy>, challenge: Option<&str>) -> Case {
    if let Some(p) = policy {
        c.json["input"]["policy"] = p.to_json();
    }
    if let Some(ch) = challenge {
        c.json["input"]["challenge"] = Value::from(ch);
    }
    c
}

/// Live presentations and policies (the presentation issue's list).
fn presentation_cases(ctx: &Ctx, out: &mut Vec<Case>) -> Result<(), String> {
    let now = T0 + DAY;
    let trust = ctx.default_trust();
    let woman = ctx.claims("typical-woman")?;
    let req = ctx.request(woman.clone(), 5001);
    let cred = ctx.sign(&ctx.issuer, &req, 5001, &DangerIssueOptions::default());
    let at = Timestamp::from_unix(now - 30);
    let d = |s: &str| Disclosure::parse_list(s).map_err(|e| e.to_string());
    let present = |text: &str, claims: &str, holder: Option<&SecretKey>, challenge: Option<&[u8]>| {
        create_presentation(text, d(claims)?, holder, at, challenge).map_err(|e| e.to_string())
    };
    let live = [Check::HolderBinding];
    let small = present(&cred, "nama,nik,age_over_17", Some(&ctx.holder), None)?;
    let mut valid_small = case(
        "presentation-live-nama-nik-age",
        "A live presentation signed 30 s before the clock, disclosing nama, nik and age_over_17; 13 claims withheld.",
        now,
        trust.clone(),
        &small,
        Expect::valid().with(&live),
        None,
        None,
    );
    valid_small.json["expected"]["disclosed"] = json!({
        "nama": woman.nama.as_str(),
        "nik": woman.nik.to_string(),
        "age_over_17": true,
    });
    out.push(valid_small);
    out.push(case(
        "presentation-expired",
        "The same live presentation 90 s after it was signed: its 90 s window has ended.",
        now + 60,
        trust.clone(),
        &small,
        Expect::invalid("presentation_expired", Check::HolderBinding).with(&live),
        None,
        None,
    ));
    let mut replayed = case(
        "presentation-replayed",
        "The same live presentation shown a second time within its window: the verifier saw it before (input.seen_before).",
        now,
        trust.clone(),
        &small,
        Expect::invalid("presentation_replayed", Check::HolderBinding).with(&live),
        None,
        None,
    );
    replayed.json["input"]["seen_before"] = json!([small]);
    out.push(replayed);
    {
        // One holder key may have DEFAULT_LIVE_PER_HOLDER codes accepted within their windows.
        let mut earlier = Vec::new();
        for i in 0..ikd_core::DEFAULT_LIVE_PER_HOLDER {
            let shown = Disclosure::from_bits(u16::try_from(i + 16).map_err(|e| e.to_string())?);
            earlier.push(create_presentation(&cred, shown, Some(&ctx.holder), at, None).map_err(|e| e.to_string())?);
        }
        let mut limited = case(
            "presentation-rate-limited",
            "An eleventh distinct live presentation of one holder key within the window, after ten were accepted \
             (input.seen_before): not recorded, so UNDETERMINED until older ones expire.",
            now,
            trust.clone(),
            &small,
            Expect {
                verdict: "UNDETERMINED",
                code: "presentation_rate_limited",
                stop: Some(Check::HolderBinding),
                extra: live.to_vec(),
            },
            None,
            None,
        );
        limited.json["input"]["seen_before"] = json!(earlier);
        out.push(limited);
    }
    out.push(case(
        "presentation-in-future",
        "The live presentation is signed 31 s after the verifier's clock: beyond the 30 s presentation skew.",
        now - 61,
        trust.clone(),
        &small,
        Expect::invalid("presentation_in_future", Check::HolderBinding).with(&live),
        None,
        None,
    ));
    {
        // Same claims and secret, other holder key: the roots agree, so the other key's
        // signature can be spliced onto this presentation.
        let other = SecretKey::from_seed(&[0x99; 32]);
        let mut req2 = req.clone();
        req2.holder_key = Some(other.public_key());
        let cred2 = ctx.sign(&ctx.issuer, &req2, 5001, &DangerIssueOptions::default());
        let theirs = text_to_payload(&present(&cred2, "nama,nik", Some(&other), None)?).unwrap_or_default();
        let mine = present(&cred, "nama,nik", Some(&ctx.holder), None)?;
        let forged = mutate_payload(&mine, |p| {
            let n = p.len();
            p[n - 64..].copy_from_slice(&theirs[theirs.len() - 64..]);
        });
        out.push(case(
            "presentation-wrong-holder-key",
            "The holder signature was made by a key other than the credential's holder key.",
            now,
            trust.clone(),
            &forged,
            Expect::invalid("holder_signature_invalid", Check::HolderBinding).with(&live),
            None,
            None,
        ));
    }
    {
        let mut req3 = req.clone();
        req3.holder_key = None;
        let card = ctx.sign(&ctx.issuer, &req3, 5003, &DangerIssueOptions::default());
        let static_p = present(&card, "nama", None, None)?;
        let forged = mutate_payload(&static_p, |p| {
            p[1] |= 0x01;
            p.extend_from_slice(&[0x80, 0x80, 0x80, 0x40]);
            p.extend_from_slice(&[7u8; 64]);
        });
        out.push(case(
            "presentation-holder-signature-without-holder-key",
            "A holder signature on a credential that has no holder key (a printed card).",
            now,
            trust.clone(),
            &forged,
            Expect::invalid("holder_key_missing", Check::HolderBinding).with(&live),
            None,
            None,
        ));
    }
    {
        let p = present(&cred, "nama,nik", Some(&ctx.holder), None)?;
        let issuer_len = issuer_part_len(&cred);
        // Layout: kind, flags, issuer part, disclosure, one seed for slots 0..2, nama, nik.
        let nama = 2 + issuer_len + 2 + 16;
        let tampered = mutate_payload(&p, |b| b[nama + 3] ^= 0x10);
        out.push(case(
            "presentation-tampered-value",
            "One bit of the disclosed nama changed.",
            now,
            trust.clone(),
            &tampered,
            Expect::invalid("signature_invalid", Check::Signature).with(&live),
            None,
            None,
        ));
        let other_nik = 3604010903850012u64.to_be_bytes();
        let swapped = mutate_payload(&p, |b| {
            let nik = nama + 1 + (14 * 6usize).div_ceil(8);
            b[nik..nik + 7].copy_from_slice(&other_nik[1..]);
        });
        out.push(case(
            "presentation-claim-not-committed",
            "A disclosed nik (another resident's) that is not the committed value.",
            now,
            trust.clone(),
            &swapped,
            Expect::invalid("signature_invalid", Check::Signature).with(&live),
            None,
            None,
        ));
    }
    {
        let p = present(&cred, "nama,nik", Some(&ctx.holder), Some(b"K7Q2"))?;
        out.push(with_options(
            case(
                "presentation-challenge-answered",
                "Challenge mode: the counter showed K7Q2 and the phone signed it.",
                now,
                trust.clone(),
                &p,
                Expect::valid().with(&live),
                None,
                None,
            ),
            None,
            Some("K7Q2"),
        ));
        out.push(with_options(
            case(
                "presentation-wrong-challenge",
                "Challenge mode: the counter showed ZZ9X, the phone signed K7Q2.",
                now,
                trust.clone(),
                &p,
                Expect::invalid("challenge_mismatch", Check::HolderBinding).with(&live),
                None,
                None,
            ),
            None,
            Some("ZZ9X"),
        ));
        out.push(case(
            "presentation-challenge-unexpected",
            "The phone signed challenge K7Q2, but this counter set no challenge: a code made for another counter.",
            now,
            trust.clone(),
            &p,
            Expect::invalid("challenge_unexpected", Check::HolderBinding).with(&live),
            None,
            None,
        ));
    }
    let policies = Policy::builtin();
    let find = |n: &str| policies.iter().find(|p| p.name == n).cloned().ok_or(format!("no policy {n}"));
    let apotek = find("apotek")?;
    let hotel = find("hotel")?;
    let bank = find("bank")?;
    {
        let p = present(&cred, "nama,foto,age_over_17", Some(&ctx.holder), None)?;
        out.push(with_options(
            case(
                "policy-apotek-satisfied",
                "Pharmacy policy: nama, foto and age_over_17 shown live.",
                now,
                trust.clone(),
                &p,
                Expect::valid().with(&[Check::HolderBinding, Check::Policy]),
                None,
                None,
            ),
            Some(&apotek),
            None,
        ));
        let p = present(&cred, "nama", Some(&ctx.holder), None)?;
        out.push(with_options(
            case(
                "policy-not-satisfied",
                "Hotel policy needs nama and nik; only nama was shown.",
                now,
                trust.clone(),
                &p,
                Expect::invalid("policy_claims_missing", Check::Policy).with(&[Check::HolderBinding, Check::Policy]),
                None,
                None,
            ),
            Some(&hotel),
            None,
        ));
        let all = present(&cred, "all", Some(&ctx.holder), None)?;
        out.push(with_options(
            case(
                "policy-requires-challenge",
                "Bank policy requires the counter's challenge; the counter set none, so a relayed live code is refused.",
                now,
                trust.clone(),
                &all,
                Expect::invalid("policy_requires_challenge", Check::Policy).with(&[Check::HolderBinding, Check::Policy]),
                None,
                None,
            ),
            Some(&bank),
            None,
        ));
        out.push(with_options(
            case(
                "policy-requires-live",
                "Pharmacy policy requires a live presentation; the full static credential was shown.",
                now,
                trust.clone(),
                &cred,
                Expect::invalid("policy_requires_live", Check::Policy).with(&[Check::Policy]),
                None,
                None,
            ),
            Some(&apotek),
            None,
        ));
    }
    Ok(())
}

/// Adds the Ed25519 group order L to a 32-byte little-endian scalar in place.
fn add_group_order(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*b) + u16::from(l) + carry;
        *b = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
}

/// Writes the cases to `dir` (JSON pretty-printed with a final newline, PNG as bytes).
pub fn write_cases(dir: &Path, cases: &[Case]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for c in cases {
        std::fs::write(dir.join(format!("{}.json", c.name)), case_file_text(c))?;
        if let Some(png) = &c.png {
            std::fs::write(dir.join(format!("{}.png", c.name)), png)?;
        }
    }
    Ok(())
}

/// The exact text of a case file.
pub fn case_file_text(c: &Case) -> String {
    let mut s = serde_json::to_string_pretty(&c.json).unwrap_or_default();
    s.push('\n');
    s
}

/// Checks one case file's JSON (and its PNG, for image cases) against `ikd-core`.
pub fn check_case(doc: &Value, png: Option<&[u8]>) -> Result<(), String> {
    let clock = doc["clock"].as_str().and_then(Timestamp::parse_rfc3339).ok_or("bad clock")?;
    let skew = doc["skew_seconds"].as_i64().ok_or("bad skew_seconds")?;
    let mut list_errors: Vec<String> = Vec::new();
    let text = doc["input"]["qr_text"].as_str().ok_or("no qr_text")?;
    let base = if let Some(tl) = doc.get("trust_list").filter(|v| !v.is_null()) {
        let roots: Vec<PublicKey> = tl["root_keys"]
            .as_array()
            .ok_or("no root_keys")?
            .iter()
            .map(|k| PublicKey::from_text(k.as_str().unwrap_or("")).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        match TrustList::verify(tl["text"].as_str().ok_or("no trust list text")?.as_bytes(), &roots) {
            Ok(list) => Verifier::from_trust_list(list),
            Err(e) => {
                list_errors.push(e.code().to_owned());
                Verifier::new(TrustStore::new())
            }
        }
    } else {
        Verifier::new(TrustStore::from_json(&doc["trust_store"].to_string()).map_err(|e| e.to_string())?)
    };
    let base = match doc.get("status_lists").and_then(Value::as_array) {
        Some(lists) => {
            let mut ok = Vec::new();
            for l in lists {
                use base64::Engine;
                let key = PublicKey::from_text(l["signed_by"].as_str().unwrap_or("")).map_err(|e| e.to_string())?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(l["base64"].as_str().unwrap_or(""))
                    .map_err(|e| e.to_string())?;
                match StatusList::verify(&bytes, &key) {
                    Ok(list) => ok.push(list),
                    Err(e) => list_errors.push(e.code().to_owned()),
                }
            }
            base.with_status_lists(ok)
        }
        None => base,
    };
    let want_errors: Vec<String> = doc["expected"]["list_errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if want_errors != list_errors {
        return Err(format!("list errors {list_errors:?}, expected {want_errors:?}"));
    }
    if doc["input"].get("png").is_some() {
        let png = png.ok_or("image case without its PNG")?;
        let codes = ikd_core::scan::decode_image(png, &ikd_core::scan::ScanLimits::default())
            .map_err(|e| format!("PNG did not decode: {e}"))?;
        let first = codes.first().and_then(|c| c.text()).ok_or("PNG held no text")?;
        if first != text {
            return Err("PNG decodes to a different text".into());
        }
    }
    let verifier = base.with_clock(Arc::new(FixedClock(clock))).with_skew_secs(skew);
    let policy = match doc["input"].get("policy") {
        Some(p) => Some(
            Policy::list_from_json(&Value::Array(vec![p.clone()]).to_string()).map_err(|e| e.to_string())?.remove(0),
        ),
        None => None,
    };
    let challenge = doc["input"]["challenge"].as_str().map(str::as_bytes);
    // Texts the same verifier (and so the same replay cache) accepted before this one.
    if let Some(seen) = doc["input"].get("seen_before") {
        for (i, t) in seen.as_array().ok_or("seen_before is not a list")?.iter().enumerate() {
            let t = t.as_str().ok_or("seen_before holds a non-text")?;
            let r = verifier.verify_with(t, &VerifyOptions { policy: policy.as_ref(), challenge, now: None });
            if r.verdict() != ikd_core::Verdict::Valid {
                return Err(format!("seen_before[{i}]: {} ({}), expected VALID", r.verdict().as_str(), r.code()));
            }
        }
    }
    let v = verifier.verify_with(text, &VerifyOptions { policy: policy.as_ref(), challenge, now: None });
    let exp = &doc["expected"];
    let stages = exp["stages"].as_object().ok_or("no stages")?;
    if stages.len() != v.report().entries().len() {
        return Err(format!("{} stages reported, {} expected", v.report().entries().len(), stages.len()));
    }
    if v.verdict().as_str() != exp["verdict"] {
        return Err(format!("verdict {} (code {}), expected {}", v.verdict().as_str(), v.code(), exp["verdict"]));
    }
    if v.code() != exp["code"] {
        return Err(format!("code {}, expected {}", v.code(), exp["code"]));
    }
    for (check, outcome) in v.report().entries() {
        let want = &exp["stages"][check.name()];
        if outcome.as_str() != want {
            return Err(format!("stage {}: {}, expected {want}", check.name(), outcome.as_str()));
        }
    }
    if let Some(claims) = exp.get("disclosed") {
        let p = v.presentation().ok_or("expected disclosed claims but no verified presentation")?;
        if &p.disclosed_json() != claims {
            return Err("disclosed claims differ".into());
        }
    }
    if let Some(claims) = exp.get("claims") {
        let cred = v.credential().ok_or("expected claims but no verified credential")?;
        if &cred.claims().to_json_value() != claims {
            return Err("claims differ".into());
        }
    }
    if v.verdict() == ikd_core::Verdict::Valid
        && v.report().entries().iter().any(|(_, o)| !matches!(o, Outcome::Passed | Outcome::NotChecked))
    {
        return Err("VALID with a check that did not pass".into());
    }
    Ok(())
}

/// Every case file of [`cases_dir`] as JSON, with its path, in file-name order: for the
/// front-door runs of the CLI and the server (issue 14).
pub fn read_cases() -> Vec<(Value, PathBuf)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "json"));
    files.sort();
    files
        .into_iter()
        .filter_map(|f| {
            let doc = std::fs::read_to_string(&f).ok().and_then(|t| serde_json::from_str(&t).ok())?;
            Some((doc, f))
        })
        .collect()
}

/// The verdict and code a front end (`ikd verify --json`, `POST /v1/verify`) must answer for a
/// case. They are the case's, except that a front end trusting a signed trust list always checks
/// revocation (the server, `ikd verify --cache`): a case with a trust list but no status list,
/// VALID for a bare verifier, is UNDETERMINED `status_unknown` there.
pub fn front_door_expected(doc: &Value) -> (String, String) {
    let exp = &doc["expected"];
    let trust_list = doc.get("trust_list").is_some_and(|t| !t.is_null());
    let status = doc.get("status_lists").is_some_and(|s| !s.is_null());
    if trust_list && !status && exp["verdict"] == "VALID" {
        return ("UNDETERMINED".into(), "status_unknown".into());
    }
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (s(&exp["verdict"]), s(&exp["code"]))
}

/// The tally of a front-door run over the vectors (issue 14): each case's answer checked with
/// [`check_front_door_answer`], then one assertion naming every case that differs and checking
/// that enough cases went through the front door.
#[derive(Debug, Default)]
pub struct FrontDoorRun {
    failures: Vec<String>,
    through: usize,
}

impl FrontDoorRun {
    /// Records one case's answer (or the front door's own failure to answer).
    pub fn record(&mut self, doc: &Value, answer: Result<Value, String>, extra_fields: &[&str]) {
        self.through += 1;
        let name = doc.get("name").and_then(Value::as_str).unwrap_or("?");
        match answer.and_then(|v| check_front_door_answer(doc, &v, extra_fields)) {
            Ok(()) => {}
            Err(e) => self.failures.push(format!("{name}: {e}")),
        }
    }

    /// Panics with every differing case, or when fewer than `min_percent` of `total` cases went
    /// through `front_door`.
    #[allow(clippy::panic)]
    pub fn finish(self, front_door: &str, total: usize, min_percent: usize) {
        assert!(
            self.failures.is_empty(),
            "{} of {} cases differ through {front_door}:\n{}",
            self.failures.len(),
            self.through,
            self.failures.join("\n")
        );
        assert!(
            self.through * 100 >= total * min_percent,
            "only {} of {total} cases went through {front_door}",
            self.through
        );
    }
}

/// Checks a front end's JSON answer for a case: the verdict and code of
/// [`front_door_expected`], exactly the fields of `ikd_core::VerificationView` beside the front
/// end's own `extras`, and claims only when VALID.
pub fn check_front_door_answer(doc: &Value, answer: &Value, extras: &[&str]) -> Result<(), String> {
    let (verdict, code) = front_door_expected(doc);
    if answer["verdict"] != verdict.as_str() || answer["code"] != code.as_str() {
        return Err(format!("{} {}, expected {verdict} {code}", answer["verdict"], answer["code"]));
    }
    let mut keys: Vec<&str> = answer.as_object().ok_or("not an object")?.keys().map(String::as_str).collect();
    keys.retain(|k| !extras.contains(k));
    keys.sort_unstable();
    if keys != ikd_core::VerificationView::FIELDS {
        return Err(format!("fields {keys:?}"));
    }
    if (answer["verdict"] == "VALID") != answer["claims"].is_object() {
        return Err(format!("claims {} with verdict {}", answer["claims"], answer["verdict"]));
    }
    Ok(())
}
