//! The issuing policy (features `issue` and `photo`): one entry point, [`plan`], used by the
//! `ikd issue` command and by the server's `POST /v1/credentials`, so that both front ends
//! give the same validity window and fit the photo to the same byte budget.
//!
//! The rules, in order:
//!
//! 1. `valid_days` must be 1 ..= `max_valid_days` (at most [`MAX_VALID_DAYS`], the format's
//!    20 years).
//! 2. The start: now, an exact time, or a date. A date means 00:00 WIB of that day
//!    ([`Timestamp::start_of_day`]), except that today's date means now.
//! 3. The end is `valid_days` after the start, cut back to the end of the card's
//!    `berlaku_hingga` day: the card is valid through that whole day in WIB, so the
//!    credential's (exclusive) `expires_at` is at most the next day's 00:00 WIB
//!    ([`Timestamp::end_of_day_exclusive`]). A card whose last day ended before the start is
//!    refused ([`PlanError::CardExpired`]).
//! 4. The photo gets the room left in a phone-scannable QR code (version 22-M,
//!    [`PHOTO_CREDENTIAL_MAX_CHARS`]), measured once on this very credential with the
//!    largest serial and status index the format allows, so that whatever serial and index
//!    are allocated later, the credential fits.

use time::Date;

use crate::Lang;
use crate::claims::{BerlakuHingga, Claims};
use crate::credential::{MAX_SERIAL, MAX_STATUS_INDEX, MAX_VALIDITY_SECS, SaltSecret, Serial, StatusIndex, Timestamp};
use crate::issue::{IssueError, IssueRequest, Issuer, PHOTO_CREDENTIAL_MAX_CHARS, check_request, photo_byte_budget};
use crate::keys::{PublicKey, SecretKey};
use crate::photo::{FaceThumbnail, PhotoError, PhotoLimits, make_thumbnail};

/// The default validity, in days (five years).
pub const DEFAULT_VALID_DAYS: u32 = 1825;

/// The longest validity the format can carry, in whole days (20 years).
pub const MAX_VALID_DAYS: u32 = (MAX_VALIDITY_SECS / 86_400) as u32;

/// When the validity starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At the moment of issuing.
    Now,
    /// At this instant.
    At(Timestamp),
    /// At 00:00 WIB of this day (or now, if the day is today).
    Day(Date),
}

impl Start {
    /// Reads `--valid-from`: an RFC 3339 time or a `YYYY-MM-DD` date.
    pub fn parse(s: &str) -> Option<Start> {
        match Timestamp::parse_day(s) {
            Some(d) => Some(Start::Day(d)),
            None => Timestamp::parse_rfc3339(s.trim()).map(Start::At),
        }
    }
}

/// What to plan: the inputs of an issuance before a serial is allocated.
#[derive(Debug, Clone)]
pub struct PlanRequest<'a> {
    /// The resident's claims.
    pub claims: &'a Claims,
    /// The holder's public key, for phone credentials.
    pub holder_key: Option<PublicKey>,
    /// When the validity starts.
    pub start: Start,
    /// The requested validity, in days.
    pub valid_days: u32,
    /// The largest `valid_days` this issuer allows (capped at [`MAX_VALID_DAYS`]).
    pub max_valid_days: u32,
    /// A face photo as given (PNG or JPEG), to be made into a thumbnail that fits.
    pub photo: Option<&'a [u8]>,
    /// Caps on the photo input.
    pub photo_limits: PhotoLimits,
}

/// The result of [`plan`]: the validity window and the fitted photo.
#[derive(Debug, Clone)]
pub struct IssuancePlan {
    claims: Claims,
    holder_key: Option<PublicKey>,
    issued_at: Timestamp,
    valid_from: Timestamp,
    expires_at: Timestamp,
    shortened: bool,
    photo_budget: Option<usize>,
    photo: Option<FaceThumbnail>,
}

impl IssuancePlan {
    /// When the credential is issued (the `now` given to [`plan`]).
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Start of validity.
    pub fn valid_from(&self) -> Timestamp {
        self.valid_from
    }

    /// End of validity (exclusive).
    pub fn expires_at(&self) -> Timestamp {
        self.expires_at
    }

    /// Whether the end was cut back to the card's `berlaku_hingga`.
    pub fn shortened_to_berlaku_hingga(&self) -> bool {
        self.shortened
    }

    /// How many photo bytes fit this credential (whatever its serial and status index);
    /// measured only when a photo was given.
    pub fn photo_budget(&self) -> Option<usize> {
        self.photo_budget
    }

    /// The fitted face thumbnail, if a photo was given.
    pub fn photo(&self) -> Option<&FaceThumbnail> {
        self.photo.as_ref()
    }

    /// The request to sign once a serial and a status index are allocated.
    pub fn request(&self, serial: Serial, status_index: StatusIndex) -> IssueRequest {
        IssueRequest {
            claims: self.claims.clone(),
            serial,
            status_index,
            issued_at: self.issued_at,
            valid_from: self.valid_from,
            expires_at: self.expires_at,
            holder_key: self.holder_key,
            photo: self.photo.as_ref().map(|t| t.as_bytes().to_vec()),
        }
    }
}

