//! The issuing policy (`ikd_core::issuance::plan`): the validity window, the cap at the
//! card's `berlaku_hingga`, date-only starts, the photo budget, and every error code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use ikd_core::issuance::{MAX_VALID_DAYS, PlanError, PlanRequest, Start, plan};
use ikd_core::photo::PhotoLimits;
use ikd_core::*;

fn at(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap()
}

fn with_berlaku(case: &str, berlaku: &str) -> Claims {
    let mut v = common::resident(case).to_json_value();
    v["berlaku_hingga"] = serde_json::json!(berlaku);
    Claims::from_json_value(v).unwrap()
}

fn request(claims: &Claims, days: u32) -> PlanRequest<'_> {
    PlanRequest {
        claims,
        holder_key: None,
        start: Start::Now,
        valid_days: days,
        max_valid_days: MAX_VALID_DAYS,
        photo: None,
        photo_limits: PhotoLimits::default(),
    }
}

fn face() -> Vec<u8> {
    std::fs::read(common::shared_dir().join("reference/face.png")).unwrap()
}

#[test]
fn regression_cli_and_server_cap_expiry_at_the_same_instant() {
    // Issue 14: the CLI ended at 23:59:59Z of `berlaku_hingga`, the server at 00:00Z. The one
    // rule: the card is valid through that whole day in WIB, so `expires_at` (exclusive) is
    // the next day's 00:00 WIB.
    let claims = with_berlaku("foreign-resident", "2031-05-20");
    let p = plan(&request(&claims, 1825), at("2027-01-01T03:00:00Z")).unwrap();
    assert!(p.shortened_to_berlaku_hingga());
    assert_eq!(p.expires_at().to_string(), "2031-05-20T17:00:00Z");
    // The credential issued from the plan is accepted by the core's own check.
    let issuer = Issuer::new(SecretKey::from_seed(&[9; 32]));
    let cred = issuer.issue(&p.request(Serial::new(5).unwrap(), StatusIndex::new(7))).unwrap();
    let parsed = UnverifiedCredential::decode(cred.text()).unwrap();
    assert_eq!(parsed.header().expires_at, p.expires_at());
}

#[test]
fn a_validity_inside_the_card_is_not_shortened() {
    let claims = with_berlaku("foreign-resident", "2031-05-20");
    let now = at("2027-01-01T03:00:00Z");
    let p = plan(&request(&claims, 30), now).unwrap();
    assert!(!p.shortened_to_berlaku_hingga());
    assert_eq!(p.valid_from(), now);
    assert_eq!(p.issued_at(), now);
    assert_eq!(p.expires_at(), now.plus(30 * 86_400));
}

#[test]
fn an_expiry_past_the_card_day_is_refused_by_the_issuer() {
    // Issue 14: the issuer's own check uses the same end of day as the plan.
    let claims = with_berlaku("foreign-resident", "2031-05-20");
    let issuer = Issuer::new(SecretKey::from_seed(&[9; 32]));
    let now = at("2027-01-01T03:00:00Z");
    let mut req = plan(&request(&claims, 30), now).unwrap().request(Serial::new(1).unwrap(), StatusIndex::new(1));
    req.expires_at = at("2031-05-20T17:00:01Z");
    assert_eq!(issuer.issue(&req).unwrap_err().code(), "issue_beyond_berlaku_hingga");
    req.expires_at = at("2031-05-20T17:00:00Z");
    assert!(issuer.issue(&req).is_ok());
}

#[test]
fn an_expired_card_is_refused_with_its_code() {
    let claims = with_berlaku("foreign-resident", "2026-12-31");
    // 2026-12-31T17:00:00Z is 2027-01-01 00:00 WIB: the card's last day is over.
    let e = plan(&request(&claims, 30), at("2026-12-31T17:00:00Z")).unwrap_err();
    assert!(matches!(e, PlanError::CardExpired { .. }));
    assert_eq!(e.code(), "issue_beyond_berlaku_hingga");
    assert_eq!(e.field().as_deref(), Some("berlaku_hingga"));
    assert!(e.message(Lang::En).contains("2026-12-31"), "{}", e.message(Lang::En));
    assert!(e.message(Lang::Id).contains("berakhir pada 2026-12-31"), "{}", e.message(Lang::Id));
    // One second earlier the card still has a second left.
    let p = plan(&request(&claims, 30), at("2026-12-31T16:59:59Z")).unwrap();
    assert_eq!(p.expires_at(), at("2026-12-31T17:00:00Z"));
}

#[test]
fn valid_days_out_of_range_is_refused_with_its_code() {
    let claims = common::resident("typical-woman");
    let now = at("2027-01-01T03:00:00Z");
    for (days, max) in [(0, 3650), (3651, 3650), (MAX_VALID_DAYS + 1, u32::MAX)] {
        let mut r = request(&claims, days);
        r.max_valid_days = max;
        let e = plan(&r, now).unwrap_err();
        assert_eq!(e.code(), "issue_valid_days_out_of_range", "{days}");
        assert_eq!(e.field().as_deref(), Some("valid_days"));
        assert!(e.message(Lang::Id).starts_with("valid_days harus antara 1 dan"));
    }
    let mut r = request(&claims, MAX_VALID_DAYS);
    r.max_valid_days = u32::MAX;
    assert!(plan(&r, now).is_ok());
}

