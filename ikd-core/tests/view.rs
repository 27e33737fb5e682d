//! Issue 14: the one verification view (`ikd_core::view`) every front end serialises: its field
//! names, the rule "claims only when VALID", the one NIK masking rule, the photo modes, the
//! server's revocation hook, the kind of a text, and reading the view back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ikd_core::view::{PhotoData, TextKind, mask_nik};
use ikd_core::*;

fn woman() -> Claims {
    resident("typical-woman")
}

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(120, 150, |x, y| image::Rgb([(x * 2) as u8, (y * 2) as u8, 90]));
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    ikd_core::photo::make_thumbnail(png.get_ref(), 800, &ikd_core::photo::PhotoLimits::default())
        .unwrap()
        .as_bytes()
        .to_vec()
}

fn json(view: &VerificationView) -> serde_json::Value {
    serde_json::to_value(view).unwrap()
}

// Issue 14: one set of field names for the CLI, the server and the bindings.
#[test]
fn view_of_a_valid_credential_has_the_documented_fields() {
    let env = Env::new();
    let text = env.issue(&woman(), None, None);
    let v = env.verifier().verify(&text);
    assert_eq!(v.verdict(), Verdict::Valid);
    let view = VerificationView::new(&v, &text, &ViewOptions { policy: Some("umum"), ..Default::default() });
    let j = json(&view);
    let mut keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, VerificationView::FIELDS);
    assert_eq!(j["verdict"], "VALID");
    assert_eq!(j["code"], "ok");
    assert_eq!(j["lang"], "id");
    assert_eq!(j["message"], "Kredensial sah.");
    assert_eq!(j["kind"], "credential");
    assert_eq!(j["live"], false);
    assert_eq!(j["policy"], "umum");
    assert_eq!(j["credential"]["serial"], 1_234_567);
    assert_eq!(j["credential"]["status_index"], 4_321_987);
    assert!(j["credential"]["holder_key"].is_null());
    assert_eq!(j["issuer"]["name"], "DISDUKCAPIL KABUPATEN SERANG");
    assert_eq!(j["issuer"]["public_key"], env.issuer.public_key().to_text());
    assert!(j["age_over"]["17"].is_boolean());
    assert_eq!(j["photo"], serde_json::json!({"present": false, "bytes": null, "data": null}));
    assert_eq!(j["report"][0], serde_json::json!({"check": "decode", "outcome": "passed", "code": null}));
    // Masked by the one rule unless asked.
    let nik = woman().nik.to_string();
    assert_eq!(j["claims"]["nik"], mask_nik(&nik));
    let shown = VerificationView::new(&v, &text, &ViewOptions { show_nik: true, lang: Lang::En, ..Default::default() });
    assert_eq!(shown.claims.as_ref().unwrap().text("nik"), Some(nik.as_str()));
    assert_eq!(shown.message, "The credential is valid.");
    // It reads back.
    let back: VerificationView = serde_json::from_value(j).unwrap();
    assert_eq!(back, view);
}

// Issue 14: claims, age, photo and presentation only when VALID, in every front end.
#[test]
fn view_of_a_rejection_shows_no_claims_and_names_the_detail() {
    let env = Env::new();
    let text = env.issue(&woman(), None, Some(photo()));
    let stranger = Verifier::new(TrustStore::new()).with_clock(std::sync::Arc::new(FixedClock(env.now)));
    let v = stranger.verify(&text);
    let view = VerificationView::new(&v, &text, &ViewOptions { photo: PhotoData::Embedded, ..Default::default() });
    assert_eq!(view.verdict, Verdict::Undetermined);
    assert_eq!(view.code, "issuer_unknown");
    assert!(view.claims.is_none() && view.age_over.is_none() && view.photo.is_none());
    assert!(view.withheld.is_empty() && view.presentation.is_none() && view.issuer.is_none());
    assert_eq!(view.credential.as_ref().unwrap().serial, 1_234_567, "the header is shown for the officer");
    assert_eq!(view.kind, Some(TextKind::Credential));
    let id = env.issuer.public_key().key_id();
    assert_eq!(view.detail.as_deref(), Some(format!("id kunci penerbit {id}").as_str()));

    let junk = Verifier::new(TrustStore::new()).verify("hello");
    let view = VerificationView::new(&junk, "hello", &ViewOptions { lang: Lang::En, ..Default::default() });
    assert_eq!(view.code, "decode_wrong_prefix");
    assert!(view.kind.is_none() && view.live.is_none() && view.credential.is_none());
    assert!(view.detail.is_some());
}