/// Why an issuance cannot be planned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// `valid_days` is 0 or more than the issuer allows.
    #[error("valid_days must be between 1 and {max}")]
    ValidDaysOutOfRange {
        /// The largest value allowed.
        max: u32,
    },
    /// The card's last day (`berlaku_hingga`) ended before the validity would start.
    #[error("the KTP-el record ended on {berlaku_hingga} (berlaku_hingga), before the validity would start")]
    CardExpired {
        /// The card's last day, `YYYY-MM-DD`.
        berlaku_hingga: String,
    },
    /// The request cannot be issued (claims, times); the inner error says why.
    #[error(transparent)]
    Request(#[from] IssueError),
    /// The photo cannot be made into a thumbnail that fits.
    #[error(transparent)]
    Photo(#[from] PhotoError),
}

impl PlanError {
    /// Stable machine-readable code (see `docs/CODES.md`).
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::ValidDaysOutOfRange { .. } => "issue_valid_days_out_of_range",
            PlanError::CardExpired { .. } => "issue_beyond_berlaku_hingga",
            PlanError::Request(e) => e.code(),
            PlanError::Photo(e) => e.code(),
        }
    }

    /// The input the error is about, as named in the claims JSON or the request.
    pub fn field(&self) -> Option<String> {
        match self {
            PlanError::ValidDaysOutOfRange { .. } => Some("valid_days".into()),
            PlanError::CardExpired { .. } => Some("berlaku_hingga".into()),
            PlanError::Request(IssueError::Claims(c)) => c.field(),
            PlanError::Request(IssueError::ValidFromBeforeIssuedAt) => Some("valid_from".into()),
            PlanError::Request(IssueError::ExpiresBeforeValidFrom | IssueError::ValidityTooLong) => {
                Some("valid_days".into())
            }
            PlanError::Request(IssueError::BeyondBerlakuHingga(_)) => Some("berlaku_hingga".into()),
            PlanError::Request(_) => None,
            PlanError::Photo(_) => Some("photo".into()),
        }
    }

    /// What went wrong, for a person, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PlanError::Request(e), _) => e.message(lang),
            (PlanError::Photo(e), _) => e.message(lang),
            (e, Lang::En) => e.to_string(),
            (PlanError::ValidDaysOutOfRange { max }, Lang::Id) => format!("valid_days harus antara 1 dan {max}"),
            (PlanError::CardExpired { berlaku_hingga }, Lang::Id) => format!(
                "KTP-el berakhir pada {berlaku_hingga} (berlaku_hingga), sebelum masa berlaku kredensial dimulai"
            ),
        }
    }
}

/// The end of the card's last day (exclusive), if the card has one: `berlaku_hingga` is the
/// last day on which the card is valid, read in WIB.
pub fn card_end(claims: &Claims) -> Option<Timestamp> {
    match claims.berlaku_hingga {
        BerlakuHingga::Tanggal(d) => Some(Timestamp::end_of_day_exclusive(d)),
        _ => None,
    }
}

/// Plans an issuance at `now`: checks the request, sets the validity window and fits the
/// photo (see the module documentation for the rules).
pub fn plan(req: &PlanRequest<'_>, now: Timestamp) -> Result<IssuancePlan, PlanError> {
    let max = req.max_valid_days.min(MAX_VALID_DAYS);
    if req.valid_days == 0 || req.valid_days > max {
        return Err(PlanError::ValidDaysOutOfRange { max });
    }
    let valid_from = match req.start {
        Start::Now => now,
        Start::At(t) => t,
        Start::Day(d) if d == now.day_wib() => now,
        Start::Day(d) => Timestamp::start_of_day(d),
    };
    let mut expires_at = valid_from.plus(i64::from(req.valid_days) * 86_400);
    let mut shortened = false;
    if let Some(end) = card_end(req.claims) {
        if end <= valid_from {
            return Err(PlanError::CardExpired { berlaku_hingga: crate::claims::format_date(end.plus(-1).day_wib()) });
        }
        if end < expires_at {
            expires_at = end;
            shortened = true;
        }
    }
    let probe = IssueRequest {
        claims: req.claims.clone(),
        serial: Serial::new(MAX_SERIAL).unwrap_or(Serial::MIN),
        status_index: StatusIndex::new(u32::try_from(MAX_STATUS_INDEX).unwrap_or(u32::MAX)),
        issued_at: now,
        valid_from,
        expires_at,
        holder_key: req.holder_key,
        photo: None,
    };
    check_request(&probe)?;
    // The budget is measured only when there is a photo to fit (it costs a signature). Only
    // the length matters: any key and salt secret give the same payload length.
    let (photo_budget, photo) = match req.photo {
        Some(raw) => {
            let measure = Issuer::new(SecretKey::from_seed(&[1; 32]));
            let probe_len = measure
                .issue_with_secret(&probe, &SaltSecret::from_bytes([0; crate::format::SALT_SECRET_LEN]))?
                .payload_len();
            let budget = photo_byte_budget(probe_len, PHOTO_CREDENTIAL_MAX_CHARS);
            (Some(budget), Some(make_thumbnail(raw, budget, &req.photo_limits)?))
        }
        None => (None, None),
    };
    Ok(IssuancePlan {
        claims: req.claims.clone(),
        holder_key: req.holder_key,
        issued_at: now,
        valid_from,
        expires_at,
        shortened,
        photo_budget,
        photo,
    })
}

crate::lang::user_error!(PlanError);