#[test]
fn a_date_only_start_is_midnight_wib_and_today_means_now() {
    let claims = common::resident("typical-woman");
    // 2027-01-01T03:00:00Z is 10:00 WIB on 2027-01-01.
    let now = at("2027-01-01T03:00:00Z");
    let mut r = request(&claims, 10);
    r.start = Start::parse("2027-01-01").unwrap();
    assert_eq!(plan(&r, now).unwrap().valid_from(), now);
    r.start = Start::parse("2027-01-05").unwrap();
    assert_eq!(plan(&r, now).unwrap().valid_from().to_string(), "2027-01-04T17:00:00Z");
    r.start = Start::parse("2027-01-05T08:00:00+07:00").unwrap();
    assert_eq!(plan(&r, now).unwrap().valid_from().to_string(), "2027-01-05T01:00:00Z");
    assert_eq!(Start::parse("5 Januari 2027"), None);
}

#[test]
fn a_start_in_the_past_is_refused_with_the_issuers_code() {
    let claims = common::resident("typical-woman");
    let mut r = request(&claims, 10);
    r.start = Start::parse("2026-12-30").unwrap();
    let e = plan(&r, at("2027-01-01T03:00:00Z")).unwrap_err();
    assert_eq!(e.code(), "issue_valid_from_before_issued_at");
    assert_eq!(e.field().as_deref(), Some("valid_from"));
    assert_eq!(e.message(Lang::Id), "awal masa berlaku tidak boleh sebelum waktu terbit");
}

#[test]
fn a_time_the_format_cannot_carry_is_refused() {
    let claims = common::resident("typical-woman");
    let e = plan(&request(&claims, 10), at("2019-06-01T00:00:00Z")).unwrap_err();
    assert_eq!(e.code(), "issue_issued_at_out_of_range");
}

#[test]
fn regression_cli_and_server_photo_budget_is_one_worst_case() {
    // Issue 14: the CLI measured the budget with serial 2^53-1, the server with 2^40. The
    // plan measures it once with the largest serial and status index: every real credential
    // made from the plan fits a version-22-M QR code.
    let claims = common::resident("worst-case");
    let holder = common::holder_key();
    let mut r = request(&claims, 1825);
    r.holder_key = Some(holder);
    let face = face();
    r.photo = Some(&face);
    let p = plan(&r, at("2027-01-01T03:00:00Z")).unwrap();
    let thumb = p.photo().expect("a thumbnail");
    assert!(thumb.as_bytes().len() <= p.photo_budget().unwrap());
    let issuer = Issuer::new(SecretKey::from_seed(&[9; 32]));
    for (serial, index) in [(1u64, 0u32), (1 << 40, 1 << 20), ((1 << 53) - 1, (1 << 28) - 1)] {
        let cred = issuer.issue(&p.request(Serial::new(serial).unwrap(), StatusIndex::new(index))).unwrap();
        assert!(cred.text().len() <= PHOTO_CREDENTIAL_MAX_CHARS, "{serial}: {}", cred.text().len());
    }
    // Without a holder key there is more room.
    r.holder_key = None;
    assert!(plan(&r, at("2027-01-01T03:00:00Z")).unwrap().photo_budget() > p.photo_budget());
    assert_eq!(plan(&request(&claims, 10), at("2027-01-01T03:00:00Z")).unwrap().photo_budget(), None);
}

#[test]
fn a_photo_that_is_not_an_image_is_refused_with_the_photo_code() {
    let claims = common::resident("typical-woman");
    let mut r = request(&claims, 10);
    let junk = b"not an image at all".to_vec();
    r.photo = Some(&junk);
    let e = plan(&r, at("2027-01-01T03:00:00Z")).unwrap_err();
    assert_eq!(e.code(), "photo_unsupported_format");
    assert_eq!(e.field().as_deref(), Some("photo"));
    assert_eq!(e.message(Lang::Id), "Format foto tidak didukung.");
}

#[test]
fn a_date_only_end_covers_the_whole_day() {
    // Issue 14: `--not-after 2035-12-31` ended at 00:00 of that day.
    let end = Timestamp::parse_end("2035-12-31").unwrap();
    assert_eq!(end.to_string(), "2035-12-31T16:59:59Z");
    assert_eq!(end.day_wib().to_string(), "2035-12-31");
    assert_eq!(end.plus(1).day_wib().to_string(), "2036-01-01");
    assert_eq!(Timestamp::parse_start("2026-01-01").unwrap().to_string(), "2025-12-31T17:00:00Z");
    assert_eq!(Timestamp::parse_end("2035-12-31T23:00:00Z").unwrap().to_string(), "2035-12-31T23:00:00Z");
}