#[test]
fn view_photo_modes() {
    let env = Env::new();
    let bytes = photo();
    let text = env.issue(&woman(), None, Some(bytes.clone()));
    let v = env.verifier().verify(&text);
    let size = VerificationView::new(&v, &text, &ViewOptions::default());
    let p = size.photo.unwrap();
    assert!(p.present);
    assert_eq!(p.bytes, Some(bytes.len()));
    assert!(p.data.is_none());
    let raw = VerificationView::new(&v, &text, &ViewOptions { photo: PhotoData::Embedded, ..Default::default() });
    assert!(raw.photo.unwrap().data.unwrap().starts_with("data:image/webp;base64,"));
    let png = VerificationView::new(&v, &text, &ViewOptions { photo: PhotoData::Png, ..Default::default() });
    assert!(png.photo.unwrap().data.unwrap().starts_with("data:image/png;base64,"));
}

// Issue 14: the server's own revocation lowers the verdict through the view, never raises it.
#[test]
fn apply_revocation_lowers_a_valid_view_and_hides_its_claims() {
    let env = Env::new();
    let text = env.issue(&woman(), None, None);
    let v = env.verifier().verify(&text);
    let mut kept = VerificationView::new(&v, &text, &ViewOptions::default());
    kept.apply_revocation(false, Lang::Id);
    assert_eq!(kept.verdict, Verdict::Valid);
    assert_eq!(kept.report.last().unwrap().check, "revocation");
    assert_eq!(kept.report.last().unwrap().outcome, "passed");
    let mut revoked = VerificationView::new(&v, &text, &ViewOptions { lang: Lang::En, ..Default::default() });
    revoked.apply_revocation(true, Lang::En);
    assert_eq!(revoked.verdict, Verdict::Invalid);
    assert_eq!(revoked.code, "revoked");
    assert_eq!(revoked.message, "The credential has been revoked.");
    assert!(revoked.claims.is_none() && revoked.age_over.is_none() && revoked.photo.is_none());
    assert_eq!(revoked.report.last().unwrap().code.as_deref(), Some("revoked"));
    // An INVALID view stays INVALID with its own code.
    let junk = Verifier::new(TrustStore::new()).verify("hello");
    let mut view = VerificationView::new(&junk, "hello", &ViewOptions::default());
    view.apply_revocation(true, Lang::Id);
    assert_eq!(view.code, "decode_wrong_prefix");
}

#[test]
fn view_of_a_presentation_and_kind_of_text() {
    let env = Env::new();
    let holder = SecretKey::from_seed(&[0x48; 32]);
    let text = env.issue(&woman(), Some(holder.public_key()), None);
    let disclose = Disclosure::from_names(&["nama", "nik", "age_over_17"]).unwrap();
    let stat = create_presentation(&text, disclose, None, env.now, None).unwrap();
    let live = create_presentation(&text, disclose, Some(&holder), env.now, None).unwrap();
    assert_eq!(Kind::of_text(&text), Some(Kind::Credential));
    assert_eq!(Kind::of_text(&stat), Some(Kind::Static));
    assert_eq!(Kind::of_text(&live), Some(Kind::Live));
    assert_eq!(Kind::of_text("hello"), None);
    assert_eq!(Kind::Live.as_str(), "presentation");
    assert_eq!(Kind::Live.label(Lang::En), "Live presentation (signed by the holder's phone)");
    let v = env.verifier().verify(&live);
    assert_eq!(v.verdict(), Verdict::Valid, "{}", v.code());
    let view = VerificationView::new(&v, &live, &ViewOptions::default());
    assert_eq!(view.kind, Some(TextKind::Presentation));
    assert_eq!(view.live, Some(true));
    let p = view.presentation.as_ref().unwrap();
    assert!(p.live && p.signed_at.is_some() && p.challenge.is_none());
    let age = view.age_over.unwrap();
    assert!(age.over_17.is_some() && age.over_21.is_none() && age.over_60.is_none());
    assert!(view.withheld.iter().any(|w| w == "alamat"));
    assert_eq!(view.claims.as_ref().unwrap().text("nik"), Some(mask_nik(&woman().nik.to_string()).as_str()));
    assert_eq!(view.photo.as_ref().map(|p| p.present), Some(false));
}
